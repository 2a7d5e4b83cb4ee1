import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AnyReport, granularities, ingestCollections, isValidTimeZone, ReportIds, reports } from "@convolens/core";
import { Database, makeDatabaseLayer } from "@convolens/db";
import { createTestDatabase } from "@convolens/db/testing";
import { ManagedRuntime } from "effect";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { procedureNameById } from "../src/trpc/router.ts";
import { call, fetchRetryingStaleSockets, readStream, startTestServer, type TestServer } from "./support.ts";

/**
 * Hostile input, property-based: generated report inputs, ingest and delete bodies and raw HTTP requests, sent to the
 * real server over loopback. Whatever arrives, the answer is a 4xx JSON error naming the problem — never a 500, never
 * HTML — and the stored data stays exactly as it was (a per-table row count and checksum over every tenant table).
 *
 * Every property has a fixed seed and an explicit number of runs, so a failure reproduces.
 */

const SEED = 20_261_124;

let server: TestServer;
let token: string;

// ---------------------------------------------------------------------------------------------------------------
// On the wire

/** A JSON fragment written verbatim (`1e400`, `-0`, duplicate keys…), which `JSON.stringify` cannot produce. */
class Raw {
	readonly text: string;
	constructor(text: string) {
		this.text = text;
	}
}

/** An object written key by key, so `__proto__` and `constructor` become real JSON keys. */
class Entries {
	readonly entries: ReadonlyArray<readonly [string, unknown]>;
	constructor(entries: ReadonlyArray<readonly [string, unknown]>) {
		this.entries = entries;
	}
}

const toJson = (value: unknown): string => {
	if (value instanceof Raw) return value.text;
	if (value instanceof Entries) {
		return `{${value.entries.map(([key, inner]) => `${JSON.stringify(key)}:${toJson(inner)}`).join(",")}}`;
	}
	if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
	if (typeof value === "object" && value !== null) {
		return toJson(new Entries(Object.entries(value)));
	}
	return JSON.stringify(value) ?? "null";
};

interface Answer {
	readonly status: number;
	readonly contentType: string;
	readonly text: string;
	readonly json: Record<string, unknown> | undefined;
}

/** One request over the shared keep-alive connection pool of `fetch`. */
const send = async (
	path: string,
	options: {
		readonly method?: string;
		readonly body?: string | Uint8Array;
		readonly contentType?: string | null;
		readonly headers?: Record<string, string>;
		readonly token?: string | null;
	} = {},
): Promise<Answer> => {
	const headers: Record<string, string> = { ...options.headers };
	const bearer = options.token === undefined ? token : options.token;
	if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
	const contentType = options.contentType === undefined ? "application/json" : options.contentType;
	if (contentType !== null && options.body !== undefined) headers["content-type"] = contentType;
	const body = typeof options.body === "string" ? new Uint8Array(Buffer.from(options.body)) : options.body;
	const response = await fetchRetryingStaleSockets(`${server.baseUrl}${path}`, {
		method: options.method ?? "POST",
		headers,
		...(body === undefined ? {} : { body }),
	});
	const text = await response.text();
	let json: Record<string, unknown> | undefined;
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = undefined;
	}
	return { status: response.status, contentType: response.headers.get("content-type") ?? "", text, json };
};

const fourXxCodes = [
	"BAD_REQUEST",
	"NOT_AUTHENTICATED",
	"NOT_AUTHORIZED",
	"NOT_FOUND",
	"METHOD_NOT_ALLOWED",
	"CONTENT_TOO_LARGE",
	"UNPROCESSABLE_ENTITY",
	"TOO_MANY_REQUESTS",
];

const describeAnswer = (answer: Answer) => `${answer.status} ${answer.text.slice(0, 300)}`;

/** Never a 5xx, never HTML: always JSON. */
const expectJsonAnswer = (answer: Answer) => {
	expect(answer.status, describeAnswer(answer)).toBeLessThan(500);
	expect(answer.contentType, describeAnswer(answer)).toMatch(/^application\/json/);
	expect(answer.text.startsWith("{"), answer.text.slice(0, 200)).toBe(true);
	// No stack frame (`    at handler (/app/src/server.ts:12:3)`) anywhere in the body.
	expect(answer.text).not.toMatch(/\s+at [^\s]+ \(?[^\s]+\.[jt]s:\d+/);
	expect(answer.json, answer.text.slice(0, 200)).toBeDefined();
};

/** A REST error: 4xx, `{message, code}` and nothing else; the message names `field` when given. */
const expectRestError = (answer: Answer, expected: { readonly code?: string; readonly field?: string } = {}) => {
	expectJsonAnswer(answer);
	expect(answer.status, describeAnswer(answer)).toBeGreaterThanOrEqual(400);
	expect(Object.keys(answer.json ?? {}).sort()).toEqual(["code", "message"]);
	expect(fourXxCodes).toContain(answer.json?.code);
	if (expected.code !== undefined) expect(answer.json?.code, describeAnswer(answer)).toBe(expected.code);
	const message = answer.json?.message;
	expect(typeof message).toBe("string");
	expect((message as string).length).toBeGreaterThan(0);
	if (expected.field !== undefined) expect(message, describeAnswer(answer)).toContain(expected.field);
};

/** A tRPC error: 4xx JSON whose `error.data` carries the wire code; the message names `field` when given. */
const expectTrpcError = (answer: Answer, expected: { readonly code?: string; readonly field?: string } = {}) => {
	expectJsonAnswer(answer);
	expect(answer.status, describeAnswer(answer)).toBeGreaterThanOrEqual(400);
	const error = answer.json?.error as { message?: unknown; data?: { wireCode?: unknown; stack?: unknown } } | undefined;
	expect(error, describeAnswer(answer)).toBeDefined();
	expect(fourXxCodes).toContain(error?.data?.wireCode);
	expect(error?.data?.stack).toBeUndefined();
	if (expected.code !== undefined) expect(error?.data?.wireCode, describeAnswer(answer)).toBe(expected.code);
	if (expected.field !== undefined) expect(error?.message, describeAnswer(answer)).toContain(expected.field);
};

// ---------------------------------------------------------------------------------------------------------------
// The stored data: row count and checksum of every tenant table (api_token is left out: authenticating a request
// updates its last_used_at).

const tables = [
	"account",
	"contact",
	"bot",
	"dataset",
	"skillset",
	"conversation",
	"message",
	"rating",
	"record",
	"ability",
	"file",
] as const;

const fingerprintSql = tables
	.map(
		(table) =>
			`SELECT '${table}' AS name, count(*)::int AS rows, coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS checksum FROM "${table}" t`,
	)
	.join(" UNION ALL ");

const fingerprint = () =>
	server.runtime.runPromise(
		Database.use((database) => database.query<{ name: string; rows: number; checksum: string }>(fingerprintSql)),
	);

let baseline: Awaited<ReturnType<typeof fingerprint>>;

const expectDataUnchanged = async () => {
	expect(await fingerprint()).toEqual(baseline);
};

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries of hostile values

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

const notJsonObjects = fc.oneof(
	fc.constant(null),
	fc.boolean(),
	fc.integer(),
	fc.string({ maxLength: 20 }),
	fc.array(fc.integer(), { maxLength: 3 }),
);

const nonNumbers = fc.oneof(
	fc.constantFrom("NaN", "Infinity", "-Infinity", "1e309", "7", "", "0x10", " 12 "),
	fc.boolean(),
	fc.constant(null),
	fc.array(fc.integer(), { maxLength: 3 }),
	fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
	fc.constantFrom(new Raw("1e400"), new Raw("-1e400")),
);

/** Anything but an integer in `[min, max]`. */
const badInteger = (min: number, max: number) =>
	fc.oneof(
		fc.bigInt({ min: BigInt(max) + 1n, max: 2n ** 53n }).map(Number),
		fc.bigInt({ min: -(2n ** 53n), max: BigInt(min) - 1n }).map(Number),
		fc.constantFrom(max + 1, min - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, min + 0.5, 0.0001),
		fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !(Number.isInteger(x) && x >= min && x <= max)),
		nonNumbers,
	);

const longString = (minLength: number) =>
	fc.oneof(
		fc.string({ minLength, maxLength: minLength + 200 }),
		fc.constant("x".repeat(minLength * 4)),
		fc.constant("😀".repeat(minLength)),
	);

const badDate = fc.oneof(
	fc.constantFrom(
		"2024-02-30",
		"2023-02-29",
		"2024-13-01",
		"2024-00-10",
		"2024-01-32",
		"0000-00-00",
		"9999-99-99",
		"2024-1-1",
		"24-01-01",
		"2024/01/01",
		"yesterday",
		"",
		"2024-01-01T00:00:00Z",
		"+275760-09-13",
		" 2024-01-01",
		"2024-01-01\n",
		"9999-12-31",
		"0999-12-31",
		"0100-01-01",
		"0001-01-01",
	),
	fc.string({ maxLength: 30 }).filter((text) => !/^\d{4}-\d{2}-\d{2}$/.test(text)),
	fc.integer(),
	fc.constant(null),
	fc.boolean(),
	longString(5_000),
);

const badTimezone = fc
	.oneof(
		fc.constantFrom("Mars/Olympus_Mons", "UTC+25", "../../etc/passwd", "Europe/Berlin ", "", " ", "America/New York"),
		fc.string({ maxLength: 40 }).map((text) => `Nowhere/${text}`),
		longString(65),
		fc.integer(),
		fc.constant(null),
		fc.boolean(),
		fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
	)
	.filter((value) => typeof value !== "string" || !isValidTimeZone(value));

const badGranularity = fc.oneof(
	fc.string({ maxLength: 12 }).filter((text) => !(granularities as ReadonlyArray<string>).includes(text)),
	fc.constantFrom("HOUR", "Day", "minute", "year", "day ", "__proto__"),
	fc.integer(),
	fc.constant(null),
	fc.array(fc.constant("day"), { minLength: 1, maxLength: 2 }),
);

const badId = fc.oneof(
	fc.constant(""),
	fc.string({ minLength: 65, maxLength: 300 }),
	fc.string({ minLength: 1, maxLength: 64 }).filter((text) => !idPattern.test(text)),
	fc.constantFrom("../etc", "a b", "a;DROP TABLE bot", "ä", "id\u0000", "x".repeat(65)),
	fc.integer(),
	fc.constant(null),
	fc.boolean(),
	fc.array(fc.constant("b1"), { minLength: 1, maxLength: 2 }),
	fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

const badDatasetIds = fc.oneof(
	fc.constant([]),
	fc.array(validId, { minLength: 101, maxLength: 150 }),
	fc.tuple(fc.array(validId, { maxLength: 5 }), badId).map(([ids, bad]) => [...ids, bad]),
	validId,
	fc.integer(),
	fc.constant(null),
	fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/** Keys no report and no ingest item knows, including the ones that reach for an object's prototype. */
const junkKey = fc.oneof(
	fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "userId", "", " "),
	fc.string({ maxLength: 12 }).filter((key) => !knownFieldNames.has(key)),
);

/** What a junk key carries: a prototype payload that would break the report if it were ever inherited. */
const junkValue = fc.oneof(
	fc.constant({ granularity: "year", limit: 10_000, timezone: "Mars/Olympus", periodDays: -1, polluted: true }),
	fc.constant({ prototype: { polluted: true } }),
	fc.jsonValue({ maxDepth: 3 }),
);

const junkEntries = fc.array(fc.tuple(junkKey, junkValue), { maxLength: 3 });

const knownFieldNames = new Set([
	"id",
	"createdAt",
	"name",
	"email",
	"nick",
	"botId",
	"contactId",
	"conversationId",
	"messageId",
	"datasetId",
	"skillsetId",
	"type",
	"tokens",
	"action",
	"value",
	"reason",
	"periodDays",
	"startDate",
	"endDate",
	"timezone",
	"granularity",
	"botId",
	"limit",
	"datasetIds",
]);

// ---------------------------------------------------------------------------------------------------------------
// Report inputs

const DAY_MS = 86_400_000;
const todayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const isoDate = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const window = { startDate: isoDate(todayStart - 13 * DAY_MS), endDate: isoDate(todayStart), timezone: "UTC" };

const fieldsOf = (report: AnyReport): ReadonlyArray<string> =>
	Object.keys((report.inputJsonSchema.properties ?? {}) as object);

/** The smallest valid input: the bot, the datasets and a fixed window when the report has one. */
const validInput = (report: AnyReport): Record<string, unknown> => {
	const fields = fieldsOf(report);
	return {
		...(fields.includes("startDate") ? window : {}),
		...(fields.includes("botId") ? { botId: "b1" } : {}),
		...(fields.includes("datasetIds") ? { datasetIds: ["d1"] } : {}),
	};
};

const hostileValueFor = (field: string): fc.Arbitrary<unknown> => {
	switch (field) {
		case "periodDays":
			return badInteger(1, 365);
		case "limit":
			return badInteger(1, 50);
		case "startDate":
		case "endDate":
			return badDate;
		case "timezone":
			return badTimezone;
		case "granularity":
			return badGranularity;
		case "botId":
			return badId;
		case "datasetIds":
			return badDatasetIds;
		default:
			throw new Error(`no hostile values for ${field}`);
	}
};

/** A report, one of its fields with a hostile value, the rest valid, plus junk keys. */
const hostileReportInput = fc.constantFrom(...reports.filter((report) => fieldsOf(report).length > 0)).chain((report) =>
	fc.constantFrom(...fieldsOf(report)).chain((field) =>
		fc.record({
			report: fc.constant(report),
			field: fc.constant(field),
			value: hostileValueFor(field),
			junk: junkEntries,
		}),
	),
);

const inputBody = (
	report: AnyReport,
	field: string,
	value: unknown,
	junk: ReadonlyArray<readonly [string, unknown]>,
) => {
	const base = validInput(report);
	// Explicit dates come in pairs: a hostile start keeps a valid end and the other way round.
	if (field === "startDate" && !("endDate" in base)) base.endDate = window.endDate;
	if (field === "endDate" && !("startDate" in base)) base.startDate = window.startDate;
	if (field === "periodDays") {
		delete base.startDate;
		delete base.endDate;
	}
	delete base[field];
	return new Entries([...junk, ...Object.entries(base), [field, value]]);
};

// ---------------------------------------------------------------------------------------------------------------
// Ingest items

const collectionFields: Readonly<Record<string, ReadonlyArray<string>>> = {
	contacts: ["id", "createdAt", "name", "email", "nick"],
	bots: ["id", "createdAt", "name"],
	datasets: ["id", "createdAt", "name"],
	skillsets: ["id", "createdAt", "name"],
	conversations: ["id", "createdAt", "botId", "contactId"],
	messages: ["id", "createdAt", "conversationId", "type", "tokens", "action"],
	ratings: ["id", "createdAt", "value", "reason", "botId", "conversationId", "messageId", "contactId"],
	records: ["id", "createdAt", "datasetId"],
	abilities: ["id", "createdAt", "name", "skillsetId"],
	files: ["id", "createdAt", "name"],
};

/** A valid item of each collection whose parents exist in the account (so only the hostile field can fail it). */
const validItem = (collection: string, id: string): Record<string, unknown> => {
	switch (collection) {
		case "conversations":
			return { id, botId: "b1", contactId: "c1" };
		case "messages":
			return { id, conversationId: "cv1", type: "user", tokens: 3 };
		case "ratings":
			return { id, value: -1, botId: "b1", conversationId: "cv1", messageId: "m1", contactId: "c1" };
		case "records":
			return { id, datasetId: "d1" };
		case "abilities":
			return { id, skillsetId: "s1" };
		default:
			return { id, name: "fresh" };
	}
};

const badCreatedAt = fc.oneof(
	fc.constantFrom(
		"2024-02-30T00:00:00Z",
		"2024-01-01T00:00:00",
		"2024-01-01",
		"now",
		"NaN",
		"Infinity",
		"",
		"2024-01-01T25:00:00Z",
		"2024-01-01T00:00:00+25:00",
	),
	fc.integer({ max: -1 }),
	fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
	fc.constantFrom(253_402_300_800_000, 1e15, 8.64e15, 8.64e15 + 1, 1e300, new Raw("1e400")),
	fc.boolean(),
	fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
	fc.string({ maxLength: 30 }).filter((text) => Number.isNaN(Date.parse(text))),
);

/** Parents that do not exist in the account: a valid ID the item may not point at. */
const missingParent = fc.constantFrom("no-such-parent", "b-missing", "x");

/** Text PostgreSQL cannot store: it contains U+0000. */
const withNul = fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`);

const badText = (max: number) =>
	fc.oneof(
		withNul,
		fc.string({ minLength: max + 1, maxLength: max + 50 }),
		fc.integer(),
		fc.boolean(),
		fc.array(fc.string(), { maxLength: 2 }),
		fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 2 }),
	);

const hostileItemValue = (collection: string, field: string): fc.Arbitrary<unknown> => {
	switch (field) {
		case "id":
			return fc.oneof(badId, fc.constant(undefined));
		case "createdAt":
			return badCreatedAt;
		case "name":
		case "email":
		case "nick":
			return badText(512);
		case "reason":
			return badText(4096);
		case "type":
			return fc.oneof(
				fc.constant(""),
				fc.string({ minLength: 65, maxLength: 100 }),
				withNul,
				fc.integer(),
				fc.constant(null),
			);
		case "tokens":
			return badInteger(0, 2_147_483_647);
		case "value":
			return fc.oneof(badInteger(-100, 100), fc.constant(undefined));
		case "action":
			return fc.oneof(
				fc.string(),
				fc.integer(),
				fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
				fc.record({ type: badText(256) }),
				fc.record({ name: badText(256) }),
			);
		default: {
			// Parents: a malformed ID or one the account does not have; required ones may also be left out.
			const required = (collection === "messages" && field === "conversationId") || collection === "records";
			return required
				? fc.oneof(badId, missingParent, fc.constant(undefined))
				: fc.oneof(
						badId.filter((value) => value !== null),
						missingParent,
					);
		}
	}
};

/** One ingest item with one hostile field (and perhaps junk keys), or something that is not an item at all. */
const hostileItem = fc.constantFrom(...ingestCollections).chain((collection) =>
	fc.oneof(
		{
			weight: 10,
			arbitrary: fc.constantFrom(...(collectionFields[collection] ?? [])).chain((field) =>
				fc.record({
					collection: fc.constant(collection),
					field: fc.constant<string | null>(field),
					item: fc.tuple(hostileItemValue(collection, field), junkEntries, validId).map(([value, junk, id]) => {
						const item = validItem(collection, `new-${id}`.slice(0, 64));
						delete item[field];
						const entries: Array<readonly [string, unknown]> = [...junk, ...Object.entries(item)];
						if (value !== undefined) entries.push([field, value]);
						return new Entries(entries) as unknown;
					}),
				}),
			),
		},
		{
			weight: 1,
			arbitrary: fc.record({
				collection: fc.constant(collection),
				field: fc.constant<string | null>(null),
				item: notJsonObjects as fc.Arbitrary<unknown>,
			}),
		},
	),
);

// ---------------------------------------------------------------------------------------------------------------
// Setup: a small account whose data every property must leave untouched.

beforeAll(async () => {
	// Hundreds of wrong tokens from one address: the throttle of failed authentication has its own test below.
	server = await startTestServer({
		adminToken: "admin-token-for-hostile-tests-0123456789",
		authThrottle: { failuresPerMinute: 1_000_000, burst: 1_000_000 },
	});
	token = (await server.createAccount("Target")).token;
	const seeded = await call(server.baseUrl, "/api/v1/ingest", {
		token,
		body: {
			contacts: [
				{ id: "c1", name: "Ada" },
				{ id: "c2", email: "bob@example.com" },
			],
			bots: [{ id: "b1", name: "Support" }],
			datasets: [{ id: "d1", name: "Docs" }],
			skillsets: [{ id: "s1" }],
			conversations: [
				{ id: "cv1", botId: "b1", contactId: "c1" },
				{ id: "cv2", botId: "b1", contactId: "c2" },
			],
			messages: [
				{ id: "m1", conversationId: "cv1", type: "user", tokens: 4 },
				{ id: "m2", conversationId: "cv1", type: "bot", tokens: 9 },
				{ id: "m3", conversationId: "cv2", type: "activity", action: { type: "tool", name: "search" } },
			],
			ratings: [{ id: "rt1", value: -1, botId: "b1", conversationId: "cv1", messageId: "m2", contactId: "c1" }],
			records: [{ id: "r1", datasetId: "d1" }],
			abilities: [{ id: "a1", skillsetId: "s1" }],
			files: [{ id: "f1" }],
		},
	});
	expect(seeded.status).toBe(200);
	expect(seeded.json.errors).toEqual([]);
	baseline = await fingerprint();
	expect(baseline.find((row) => row.name === "message")?.rows).toBe(3);
}, 120_000);

afterAll(async () => {
	await server?.close();
});

/** The first result of the batch's live form (`Accept: text/event-stream`), then the stream is closed. */
const firstLiveResult = async (body: string): Promise<unknown> => {
	const abort = new AbortController();
	const response = await fetchRetryingStaleSockets(`${server.baseUrl}/api/v1/platform/report/generate`, {
		method: "POST",
		headers: { authorization: `Bearer ${token}`, accept: "text/event-stream", "content-type": "application/json" },
		body,
		signal: abort.signal,
	});
	expect(response.status).toBe(200);
	const stream = readStream(response);
	const [first] = await stream.until(1);
	abort.abort();
	expect(first?.event).toBe("result");
	return JSON.parse(first?.data ?? "null");
};

describe("hostile report inputs", () => {
	it("answers a hostile value of any known field with 400 naming it, on REST single (JSON or CSV), REST batch and tRPC", async () => {
		await fc.assert(
			fc.asyncProperty(hostileReportInput, async ({ report, field, value, junk }) => {
				const body = toJson(inputBody(report, field, value, junk));
				const single = await send(`/api/v1/platform/report/${report.id}/generate`, { body });
				// A botId of the right shape that is not in the account is 404; everything else is 400.
				const notFound = field === "botId" && typeof value === "string" && idPattern.test(value);
				expectRestError(single, notFound ? { code: "NOT_FOUND" } : { code: "BAD_REQUEST", field });
				// Asked for CSV, the same error, in JSON.
				const csv = await send(`/api/v1/platform/report/${report.id}/generate`, {
					body,
					headers: { accept: "text/csv" },
				});
				expectRestError(csv);
				expect(csv.text).toBe(single.text);

				const batch = await send("/api/v1/platform/report/generate", {
					body: `{${JSON.stringify(report.id)}:${body},${JSON.stringify(ReportIds.TotalContacts)}:{}}`,
				});
				expectJsonAnswer(batch);
				expect(batch.status).toBe(200);
				expect(batch.json?.[report.id]).toEqual({ error: single.json?.message, code: single.json?.code });
				expect(batch.json?.[ReportIds.TotalContacts]).toEqual({ value: 2, period: "all time" });

				const trpc = await send(`/trpc/reports.${procedureNameById.get(report.id)}`, { body });
				expectTrpcError(trpc, { code: single.json?.code as string });
				expect((trpc.json?.error as { message?: string } | undefined)?.message).toBe(single.json?.message);
			}),
			{ seed: SEED, numRuns: 250 },
		);
		await expectDataUnchanged();
		// 1,000 requests: a bound for a machine shared with other suites, not a speed check.
	}, 240_000);

	it("answers a hostile batch in the live form (Accept: text/event-stream) exactly as the plain batch first", async () => {
		await fc.assert(
			fc.asyncProperty(hostileReportInput, async ({ report, field, value, junk }) => {
				const input = toJson(inputBody(report, field, value, junk));
				const body = `{${JSON.stringify(report.id)}:${input},${JSON.stringify(ReportIds.TotalContacts)}:{}}`;
				const batch = await send("/api/v1/platform/report/generate", { body });
				expect(batch.status).toBe(200);
				expect(await firstLiveResult(body)).toEqual(batch.json);
			}),
			{ seed: SEED, numRuns: 40 },
		);
		await expectDataUnchanged();
	});

	it("answers explicit windows at the edges of the calendar on every period report: 200 inside, 400 outside", async () => {
		const periodReports = reports.filter((report) => fieldsOf(report).includes("startDate"));
		const cases = [
			{ window: { startDate: "9999-12-01", endDate: "9999-12-30" }, status: 200 },
			{ window: { startDate: "1000-01-01", endDate: "1000-12-31", granularity: "month" }, status: 200 },
			{ window: { startDate: "9999-12-01", endDate: "9999-12-31" }, status: 400, field: "endDate" },
			{ window: { startDate: "0999-12-31", endDate: "1000-01-05" }, status: 400, field: "startDate" },
			{ window: { startDate: "0100-01-01", endDate: "0100-01-31" }, status: 400, field: "startDate" },
		];
		for (const report of periodReports) {
			for (const { window: edge, status, field } of cases) {
				const body = JSON.stringify({ ...validInput(report), ...edge });
				const answer = await send(`/api/v1/platform/report/${report.id}/generate`, { body });
				expect(answer.status, `${report.name} ${body}: ${answer.text.slice(0, 200)}`).toBe(status);
				if (field !== undefined) expectRestError(answer, { code: "BAD_REQUEST", field });
			}
		}
	});

	it("ignores unknown keys, __proto__ and constructor included: the result equals the plain input's", async () => {
		const plain = new Map<string, unknown>();
		for (const report of reports) {
			const answer = await send(`/api/v1/platform/report/${report.id}/generate`, { body: toJson(validInput(report)) });
			expect(answer.status, report.name).toBe(200);
			plain.set(report.id, answer.json);
		}
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...reports), junkEntries, async (report, junk) => {
				const body = toJson(new Entries([...junk, ...Object.entries(validInput(report))]));
				const answer = await send(`/api/v1/platform/report/${report.id}/generate`, { body });
				expect(answer.status, describeAnswer(answer)).toBe(200);
				expect(answer.json).toEqual(plain.get(report.id));
			}),
			{ seed: SEED, numRuns: 150 },
		);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.prototype).not.toHaveProperty("granularity");
	});

	it("answers a hostile X-Timezone header with 400 naming timezone", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc
					.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.constantFrom("Mars/Olympus", "UTC+25", "../x"))
					.map((text) => text.replace(/[^\x21-\x7e]/g, "x"))
					.filter((text) => !isValidTimeZone(text)),
				async (timezone) => {
					const answer = await send(`/api/v1/platform/report/${ReportIds.TotalRatings}/generate`, {
						body: "{}",
						headers: { "x-timezone": timezone },
					});
					expectRestError(answer, { code: "BAD_REQUEST", field: "timezone" });
				},
			),
			{ seed: SEED, numRuns: 100 },
		);
	});

	it("answers a batch that is not an object of at most 50 IDs with 400, and unknown IDs inside it per key", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					notJsonObjects.map(toJson),
					fc
						.array(validId, { minLength: 51, maxLength: 80 })
						.map((ids) => toJson(new Entries(ids.map((id, index) => [`${id}${index}`, {}])))),
				),
				async (body) => {
					expectRestError(await send("/api/v1/platform/report/generate", { body }), { code: "BAD_REQUEST" });
				},
			),
			{ seed: SEED, numRuns: 100 },
		);
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.oneof(junkKey, validId), { minLength: 1, maxLength: 5 }),
				junkValue,
				async (ids, input) => {
					const unknown = ids.filter((id) => !(reports as ReadonlyArray<{ id: string }>).some((r) => r.id === id));
					const answer = await send("/api/v1/platform/report/generate", {
						body: toJson(new Entries(unknown.map((id) => [id, input]))),
					});
					expectJsonAnswer(answer);
					expect(answer.status).toBe(200);
					for (const id of new Set(unknown)) {
						expect(Object.hasOwn(answer.json ?? {}, id), id).toBe(true);
						expect(answer.json?.[id]).toEqual({ error: "Report not found", code: "NOT_FOUND" });
					}
				},
			),
			{ seed: SEED, numRuns: 100 },
		);
	});
});

describe("hostile ingest bodies", () => {
	it("rejects each hostile item alone, naming its field, and stores nothing of it", async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(hostileItem, { minLength: 1, maxLength: 6 }), async (items) => {
				const body: Record<string, Array<unknown>> = {};
				for (const { collection, item } of items) body[collection] = [...(body[collection] ?? []), item];
				const answer = await send("/api/v1/ingest", { body: toJson(body) });
				expectJsonAnswer(answer);
				expect(answer.status, describeAnswer(answer)).toBe(200);
				const result = answer.json as {
					inserted: Record<string, number>;
					errors: Array<{ collection: string; index: number; code: string; message: string }>;
				};
				expect(
					Object.values(result.inserted).every((count) => count === 0),
					answer.text,
				).toBe(true);
				expect(result.errors).toHaveLength(items.length);
				for (const [collection, list] of Object.entries(body)) {
					const ofCollection = items.filter((entry) => entry.collection === collection);
					list.forEach((_, index) => {
						const error = result.errors.find((entry) => entry.collection === collection && entry.index === index);
						expect(error, `${collection}[${index}] ${answer.text}`).toBeDefined();
						expect(["BAD_REQUEST", "NOT_FOUND"]).toContain(error?.code);
						const field = ofCollection[index]?.field;
						if (field !== null && field !== undefined && error?.code === "BAD_REQUEST") {
							expect(error.message, answer.text).toContain(field);
						}
					});
				}
				await expectDataUnchanged();
			}),
			{ seed: SEED, numRuns: 300 },
		);
	});

	it("rejects a body that is not an object of known collections holding arrays with 400 naming the key", async () => {
		const hostileBody = fc.oneof(
			notJsonObjects.map((value) => ({ body: toJson(value), field: undefined as string | undefined })),
			fc
				.tuple(
					junkKey.filter((key) => !(ingestCollections as ReadonlyArray<string>).includes(key)),
					junkValue,
				)
				.map(([key, value]) => ({ body: toJson(new Entries([[key, value]])), field: key })),
			fc
				.tuple(
					fc.constantFrom(...ingestCollections),
					fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()),
				)
				.map(([key, value]) => ({ body: toJson(new Entries([[key, value]])), field: key })),
		);
		await fc.assert(
			fc.asyncProperty(hostileBody, async ({ body, field }) => {
				const answer = await send("/api/v1/ingest", { body });
				expectRestError(answer, { code: "BAD_REQUEST", ...(field ? { field } : {}) });
				const trpc = await send("/trpc/ingest.batch", { body });
				expectTrpcError(trpc, { code: "BAD_REQUEST" });
				await expectDataUnchanged();
			}),
			{ seed: SEED, numRuns: 150 },
		);
	});

	it("rejects text with a NUL character item by item, storing the rest of the batch (no 503)", async () => {
		const answer = await send("/api/v1/ingest", {
			body: JSON.stringify({
				contacts: [
					{ id: "nul-contact", name: "a\u0000b" },
					{ id: "fine-contact", name: "Fine" },
				],
				messages: [{ id: "nul-message", conversationId: "cv1", type: "user\u0000" }],
			}),
		});
		expect(answer.status, describeAnswer(answer)).toBe(200);
		const result = answer.json as { inserted: Record<string, number>; errors: Array<Record<string, unknown>> };
		expect(result.inserted.contacts).toBe(1);
		expect(result.inserted.messages).toBe(0);
		expect(result.errors).toEqual([
			expect.objectContaining({ collection: "contacts", index: 0, id: "nul-contact", code: "BAD_REQUEST" }),
			expect.objectContaining({ collection: "messages", index: 0, id: "nul-message", code: "BAD_REQUEST" }),
		]);
		expect(result.errors[0]?.message).toMatch(/^name: .*NUL/);
		expect(result.errors[1]?.message).toMatch(/^type: .*NUL/);
		const erased = await send("/api/v1/ingest/delete", { body: JSON.stringify({ contacts: ["fine-contact"] }) });
		expect(erased.status).toBe(200);
		await expectDataUnchanged();
	});

	it("stores a batch sent 8 times at once (racing retries) exactly once", async () => {
		const body = JSON.stringify({
			contacts: Array.from({ length: 20 }, (_, index) => ({ id: `race-c${index}` })),
			conversations: Array.from({ length: 20 }, (_, index) => ({
				id: `race-cv${index}`,
				botId: "b1",
				contactId: `race-c${index}`,
			})),
			messages: Array.from({ length: 60 }, (_, index) => ({
				id: `race-m${index}`,
				conversationId: `race-cv${index % 20}`,
				type: "user",
			})),
		});
		const answers = await Promise.all(Array.from({ length: 8 }, () => send("/api/v1/ingest", { body })));
		expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
		const total = (collection: string, key: "inserted" | "duplicates") =>
			answers.reduce(
				(sum, answer) => sum + ((answer.json?.[key] as Record<string, number> | undefined)?.[collection] ?? 0),
				0,
			);
		for (const [collection, count] of [
			["contacts", 20],
			["conversations", 20],
			["messages", 60],
		] as const) {
			expect(total(collection, "inserted"), collection).toBe(count);
			expect(total(collection, "duplicates"), collection).toBe(7 * count);
		}
		const stored = await server.runtime.runPromise(
			Database.use((database) =>
				database.query<{ n: number }>("SELECT count(*)::int AS n FROM message WHERE id LIKE 'race-m%'"),
			),
		);
		expect(stored[0]?.n).toBe(60);
		const erased = await send("/api/v1/ingest/delete", {
			body: JSON.stringify({ contacts: Array.from({ length: 20 }, (_, index) => `race-c${index}`) }),
		});
		expect(erased.status).toBe(200);
		await expectDataUnchanged();
	});

	it("rejects more than 10,000 items in one request as a whole", async () => {
		const items = Array.from({ length: 10_001 }, (_, index) => ({ id: `bulk-${index}` }));
		const answer = await send("/api/v1/ingest", { body: JSON.stringify({ contacts: items }) });
		expectRestError(answer, { code: "BAD_REQUEST", field: "10000" });
		await expectDataUnchanged();
	});

	it("stores an ID repeated inside one batch exactly once, and an existing ID not at all", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom("contacts", "bots", "datasets", "skillsets", "files", "conversations", "records"),
				validId,
				fc.integer({ min: 2, max: 5 }),
				async (collection, id, copies) => {
					const freshId = `dup-${id}`.slice(0, 64);
					const items = Array.from({ length: copies }, (_, copy) => ({
						...validItem(collection, freshId),
						createdAt: 1_700_000_000_000 + copy,
					}));
					const existingIds: Record<string, string> = {
						contacts: "c1",
						bots: "b1",
						datasets: "d1",
						skillsets: "s1",
						files: "f1",
						conversations: "cv1",
						records: "r1",
					};
					const existing = { ...validItem(collection, existingIds[collection]!), createdAt: 1_600_000_000_000 };
					const answer = await send("/api/v1/ingest", { body: JSON.stringify({ [collection]: [...items, existing] }) });
					expect(answer.status, describeAnswer(answer)).toBe(200);
					const result = answer.json as { inserted: Record<string, number>; duplicates: Record<string, number> };
					expect(result.inserted[collection]).toBe(1);
					expect(result.duplicates[collection]).toBe(copies);
					const table = collection.replace(/s$/, "");
					const stored = await server.runtime.runPromise(
						Database.use((database) =>
							database.query<{ n: number; created: Date }>(
								`SELECT count(*)::int AS n, min(created_at) AS created FROM "${table}" WHERE id = $1`,
								[freshId],
							),
						),
					);
					expect(stored[0]?.n).toBe(1);
					// The first copy wins.
					expect(new Date(stored[0]!.created).getTime()).toBe(1_700_000_000_000);
					const erased = await send("/api/v1/ingest/delete", { body: JSON.stringify({ [collection]: [freshId] }) });
					expect(erased.status).toBe(200);
					await expectDataUnchanged();
				},
			),
			{ seed: SEED, numRuns: 60 },
		);
	});
});

describe("hostile delete bodies", () => {
	it("rejects a body that is not an object of known collections holding valid ID lists with 400, deleting nothing", async () => {
		const hostileBody = fc.oneof(
			notJsonObjects.map((value) => ({ body: toJson(value), field: undefined as string | undefined })),
			fc
				.tuple(
					junkKey.filter((key) => !(ingestCollections as ReadonlyArray<string>).includes(key)),
					junkValue,
				)
				.map(([key, value]) => ({
					body: toJson(
						new Entries([
							[key, ["c1"]],
							[key, value],
						]),
					),
					field: key,
				})),
			fc
				.tuple(
					fc.constantFrom(...ingestCollections),
					fc.oneof(
						fc.string(),
						fc.integer(),
						fc.object(),
						fc.tuple(fc.constantFrom("c1", "cv1", "b1"), badId).map(([good, bad]) => [good, bad]),
					),
				)
				.map(([key, value]) => ({ body: toJson(new Entries([[key, value]])), field: key })),
			fc
				.constantFrom(...ingestCollections)
				.map((key) => ({ body: toJson({ [key]: Array.from({ length: 10_001 }, () => "c1") }), field: key })),
		);
		await fc.assert(
			fc.asyncProperty(hostileBody, async ({ body, field }) => {
				const answer = await send("/api/v1/ingest/delete", { body });
				expectRestError(answer, { code: "BAD_REQUEST", ...(field ? { field } : {}) });
				const trpc = await send("/trpc/ingest.delete", { body });
				expectTrpcError(trpc, { code: "BAD_REQUEST" });
				await expectDataUnchanged();
			}),
			{ seed: SEED, numRuns: 150 },
		);
	});

	it("deletes nothing for valid IDs the account does not have", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.dictionary(
					fc.constantFrom(...ingestCollections),
					fc.array(
						validId.filter((id) => !/^(c|b|d|s|cv|m|rt|r|a|f)\d$/.test(id)),
						{ maxLength: 5 },
					),
				),
				async (request) => {
					const answer = await send("/api/v1/ingest/delete", { body: JSON.stringify(request) });
					expect(answer.status, describeAnswer(answer)).toBe(200);
					const deleted = (answer.json as { deleted: Record<string, number> }).deleted;
					expect(Object.values(deleted).every((count) => count === 0)).toBe(true);
					await expectDataUnchanged();
				},
			),
			{ seed: SEED, numRuns: 100 },
		);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP

const endpoints = [
	{ path: `/api/v1/platform/report/${ReportIds.TotalRatings}/generate`, surface: "rest" },
	{ path: "/api/v1/platform/report/generate", surface: "rest" },
	{ path: "/api/v1/ingest", surface: "rest" },
	{ path: "/api/v1/ingest/delete", surface: "rest" },
	{ path: "/v1/ingest", surface: "rest" },
	{ path: "/trpc/reports.totalRatings", surface: "trpc" },
	{ path: "/trpc/reports.generate", surface: "trpc" },
	{ path: "/trpc/ingest.batch", surface: "trpc" },
	{ path: "/trpc/ingest.delete", surface: "trpc" },
] as const;

/** A tRPC report procedure (a query: GET allowed, input optional). */
const isReportQuery = (path: string) => path.startsWith("/trpc/reports.") && path !== "/trpc/reports.generate";

const deeplyNested = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;

/** Bytes that are not a JSON object: broken, truncated, non-object, binary, deeply nested or empty. */
const malformedBody = fc.oneof(
	fc.string({ maxLength: 200 }).filter((text) => {
		try {
			const value = JSON.parse(text) as unknown;
			return typeof value !== "object" || value === null || Array.isArray(value);
		} catch {
			return true;
		}
	}),
	fc.jsonValue({ maxDepth: 3 }).map((value) => {
		const text = JSON.stringify({ contacts: [value] });
		return text.slice(0, Math.max(1, text.length - 1));
	}),
	fc.constantFrom(
		"",
		" ",
		"\n\t",
		"null",
		"[]",
		"42",
		'"text"',
		"{",
		"}",
		'{"a":1,}',
		"{'a':1}",
		'{"a":NaN}',
		'{"a":Infinity}',
		'{"a":undefined}',
		"\uFEFF{}",
		'{"a":1}garbage',
		'{"a":"\\ud800"',
		deeplyNested(100_000, "[", "]"),
		"<html><body>hi</body></html>",
		"a=1&b=2",
	),
	// Raw bytes, invalid UTF-8 included, sent as they are.
	fc
		.oneof(
			fc.uint8Array({ minLength: 1, maxLength: 64 }),
			fc.constantFrom(new Uint8Array([0xc3, 0x28]), new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), new Uint8Array([0])),
		)
		.filter((bytes) => {
			try {
				const value = JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
				return typeof value !== "object" || value === null || Array.isArray(value);
			} catch {
				return true;
			}
		}),
);

const contentTypes = fc.constantFrom(
	"application/json",
	"application/json; charset=utf-8",
	"application/json; charset=latin1",
	"text/plain",
	"text/html",
	"application/x-www-form-urlencoded",
	"multipart/form-data; boundary=x",
	"application/xml",
	null,
);

describe("raw HTTP", () => {
	it("answers malformed, non-object, binary and deeply nested bodies with a 4xx JSON error, storing nothing", async () => {
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...endpoints), malformedBody, contentTypes, async (endpoint, body, type) => {
				const answer = await send(endpoint.path, { body, contentType: type });
				if (endpoint.surface === "rest") expectRestError(answer);
				else if (
					typeof body === "string" &&
					body.trim() === "" &&
					isReportQuery(endpoint.path) &&
					answer.status === 200
				) {
					// A tRPC query without a body is a call without input: the report's defaults.
					expectJsonAnswer(answer);
				} else expectTrpcError(answer);
				await expectDataUnchanged();
			}),
			{ seed: SEED, numRuns: 400 },
		);
	});

	it("takes report calls over tRPC up to the REST limit, ingest up to 10 MiB, and closes after a 413", async () => {
		const padded = (bytes: number) => JSON.stringify({ padding: "x".repeat(bytes) });
		const post = (path: string, body: string) =>
			fetch(`${server.baseUrl}${path}`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
				body,
			});
		const report = await post("/trpc/reports.totalContacts", padded(300 * 1024));
		expect(report.status).toBe(413);
		expect(report.headers.get("connection")).toBe("close");
		expect(await report.json()).toEqual({ message: "Report calls take at most 256 KiB", code: "CONTENT_TOO_LARGE" });
		expect((await post("/trpc/reports.totalContacts", padded(200 * 1024))).status).toBe(200);
		// Ingest is not a report call: the same size is read (and refused item by item, not for its size).
		const ingest = await post(
			"/trpc/ingest.batch",
			JSON.stringify({ contacts: [{ id: "c1", name: "x".repeat(300 * 1024) }] }),
		);
		expect(ingest.status).toBe(200);
	});

	it("answers what is not HTTP, and headers past Node's limit, with a JSON error body", async () => {
		const { port } = new URL(server.baseUrl);
		const raw = (request: string) =>
			new Promise<string>((resolve, reject) => {
				const socket = net.connect(Number(port), "127.0.0.1", () => socket.write(request));
				let answer = "";
				socket.on("data", (chunk) => {
					answer += chunk.toString();
				});
				socket.on("end", () => resolve(answer));
				socket.on("error", reject);
			});
		const garbage = await raw("NOT HTTP AT ALL\r\n\r\n");
		expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
		expect(JSON.parse(garbage.split("\r\n\r\n")[1]!)).toEqual({ message: expect.any(String), code: "BAD_REQUEST" });
		const huge = await raw(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-padding: ${"a".repeat(20_000)}\r\n\r\n`);
		expect(huge).toMatch(/^HTTP\/1\.1 431 /);
		expect(huge).toContain("content-type: application/json");
		expect(JSON.parse(huge.split("\r\n\r\n")[1]!).code).toBe("BAD_REQUEST");
	});

	it("survives deeply nested JSON: 400 where it is a value of a known field or an ingest key, ignored elsewhere", async () => {
		for (const depth of [1_000, 50_000]) {
			const nestedObject = deeplyNested(depth, '{"a":', "}");
			const nestedArray = deeplyNested(depth, "[", "]");
			for (const endpoint of endpoints) {
				const answer = await send(endpoint.path, { body: nestedObject });
				expectJsonAnswer(answer);
				if (endpoint.path.includes("ingest")) {
					if (endpoint.surface === "rest") expectRestError(answer, { code: "BAD_REQUEST", field: "a" });
					else expectTrpcError(answer, { code: "BAD_REQUEST" });
				}
			}
			const asField = await send(`/api/v1/platform/report/${ReportIds.TotalRatings}/generate`, {
				body: `{"periodDays":${nestedArray}}`,
			});
			expectRestError(asField, { code: "BAD_REQUEST", field: "periodDays" });
			const asItem = await send("/api/v1/ingest", { body: `{"contacts":[{"id":"deep","name":${nestedObject}}]}` });
			expect(asItem.status).toBe(200);
			expect((asItem.json as { errors: Array<{ message: string }> }).errors[0]?.message).toContain("name");
		}
		await expectDataUnchanged();
	});

	it("answers a JSON object with any content type by the same rules (the REST surface reads JSON regardless)", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...endpoints.filter((endpoint) => endpoint.surface === "rest")),
				contentTypes,
				async (endpoint, type) => {
					const answer = await send(endpoint.path, { body: '{"contacts":"not-a-list"}', contentType: type });
					expectJsonAnswer(answer);
					expect(answer.status).toBeLessThan(500);
					await expectDataUnchanged();
				},
			),
			{ seed: SEED, numRuns: 60 },
		);
	});

	it("answers wrong methods, unknown paths and malformed path segments with a 405, 404 or 400 JSON error", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "POST"),
				fc.oneof(
					fc.constantFrom(...endpoints.map((endpoint) => endpoint.path)),
					fc.constantFrom(
						"/api/v1/platform/report/%E0%A4%A/generate",
						"/api/v1/platform/report/..%2F..%2Fetc/generate",
						"/api/v1/platform/report/%00/generate",
						"/api/v2/ingest",
						"/api//v1//ingest",
						`/api/v1/platform/report/${"x".repeat(5_000)}/generate`,
						"/trpc/reports.noSuchReport",
						"/trpc/__proto__",
						"/trpc/constructor",
						"/api/v1/admin/__proto__",
					),
					fc.webPath().map((path) => `/api/v1/${path}`),
				),
				async (method, path) => {
					const answer = await send(path, { method, ...(method === "GET" ? {} : { body: "{}" }) });
					if (answer.status === 200) {
						// Only the real routes with the right method (and a valid empty input) may succeed; a tRPC report
						// query may also be a GET.
						expect(endpoints.map((endpoint) => endpoint.path)).toContain(path);
						expect(method === "POST" || (method === "GET" && isReportQuery(path)), `${method} ${path}`).toBe(true);
						return;
					}
					expectJsonAnswer(answer);
					if (path.startsWith("/trpc")) expectTrpcError(answer);
					else expectRestError(answer);
					await expectDataUnchanged();
				},
			),
			{ seed: SEED, numRuns: 200 },
		);
	});

	it("answers a CSV export whose body, path, method or token is wrong with a JSON error naming the problem", async () => {
		const csv = { accept: "text/csv" };
		const path = `/api/v1/platform/report/${ReportIds.TotalMessages}/generate`;
		const cases: ReadonlyArray<{ answer: Promise<Answer>; code: string; mentions: RegExp }> = [
			{ answer: send(path, { body: "{not json", headers: csv }), code: "BAD_REQUEST", mentions: /not valid JSON/ },
			{ answer: send(path, { body: "[1,2]", headers: csv }), code: "BAD_REQUEST", mentions: /JSON object/ },
			{ answer: send(path, { body: '{"periodDays":"7"}', headers: csv }), code: "BAD_REQUEST", mentions: /periodDays/ },
			{
				answer: send(path, { body: "x".repeat(300 * 1024), headers: csv }),
				code: "CONTENT_TOO_LARGE",
				mentions: /256 KiB/,
			},
			{ answer: send(path, { method: "GET", headers: csv }), code: "METHOD_NOT_ALLOWED", mentions: /POST/ },
			{
				answer: send("/api/v1/platform/report/%E0%A4%A/generate", { body: "{}", headers: csv }),
				code: "BAD_REQUEST",
				mentions: /reportId/,
			},
			{
				answer: send("/api/v1/platform/report/nope/generate", { body: "{}", headers: csv }),
				code: "NOT_FOUND",
				mentions: /Report not found/,
			},
			{ answer: send(path, { body: "{}", headers: csv, token: "forged" }), code: "NOT_AUTHENTICATED", mentions: /./ },
		];
		for (const { answer, code, mentions } of cases) {
			const result = await answer;
			expectRestError(result, { code });
			expect(result.json?.message, describeAnswer(result)).toMatch(mentions);
		}
		await expectDataUnchanged();
	});

	it("answers hostile catalogue paging parameters with 200 or a 400 naming the parameter", async () => {
		const parameter = fc.oneof(
			fc.string({ maxLength: 20 }),
			fc.constantFrom("0", "-1", "101", "1.5", "1e400", "NaN", "Infinity", "0x10", "__proto__", "constructor", ""),
		);
		await fc.assert(
			fc.asyncProperty(
				fc.record({ take: parameter, order: parameter, cursor: parameter }, { requiredKeys: [] }),
				async (query) => {
					const search = new URLSearchParams(query as Record<string, string>).toString();
					const answer = await send(`/api/v1/platform/report/list?${search}`, { method: "GET" });
					expectJsonAnswer(answer);
					if (answer.status !== 200) {
						expectRestError(answer, { code: "BAD_REQUEST" });
						expect(answer.json?.message).toMatch(/take|order|cursor/);
					}
				},
			),
			{ seed: SEED, numRuns: 150 },
		);
	});

	it("answers a hostile drill-down field with 400 naming it, over REST (query string) and tRPC (JSON)", async () => {
		const valid = { start: window.startDate + "T00:00:00Z", end: `${window.endDate}T00:00:00+01:00` };
		// A cursor this API could have returned: epoch milliseconds, a dot, an id.
		const cursorShape = /^-?\d+\.[A-Za-z0-9_-]{1,64}$/;
		const text = (maxLength: number) => fc.string({ minLength: 1, maxLength });
		const instants = fc.oneof(
			fc.constantFrom(
				"2024-01-01",
				"2024-01-01T00:00:00",
				"2024-01-01 00:00:00Z",
				"yesterday",
				"0000-01-01T00:00:00Z",
				"0001-01-01T00:00:00+01:00",
				"9999-12-31T23:59:59-01:00",
				"10000-01-01T00:00:00Z",
				"+275760-09-13T00:00:00Z",
				"2024-13-01T00:00:00Z",
				" 2024-01-01T00:00:00Z",
			),
			text(40).filter((value) => !/^\d{4}-\d{2}-\d{2}T/.test(value)),
		);
		const hostile: Record<string, fc.Arbitrary<string>> = {
			start: instants,
			end: fc.oneof(instants, fc.constant(valid.start), fc.constant("2000-01-01T00:00:00Z")),
			take: fc.constantFrom("0", "101", "-1", "1.5", "1e2", "abc", "NaN", "Infinity", "0x10", " 5", "9".repeat(30)),
			rating: text(10).filter((value) => value !== "up" && value !== "down"),
			cursor: fc.oneof(
				fc.constantFrom("0.", ".abc", "1.a b", "99999999999999999.x", "1.ä", `1.${"x".repeat(65)}`, "x".repeat(201)),
				text(60).filter((value) => !cursorShape.test(value)),
			),
			botId: text(80).filter((value) => !idPattern.test(value)),
			contactId: text(80).filter((value) => !idPattern.test(value)),
		};
		await fc.assert(
			fc.asyncProperty(
				fc
					.constantFrom(...Object.keys(hostile))
					.chain((field) => fc.record({ field: fc.constant(field), value: hostile[field]! })),
				async ({ field, value }) => {
					const query = { ...valid, [field]: value };
					const rest = await send(`/api/v1/conversations?${new URLSearchParams(query)}`, { method: "GET" });
					expectRestError(rest, { code: "BAD_REQUEST", field });
					// tRPC takes the JSON value as it is: `take` a number when the REST adapter would read one.
					const input = field === "take" && /^\d+$/.test(value) ? { ...query, take: Number(value) } : query;
					const trpc = await send("/trpc/conversations.list", { body: JSON.stringify(input) });
					expectTrpcError(trpc, { code: "BAD_REQUEST", field });
				},
			),
			{ seed: SEED, numRuns: 150 },
		);
		for (const value of [null, 7, true, ["up"], { $gt: "" }]) {
			for (const field of Object.keys(hostile)) {
				if (field === "take" && value === 7) continue;
				const trpc = await send("/trpc/conversations.list", { body: toJson({ ...valid, [field]: value }) });
				expectTrpcError(trpc, { code: "BAD_REQUEST", field });
			}
		}
		// The valid query itself lists the seeded conversations.
		const plain = await send(
			`/api/v1/conversations?${new URLSearchParams({ start: "2000-01-01T00:00:00Z", end: "9999-01-01T00:00:00Z" })}`,
			{
				method: "GET",
			},
		);
		expect(plain.status, plain.text).toBe(200);
		const items = (plain.json?.items ?? []) as Array<{ id: string }>;
		expect(items.map((item) => item.id).sort()).toEqual(["cv1", "cv2"]);
		await expectDataUnchanged();
	});

	it("answers tRPC batch calls with hostile bodies without a 5xx", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(
					"/trpc/reports.totalRatings,ingest.batch?batch=1",
					"/trpc/ingest.delete,reports.generate?batch=1",
					"/trpc/reports.botStats,__proto__?batch=1",
				),
				fc.oneof(
					malformedBody,
					fc.tuple(hostileReportInput, fc.jsonValue({ maxDepth: 2 })).map(([{ report, field, value, junk }, other]) =>
						toJson(
							new Entries([
								["0", inputBody(report, field, value, junk)],
								["1", other],
							]),
						),
					),
				),
				async (pathname, body) => {
					const answer = await send(pathname, { body });
					expect(answer.status, describeAnswer(answer)).toBeLessThan(500);
					expect(answer.contentType).toMatch(/^application\/json/);
					expect(answer.json, answer.text.slice(0, 200)).toBeDefined();
					expect(answer.text).not.toContain("INTERNAL_SERVER_ERROR");
					await expectDataUnchanged();
				},
			),
			{ seed: SEED, numRuns: 150 },
		);
	});

	it("answers hostile Authorization headers with 401 before touching the body", async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.string({ maxLength: 300 }).map((text) => text.replace(/[^\x20-\x7e]/g, "x")),
					fc.string({ maxLength: 100 }).map((text) => `Bearer ${text.replace(/[^\x21-\x7e]/g, "y")}`),
					fc.constantFrom("Bearer", "Bearer ", "Basic dXNlcjpwYXNz", `Bearer ${"t".repeat(8_000)}`, `Bearer ${token}x`),
				),
				fc.constantFrom(...endpoints),
				async (authorization, endpoint) => {
					const answer = await send(endpoint.path, {
						token: null,
						headers: { authorization },
						body: JSON.stringify({ contacts: [{ id: "never-stored" }] }),
					});
					if (endpoint.surface === "rest") expectRestError(answer, { code: "NOT_AUTHENTICATED" });
					else expectTrpcError(answer, { code: "NOT_AUTHENTICATED" });
					await expectDataUnchanged();
				},
			),
			{ seed: SEED, numRuns: 150 },
		);
	});
});

describe("protection", () => {
	it("sets the security headers on successes and on every kind of error", async () => {
		const answers = await Promise.all([
			fetch(`${server.baseUrl}/api/v1/platform/report/list`, { headers: { authorization: `Bearer ${token}` } }),
			fetch(`${server.baseUrl}/api/v1/platform/report/list`),
			fetch(`${server.baseUrl}/nowhere`),
			fetch(`${server.baseUrl}/api/v1/ingest`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}` },
				body: "{",
			}),
			fetch(`${server.baseUrl}/trpc/reports.totalContacts`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
				body: "{}",
			}),
			fetch(`${server.baseUrl}/trpc/reports.totalContacts`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}`, "content-type": "text/xml" },
				body: "<a/>",
			}),
			fetch(`${server.baseUrl}/healthz`),
		]);
		expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 400, 200, 415, 200]);
		for (const answer of answers) {
			expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
			expect(answer.headers.get("x-frame-options")).toBe("DENY");
			expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
			expect(answer.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
			expect(answer.headers.get("cache-control")).toBe("no-store");
			expect(answer.headers.get("x-powered-by")).toBeNull();
			await answer.arrayBuffer();
		}
	});

	it("answers 413 for bodies over each surface's limit: reports 256 KiB, ingest 10 MiB, admin 64 KiB, tRPC 10 MiB", async () => {
		const filler = (bytes: number) => JSON.stringify({ contacts: [{ id: "x", name: "y".repeat(bytes) }] });
		const reportsTooLarge = await send(`/api/v1/platform/report/${ReportIds.TotalContacts}/generate`, {
			body: filler(257 * 1024),
		});
		expectRestError(reportsTooLarge, { code: "CONTENT_TOO_LARGE" });
		const ingestTooLarge = await send("/api/v1/ingest", { body: filler(10 * 1024 * 1024 + 10) });
		expectRestError(ingestTooLarge, { code: "CONTENT_TOO_LARGE" });
		const adminTooLarge = await send("/api/v1/admin/accounts", {
			token: "admin-token-for-hostile-tests-0123456789",
			body: JSON.stringify({ name: "n".repeat(65 * 1024) }),
		});
		expectRestError(adminTooLarge, { code: "CONTENT_TOO_LARGE" });
		const trpcTooLarge = await send("/trpc/ingest.batch", { body: filler(10 * 1024 * 1024 + 10) });
		expect(trpcTooLarge.status).toBe(413);
		expectTrpcError(trpcTooLarge, { code: "CONTENT_TOO_LARGE" });
		// Just under the report limit is still read.
		const underLimit = await send(`/api/v1/platform/report/${ReportIds.TotalContacts}/generate`, {
			body: JSON.stringify({ padding: "p".repeat(200 * 1024) }),
		});
		expect(underLimit.status).toBe(200);
		await expectDataUnchanged();
	});

	it("compares the admin token as a whole: prefixes, extensions, case changes and padding all answer the same 401", async () => {
		const adminToken = "admin-token-for-hostile-tests-0123456789";
		const near = [
			adminToken.slice(0, -1),
			`${adminToken}0`,
			adminToken.toUpperCase(),
			`${adminToken.slice(0, -1)}8`,
			"a",
			"x".repeat(adminToken.length),
			"x".repeat(10_000),
			token,
		];
		const bodies = new Set<string>();
		for (const candidate of near) {
			const answer = await send("/api/v1/admin/accounts", { token: candidate, body: JSON.stringify({ name: "Nope" }) });
			expect(answer.status, candidate.slice(0, 20)).toBe(401);
			bodies.add(answer.text);
		}
		expect(bodies.size).toBe(1);
		const nul = await send("/api/v1/admin/accounts", { token: adminToken, body: JSON.stringify({ name: "N\u0000" }) });
		expectRestError(nul, { code: "BAD_REQUEST", field: "name" });
		const accepted = await send("/api/v1/admin/accounts", { token: adminToken, body: JSON.stringify({ name: "Yes" }) });
		expect(accepted.status).toBe(201);
	});
});

describe("guessing tokens", () => {
	let guarded: TestServer;
	const adminToken = "admin-token-for-throttle-tests-0123456789";
	beforeAll(async () => {
		guarded = await startTestServer({ adminToken, authThrottle: { failuresPerMinute: 6, burst: 5 } });
	});
	afterAll(() => guarded?.close());

	it("answers failed tenant and admin tokens from one address with 429 and Retry-After past its budget", async () => {
		const { token } = await guarded.createAccount("Throttled neighbour");
		const report = `/api/v1/platform/report/${ReportIds.TotalContacts}/generate`;
		const statuses: Array<number> = [];
		for (let attempt = 0; attempt < 8; attempt++) {
			const answer = await call(guarded.baseUrl, report, { token: `cvl_guess_${attempt}`, body: {} });
			statuses.push(answer.status);
			if (answer.status === 429) {
				expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
				expect(answer.json).toEqual({
					message: expect.stringContaining("failed authentication"),
					code: "TOO_MANY_REQUESTS",
				});
			}
		}
		expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
		// Wrong admin tokens count against the same address.
		const admin = await call(guarded.baseUrl, "/api/v1/admin/accounts", {
			token: "not-the-admin-token",
			body: { name: "X" },
		});
		expect(admin.status).toBe(429);
		// A valid token from the same address is still served, tenant and admin alike.
		expect((await call(guarded.baseUrl, report, { token, body: {} })).status).toBe(200);
		const created = await call(guarded.baseUrl, "/api/v1/admin/accounts", {
			token: adminToken,
			body: { name: "Audited" },
		});
		expect(created.status).toBe(201);
		// The admin action is logged — what, on which account, from where — and the token never is.
		const audit = guarded.lines.find((line) => line.message === "admin action");
		expect(audit?.fields).toEqual({ action: "create-account", accountId: created.json.id, address: "127.0.0.1" });
		expect(JSON.stringify(guarded.lines)).not.toContain(adminToken);
	});
});

describe("graceful shutdown under load", () => {
	const mainFile = fileURLToPath(new URL("../src/main.ts", import.meta.url));
	const adminToken = "admin-token-for-shutdown-tests-0123456789";

	/** `npm start` over this test's own database; resolves once it listens. */
	const startMain = (databaseUrl: string, dataDir: string) =>
		new Promise<{ child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }>(
			(resolve, reject) => {
				const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", mainFile], {
					env: {
						...process.env,
						DATABASE_URL: databaseUrl,
						DATA_DIR: dataDir,
						SEED_DEMO: "false",
						ADMIN_TOKEN: adminToken,
						PORT: "0",
						LOG_LEVEL: "info",
						RATE_LIMIT_PER_MINUTE: "0",
					},
					stdio: ["ignore", "pipe", "pipe"],
				});
				let output = "";
				const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
				const onData = (chunk: Buffer) => {
					output += chunk.toString();
					const match = /"msg":"listening","port":(\d+)/.exec(output);
					if (match) resolve({ child, port: Number(match[1]), output: () => output, exited });
				};
				child.stdout?.on("data", onData);
				child.stderr?.on("data", onData);
				void exited.then((code) => reject(new Error(`main.ts exited with ${code} before listening:\n${output}`)));
			},
		);

	/** A POST whose body is held back until `finish` is called: an in-flight request by construction. */
	const heldRequest = (port: number, pathname: string, authorization: string, body: string) => {
		const split = Math.floor(body.length / 2);
		let finish = () => {};
		let connected = () => {};
		const connection = new Promise<void>((resolve) => {
			connected = resolve;
		});
		const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
			const req = http.request(
				{
					host: "127.0.0.1",
					port,
					path: pathname,
					method: "POST",
					headers: {
						authorization,
						"content-type": "application/json",
						"content-length": Buffer.byteLength(body),
					},
				},
				(res) => {
					let text = "";
					res.setEncoding("utf8");
					res.on("data", (chunk: string) => {
						text += chunk;
					});
					res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
				},
			);
			req.on("error", reject);
			req.on("socket", (socket) => socket.once("connect", () => connected()));
			req.write(body.slice(0, split));
			finish = () => req.end(body.slice(split));
		});
		return { finish: () => finish(), answer, connection };
	};

	it("finishes in-flight requests on SIGTERM, answers no 5xx, keeps every acknowledged write and exits 0", async () => {
		const database = await createTestDatabase();
		const dataDir = await mkdtemp(path.join(tmpdir(), "convolens-shutdown-"));
		const main = await startMain(database.url, dataDir);
		try {
			const base = `http://127.0.0.1:${main.port}`;
			const created = await fetch(`${base}/api/v1/admin/accounts`, {
				method: "POST",
				headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
				body: JSON.stringify({ name: "Busy" }),
			});
			expect(created.status).toBe(201);
			const { token: accountToken } = (await created.json()) as { token: string };
			const authorization = `Bearer ${accountToken}`;
			const seeded = await fetch(`${base}/api/v1/ingest`, {
				method: "POST",
				headers: { authorization, "content-type": "application/json" },
				body: JSON.stringify({
					bots: [{ id: "b1" }],
					conversations: Array.from({ length: 200 }, (_, index) => ({ id: `cv${index}`, botId: "b1" })),
					messages: Array.from({ length: 1_000 }, (_, index) => ({
						id: `m${index}`,
						conversationId: `cv${index % 200}`,
						type: index % 2 === 0 ? "user" : "bot",
						tokens: 3,
					})),
				}),
			});
			expect(seeded.status).toBe(200);

			// Load: 8 workers mixing report batches and ingest until the server stops taking connections.
			const statuses: Array<number> = [];
			const acknowledged: Array<string> = [];
			let completed = 0;
			let stopping = false;
			const worker = async (index: number) => {
				for (let sequence = 0; !stopping || sequence < 1_000; sequence++) {
					const ingest = sequence % 3 === 0;
					const id = `load-${index}-${sequence}`;
					try {
						const response = await fetch(`${base}${ingest ? "/api/v1/ingest" : "/api/v1/platform/report/generate"}`, {
							method: "POST",
							headers: { authorization, "content-type": "application/json" },
							body: JSON.stringify(
								ingest
									? { conversations: [{ id, botId: "b1" }] }
									: {
											[ReportIds.ComprehensiveAnalytics]: { periodDays: 30 },
											[ReportIds.BotConversationQuality]: { botId: "b1" },
											[ReportIds.TotalMessages]: { periodDays: 7, granularity: "hour" },
										},
							),
						});
						await response.arrayBuffer();
						statuses.push(response.status);
						if (ingest && response.status === 200) acknowledged.push(id);
						completed++;
					} catch {
						// The server no longer takes connections (or closed an idle one as it stopped): done.
						return;
					}
				}
			};
			const workers = Array.from({ length: 8 }, (_, index) => worker(index));
			while (completed < 40) await new Promise((resolve) => setTimeout(resolve, 20));

			const held = heldRequest(
				main.port,
				"/api/v1/ingest",
				authorization,
				JSON.stringify({ conversations: [{ id: "held-in-flight", botId: "b1" }] }),
			);
			// The held request is connected, and its headers have ample time to be read, before the signal.
			await held.connection;
			await new Promise((resolve) => setTimeout(resolve, 500));
			main.child.kill("SIGTERM");
			while (!main.output().includes('"msg":"shutting down"')) {
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
			stopping = true;
			held.finish();
			const heldAnswer = await held.answer;
			expect(heldAnswer.status, heldAnswer.text).toBe(200);
			expect(JSON.parse(heldAnswer.text)).toMatchObject({ inserted: { conversations: 1 } });
			acknowledged.push("held-in-flight");
			await Promise.all(workers);

			expect(await main.exited).toBe(0);
			expect(main.output()).toContain('"msg":"stopped"');
			expect(statuses.length).toBeGreaterThanOrEqual(40);
			expect(statuses.filter((status) => status !== 200)).toEqual([]);

			const runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 1 }));
			try {
				const rows = await runtime.runPromise(
					Database.use((db) =>
						db.query<{ id: string }>("SELECT id FROM conversation WHERE id = ANY($1)", [acknowledged]),
					),
				);
				expect(rows.map((row) => row.id).sort()).toEqual([...acknowledged].sort());
			} finally {
				await runtime.dispose();
			}
		} finally {
			main.child.kill("SIGKILL");
			await rm(dataDir, { recursive: true, force: true });
			await database.drop();
		}
	}, 180_000);
});

describe("alert webhooks refuse hostile input (contract §8.3)", () => {
	const webhooksPath = "/api/v1/webhooks";

	it("refuses URLs that are not http(s), carry credentials or reach private, loopback, link-local or metadata addresses", async () => {
		const refused = [
			"not a url",
			"/relative/path",
			"ftp://example.com/hook",
			"file:///etc/passwd",
			"javascript:alert(1)",
			"gopher://127.0.0.1:6379/_INFO",
			"https://user:secret@example.com/hook",
			"http://127.0.0.1/hook",
			"http://127.1/hook",
			"http://2130706433/hook",
			"http://0x7f000001/hook",
			"http://localhost:3000/hook",
			"http://0.0.0.0/hook",
			"http://10.1.2.3/hook",
			"http://172.16.0.1/hook",
			"http://192.168.1.1/hook",
			"http://100.64.0.1/hook",
			"http://100.100.100.200/latest/meta-data",
			"http://169.254.169.254/latest/meta-data/",
			"http://[::1]/hook",
			"http://[::]/hook",
			"http://[::ffff:127.0.0.1]/hook",
			"http://[::ffff:a9fe:a9fe]/hook",
			"http://[64:ff9b::a9fe:a9fe]/hook",
			"http://[2002:7f00:1::]/hook",
			"http://[fe80::1]/hook",
			"http://[fd00:ec2::254]/latest/meta-data/",
			"http://224.0.0.1/hook",
			"http://host.invalid/hook",
			`https://example.com/${"a".repeat(3_000)}`,
		];
		for (const url of refused) {
			const answer = await send(webhooksPath, { body: JSON.stringify({ url }) });
			expect(answer.status, `${url}: ${describeAnswer(answer)}`).toBe(400);
			expectRestError(answer, { code: "BAD_REQUEST", field: "url" });
		}
		for (const body of ["{}", '{"url": 42}', '{"url": null}', "[]", "not json", '"http://1.1.1.1/"']) {
			expectRestError(await send(webhooksPath, { body }), { code: "BAD_REQUEST" });
		}
		// A public address is accepted (nothing is sent until an alert is raised).
		const accepted = await send(webhooksPath, { body: JSON.stringify({ url: "https://1.1.1.1/hook" }) });
		expect(accepted.status, describeAnswer(accepted)).toBe(201);
		const deleted = await send(`${webhooksPath}/${String(accepted.json?.id)}`, { method: "DELETE" });
		expect(deleted.status).toBe(204);
		const listed = await send(webhooksPath, { method: "GET" });
		expect(listed.json).toEqual({ items: [] });
	});

	it("answers bad and unknown webhook ids with 400 and 404, other methods with 405, and needs the scope", async () => {
		for (const id of ["a%2Fb", "%00", "x".repeat(65), "a..b", "%E2%80%AE", "a%20b"]) {
			expectRestError(await send(`${webhooksPath}/${id}`, { method: "DELETE" }), { code: "BAD_REQUEST" });
			expectRestError(await send(`${webhooksPath}/${id}/deliveries`, { method: "GET" }), { code: "BAD_REQUEST" });
		}
		expectRestError(await send(`${webhooksPath}/%ZZ`, { method: "DELETE" }), { code: "BAD_REQUEST" });
		expectRestError(await send(`${webhooksPath}/wh_unknown`, { method: "DELETE" }), { code: "NOT_FOUND" });
		expectRestError(await send(`${webhooksPath}/wh_unknown/deliveries`, { method: "GET" }), { code: "NOT_FOUND" });
		expectRestError(await send(`${webhooksPath}/wh_unknown`, { method: "GET" }), { code: "METHOD_NOT_ALLOWED" });
		expectRestError(await send(webhooksPath, { method: "PUT", body: "{}" }), { code: "METHOD_NOT_ALLOWED" });
		expectRestError(await send(`${webhooksPath}/a/b/c`, { method: "GET" }), { code: "NOT_FOUND" });
		expectRestError(await send(webhooksPath, { method: "GET", token: null }), { code: "NOT_AUTHENTICATED" });
		const readOnly = await server.createAccount("Webhook reader", ["reports:read", "ingest:write"]);
		const refused = await send(webhooksPath, {
			token: readOnly.token,
			body: JSON.stringify({ url: "https://1.1.1.1/hook" }),
		});
		expectRestError(refused, { code: "NOT_AUTHORIZED" });
		const trpc = await send("/trpc/webhooks.create", { body: JSON.stringify({ url: "http://169.254.169.254/" }) });
		expectTrpcError(trpc, { code: "BAD_REQUEST", field: "url" });
		const trpcDelete = await send("/trpc/webhooks.delete", { body: JSON.stringify({ id: "../x" }) });
		expectTrpcError(trpcDelete, { code: "BAD_REQUEST", field: "id" });
	});
});
