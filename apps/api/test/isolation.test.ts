import http from "node:http";
import type { AddressInfo } from "node:net";
import { type AnyReport, ReportIds, reports } from "@convolens/core";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppRouter } from "../src/index.ts";
import { procedureNameById } from "../src/trpc/router.ts";
import { call, fetchRetryingStaleSockets, readStream, startTestServer, type TestServer } from "./support.ts";

/**
 * Tenant isolation: two accounts whose bots, contacts, conversations, messages, ratings and datasets carry the very
 * same IDs, with different volumes. Every report, over every surface (REST single and batch, tRPC procedure and
 * batch), answers each account from its own rows only; every ingest and delete of one account leaves the other's
 * rows untouched; and a bot or dataset that only the other account has is "not found", worded like a missing one.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Midnight UTC today, fixed when the file loads, so every input below names the same explicit window. */
const todayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const isoDate = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
/** A fixed 30-day window ending today, so results do not move with the clock while the file runs. */
const window = { startDate: isoDate(todayStart - 29 * DAY_MS), endDate: isoDate(todayStart), timezone: "UTC" };
const at = (daysAgo: number, hour: number) => new Date(todayStart - daysAgo * DAY_MS + hour * HOUR_MS).toISOString();

interface Volume {
	/** Multiplies contacts, conversations, messages and records. */
	readonly scale: number;
	readonly thumbsUp: number;
	readonly thumbsDown: number;
	/** Adds bot `b-only` and dataset `d-only`, which the other account does not have. */
	readonly extras: boolean;
}

/** One account's activity. IDs depend only on position, so two accounts share every ID the smaller one has. */
const activity = ({ scale, thumbsUp, thumbsDown, extras }: Volume) => {
	const contacts = Array.from({ length: 2 + scale }, (_, index) => ({
		id: `c${index + 1}`,
		name: `Contact ${index + 1} x${scale}`,
		email: `contact${index + 1}@example.com`,
		createdAt: at(25, 1),
	}));
	const bots = [
		{ id: "b1", name: "Support", createdAt: at(25, 1) },
		{ id: "b2", name: "Sales", createdAt: at(25, 1) },
		...(extras ? [{ id: "b-only", name: "Only here", createdAt: at(25, 1) }] : []),
	];
	const datasets = [
		{ id: "d1", name: "Docs", createdAt: at(25, 1) },
		{ id: "d2", name: "FAQ", createdAt: at(25, 1) },
		...(extras ? [{ id: "d-only", name: "Only here", createdAt: at(25, 1) }] : []),
	];
	const records = [
		...Array.from({ length: 2 * scale }, (_, index) => ({
			id: `r${index + 1}`,
			datasetId: "d1",
			createdAt: at(20, 1),
		})),
		...Array.from({ length: scale }, (_, index) => ({
			id: `r-faq-${index + 1}`,
			datasetId: "d2",
			createdAt: at(20, 1),
		})),
		...(extras ? [{ id: "r-only", datasetId: "d-only", createdAt: at(20, 1) }] : []),
	];
	const conversations = Array.from({ length: 4 * scale }, (_, index) => ({
		id: `cv${index + 1}`,
		botId: index % 2 === 0 ? "b1" : "b2",
		contactId: `c${(index % contacts.length) + 1}`,
		createdAt: at(1 + (index % 9), 2 + (index % 5)),
	}));
	const messages = conversations.flatMap((conversation, index) => {
		const userTurns = 1 + (index % 3);
		return [
			...Array.from({ length: userTurns }, (_, turn) => ({
				id: `${conversation.id}-u${turn}`,
				conversationId: conversation.id,
				type: "user",
				tokens: 5 * scale + turn,
				createdAt: conversation.createdAt,
			})),
			...Array.from({ length: 1 + (index % scale) }, (_, turn) => ({
				id: `${conversation.id}-bot${turn}`,
				conversationId: conversation.id,
				type: "bot",
				tokens: 20 * scale,
			})),
			...(index % (scale + 1) === 0
				? [
						{
							id: `${conversation.id}-act`,
							conversationId: conversation.id,
							type: "activity",
							tokens: 0,
							action: { type: "tool", name: `search-${scale}` },
						},
					]
				: []),
		].map((message) => ({ ...message, createdAt: conversation.createdAt }));
	});
	const ratings = Array.from({ length: thumbsUp + thumbsDown }, (_, index) => {
		const conversation = conversations[(2 * index) % conversations.length]!;
		return {
			id: `rt${index + 1}`,
			value: index < thumbsUp ? 1 : -1,
			reason: index < thumbsUp ? "helpful" : `wrong answer ${index}`,
			botId: "b1",
			conversationId: conversation.id,
			messageId: `${conversation.id}-bot0`,
			contactId: conversation.contactId,
			createdAt: conversation.createdAt,
		};
	});
	return {
		contacts,
		bots,
		datasets,
		skillsets: [{ id: "s1", name: "Tools" }],
		abilities: Array.from({ length: scale }, (_, index) => ({ id: `a${index + 1}`, skillsetId: "s1" })),
		files: Array.from({ length: scale }, (_, index) => ({ id: `f${index + 1}` })),
		conversations,
		messages,
		ratings,
		records,
	};
};

const smallVolume: Volume = { scale: 1, thumbsUp: 3, thumbsDown: 1, extras: false };
const largeVolume: Volume = { scale: 3, thumbsUp: 6, thumbsDown: 7, extras: true };

/** A valid input for each report: the explicit window, plus the bot or datasets it needs. */
const inputFor = (report: AnyReport): Record<string, unknown> => {
	const properties = (report.inputJsonSchema.properties ?? {}) as Record<string, unknown>;
	const input: Record<string, unknown> = {};
	if ("startDate" in properties) Object.assign(input, window);
	if ("botId" in properties) input.botId = "b1";
	if ("datasetIds" in properties) input.datasetIds = ["d1", "d2", "d-only"];
	return input;
};

const botReports = reports.filter((report) => "botId" in ((report.inputJsonSchema.properties ?? {}) as object));

type ProcedureCall = { readonly query: (input: unknown) => Promise<unknown> };

let server: TestServer;
let accountA: { token: string };
let accountB: { token: string };

const trpcFor = (token: string) =>
	createTRPCClient<AppRouter>({
		links: [
			httpLink({
				url: `${server.baseUrl}/trpc`,
				headers: { authorization: `Bearer ${token}` },
				methodOverride: "POST",
			}),
		],
	});

const procedureOf = (token: string, reportId: string): ProcedureCall => {
	const name = procedureNameById.get(reportId);
	if (name === undefined) throw new Error(`no procedure for ${reportId}`);
	return (trpcFor(token).reports as unknown as Record<string, ProcedureCall>)[name]!;
};

const restSingle = (token: string, reportId: string, input: unknown) =>
	call(server.baseUrl, `/api/v1/platform/report/${reportId}/generate`, { token, body: input });

const ingest = async (token: string, body: unknown) => {
	const response = await call(server.baseUrl, "/api/v1/ingest", { token, body });
	expect(response.status).toBe(200);
	return response.json as { inserted: Record<string, number>; duplicates: Record<string, number>; errors: unknown[] };
};

/**
 * Every report's result for an account, asked over all four surfaces, which must agree with each other. Keyed by
 * report ID; a failure is kept as its `{status, body}` so it is compared too.
 */
const everyReport = async (token: string): Promise<Record<string, unknown>> => {
	const inputs = Object.fromEntries(reports.map((report) => [report.id, inputFor(report)]));
	const batch = await call(server.baseUrl, "/api/v1/platform/report/generate", { token, body: inputs });
	expect(batch.status).toBe(200);
	expect(Object.keys(batch.json).sort()).toEqual(reports.map((report) => report.id).sort());
	const trpcBatch = (await trpcFor(token).reports.generate.query(inputs as never)) as Record<
		string,
		{ ok: boolean; data?: unknown }
	>;
	const results: Record<string, unknown> = {};
	for (const report of reports) {
		const single = await restSingle(token, report.id, inputs[report.id]);
		expect(single.status, `${report.name} over REST`).toBe(200);
		expect(batch.json[report.id], `${report.name} in the REST batch`).toEqual(single.json);
		expect(await procedureOf(token, report.id).query(inputs[report.id]), `${report.name} over tRPC`).toEqual(
			single.json,
		);
		expect(trpcBatch[report.id], `${report.name} in the tRPC batch`).toEqual({ ok: true, data: single.json });
		results[report.id] = single.json;
	}
	return results;
};

/** Total record counts by collection, as the reports see them: a cheap fingerprint for single steps. */
const fingerprint = async (token: string) => {
	const response = await call(server.baseUrl, "/api/v1/platform/report/generate", {
		token,
		body: {
			[ReportIds.TotalContacts]: {},
			[ReportIds.TotalConversations]: window,
			[ReportIds.TotalMessages]: window,
			[ReportIds.TotalRatings]: window,
			[ReportIds.DatasetRecords]: { datasetIds: ["d1", "d2", "d-only"] },
		},
	});
	expect(response.status).toBe(200);
	const value = (id: string) => (response.json[id] as { value?: number; totalRecords?: number }) ?? {};
	return {
		contacts: value(ReportIds.TotalContacts).value,
		conversations: value(ReportIds.TotalConversations).value,
		messages: value(ReportIds.TotalMessages).value,
		ratings: value(ReportIds.TotalRatings).value,
		records: value(ReportIds.DatasetRecords).totalRecords ?? response.json[ReportIds.DatasetRecords],
	};
};

let baselineA: Record<string, unknown>;

beforeAll(async () => {
	vi.stubGlobal("fetch", fetchRetryingStaleSockets);
	server = await startTestServer();
	accountA = await server.createAccount("Tenant A");
	accountB = await server.createAccount("Tenant B");
	const stored = await ingest(accountA.token, activity(smallVolume));
	expect(stored.errors).toEqual([]);
	baselineA = await everyReport(accountA.token);
}, 120_000);

afterAll(async () => {
	await server.close();
	vi.unstubAllGlobals();
});

describe("tenant isolation", () => {
	it("stores every item of the second account although the first already holds the same IDs", async () => {
		const { ratings, ...rest } = activity(largeVolume);
		const stored = await ingest(accountB.token, rest);
		expect(stored.errors).toEqual([]);
		expect(Object.values(stored.duplicates).every((count) => count === 0)).toBe(true);
		expect(stored.inserted.conversations).toBe(rest.conversations.length);
		expect(stored.inserted.messages).toBe(rest.messages.length);
		// The ratings go through tRPC's ingest, with parents that exist in both accounts.
		const viaTrpc = await trpcFor(accountB.token).ingest.batch.mutate({ ratings });
		expect(viaTrpc.errors).toEqual([]);
		expect(viaTrpc.inserted.ratings).toBe(ratings.length);
		expect(viaTrpc.duplicates.ratings).toBe(0);
	});

	it("answers every report of the first account exactly as before the second account's data arrived", async () => {
		expect(await everyReport(accountA.token)).toEqual(baselineA);
	});

	it("answers every report of the second account from its own data, matching a twin account with the same data", async () => {
		const resultsB = await everyReport(accountB.token);
		const twin = await server.createAccount("Twin of B");
		const stored = await ingest(twin.token, activity(largeVolume));
		expect(stored.errors).toEqual([]);
		expect(await everyReport(twin.token)).toEqual(resultsB);
		for (const report of reports) {
			expect(resultsB[report.id], `${report.name} must differ between the accounts`).not.toEqual(baselineA[report.id]);
		}
		expect(resultsB[ReportIds.TotalContacts]).toEqual({ value: 5, period: "all time" });
		expect(baselineA[ReportIds.TotalContacts]).toEqual({ value: 3, period: "all time" });
	});

	it("drills into each account's own conversations only, over REST and tRPC; the other's cursor or bot leaks nothing", async () => {
		const range = {
			start: new Date(todayStart - 29 * DAY_MS).toISOString(),
			end: new Date(todayStart + DAY_MS).toISOString(),
		};
		const listed = async (token: string, query: { start: string; end: string } & Record<string, string>) => {
			const answer = await call(server.baseUrl, `/api/v1/conversations?${new URLSearchParams(query)}`, {
				token,
				method: "GET",
			});
			expect(answer.status, answer.text).toBe(200);
			const { take, ...rest } = query;
			const input = { ...rest, ...(take === undefined ? {} : { take: Number(take) }) };
			expect(await trpcFor(token).conversations.list.query(input)).toEqual(answer.json);
			return answer.json as { items: Array<Record<string, unknown>>; cursor?: string };
		};
		for (const [account, volume] of [
			[accountA, smallVolume],
			[accountB, largeVolume],
		] as const) {
			const data = activity(volume);
			const expected = data.conversations
				.map((conversation) => {
					const messages = data.messages.filter((message) => message.conversationId === conversation.id);
					const ratings = data.ratings.filter((rating) => rating.conversationId === conversation.id);
					const ofType = (type: string) => messages.filter((message) => message.type === type).length;
					return {
						id: conversation.id,
						botId: conversation.botId,
						contactId: conversation.contactId,
						createdAt: conversation.createdAt,
						userMessages: ofType("user"),
						botMessages: ofType("bot"),
						activityMessages: ofType("activity"),
						tokens: messages.reduce((total, message) => total + message.tokens, 0),
						thumbsUp: ratings.filter((rating) => rating.value > 0).length,
						thumbsDown: ratings.filter((rating) => rating.value < 0).length,
					};
				})
				.sort((left, right) =>
					left.createdAt === right.createdAt
						? right.id > left.id
							? 1
							: -1
						: right.createdAt > left.createdAt
							? 1
							: -1,
				);
			expect((await listed(account.token, { ...range, take: "100" })).items).toEqual(expected);
		}
		// B's cursor in A's request positions A's own list; it never brings B's conversations.
		const pageB = await listed(accountB.token, { ...range, take: "3" });
		expect(pageB.cursor).toBeDefined();
		const idsOfA = new Set(activity(smallVolume).conversations.map((conversation) => conversation.id));
		const nextOfA = await listed(accountA.token, { ...range, take: "100", cursor: pageB.cursor! });
		for (const item of nextOfA.items) expect(idsOfA).toContain(item.id);
		// A bot only B has lists nothing in A, exactly like a bot nobody has.
		expect(await listed(accountA.token, { ...range, botId: "b-only" })).toEqual({ items: [] });
		expect(await listed(accountA.token, { ...range, botId: "no-such-bot" })).toEqual({ items: [] });
		expect((await listed(accountB.token, { ...range, botId: "b1" })).items.length).toBeGreaterThan(0);
	});

	it("watches each account's own data only: a live report's first result is the account's, and the other's writes wake nothing", async () => {
		const open = async (bearer: string) => {
			const abort = new AbortController();
			const response = await fetchRetryingStaleSockets(`${server.baseUrl}/api/v1/platform/report/generate`, {
				method: "POST",
				headers: { authorization: `Bearer ${bearer}`, accept: "text/event-stream", "content-type": "application/json" },
				body: JSON.stringify({ [ReportIds.TotalContacts]: {} }),
				signal: abort.signal,
			});
			expect(response.status).toBe(200);
			return { abort, stream: readStream(response) };
		};
		const [watchA, watchB] = [await open(accountA.token), await open(accountB.token)];
		const first = async (watch: typeof watchA) => JSON.parse((await watch.stream.until(1))[0]?.data ?? "null");
		expect(await first(watchA)).toEqual({ [ReportIds.TotalContacts]: baselineA[ReportIds.TotalContacts] });
		expect(await first(watchB)).toEqual({ [ReportIds.TotalContacts]: { value: 5, period: "all time" } });
		// A write to B wakes B's watch (the proof that the watch is live), and never A's.
		await ingest(accountB.token, { contacts: [{ id: "contact-for-the-watch", name: "New" }] });
		await watchB.stream.until(2);
		expect(JSON.parse(watchB.stream.events[1]?.data ?? "null")).toEqual({
			[ReportIds.TotalContacts]: { value: 6, period: "all time" },
		});
		expect(watchA.stream.events).toHaveLength(1);
		watchA.abort.abort();
		watchB.abort.abort();
		// Leave B as the later tests expect it.
		const erased = await call(server.baseUrl, "/api/v1/ingest/delete", {
			token: accountB.token,
			body: { contacts: ["contact-for-the-watch"] },
		});
		expect(erased.status).toBe(200);
	});

	it("lists the same catalogue for both accounts over REST and tRPC", async () => {
		const listA = await call(server.baseUrl, "/api/v1/platform/report/list", { token: accountA.token });
		const listB = await call(server.baseUrl, "/api/v1/platform/report/list", { token: accountB.token });
		expect(listA.status).toBe(200);
		expect(listB.json).toEqual(listA.json);
		expect(await trpcFor(accountB.token).reports.list.query()).toEqual(listA.json);
	});

	it("re-ingesting the first account's data counts duplicates in that account only", async () => {
		const before = await fingerprint(accountB.token);
		const again = await ingest(accountA.token, activity(smallVolume));
		expect(Object.values(again.inserted).every((count) => count === 0)).toBe(true);
		expect(again.duplicates.conversations).toBe(activity(smallVolume).conversations.length);
		// IDs only the second account has are new to the first: stored there, not counted as duplicates.
		const onlyInB = await ingest(accountA.token, { bots: [{ id: "b-only-late" }] });
		expect(onlyInB.inserted.bots).toBe(1);
		expect(await fingerprint(accountB.token)).toEqual(before);
		const erased = await call(server.baseUrl, "/api/v1/ingest/delete", {
			token: accountA.token,
			body: { bots: ["b-only-late"] },
		});
		expect(erased.status).toBe(200);
	});

	it("rejects an item whose parent exists only in the other account", async () => {
		const before = await fingerprint(accountA.token);
		const stored = await ingest(accountA.token, {
			records: [{ id: "r-foreign", datasetId: "d-only" }],
			conversations: [{ id: "cv-foreign", botId: "b-only" }],
		});
		expect(stored.inserted.records).toBe(0);
		expect(stored.inserted.conversations).toBe(0);
		expect(stored.errors).toEqual([
			expect.objectContaining({ collection: "conversations", id: "cv-foreign", code: "NOT_FOUND" }),
			expect.objectContaining({ collection: "records", id: "r-foreign", code: "NOT_FOUND" }),
		]);
		expect(await fingerprint(accountA.token)).toEqual(before);
	});

	it("answers a bot that only the other account has with the same 404 as a missing bot, on every bot report", async () => {
		expect(botReports.length).toBe(5);
		for (const report of botReports) {
			const foreign = { ...inputFor(report), botId: "b-only" };
			const missing = { ...inputFor(report), botId: "no-such-bot" };
			const foreignRest = await restSingle(accountA.token, report.id, foreign);
			const missingRest = await restSingle(accountA.token, report.id, missing);
			expect(foreignRest.status, report.name).toBe(404);
			expect(foreignRest.json, report.name).toEqual({ message: expect.any(String), code: "NOT_FOUND" });
			expect(foreignRest.text, report.name).toBe(missingRest.text);
			const batch = await call(server.baseUrl, "/api/v1/platform/report/generate", {
				token: accountA.token,
				body: { [report.id]: foreign },
			});
			expect(batch.json[report.id]).toEqual({ error: foreignRest.json.message, code: "NOT_FOUND" });
			const [foreignTrpc, missingTrpc] = await Promise.all(
				[foreign, missing].map((input) =>
					procedureOf(accountA.token, report.id)
						.query(input)
						.then(
							() => undefined,
							(error: unknown) => error,
						),
				),
			);
			expect(foreignTrpc).toBeInstanceOf(TRPCClientError);
			const foreignError = foreignTrpc as TRPCClientError<AppRouter>;
			const missingError = missingTrpc as TRPCClientError<AppRouter>;
			expect(foreignError.message).toBe(missingError.message);
			expect(foreignError.data).toMatchObject({ httpStatus: 404, wireCode: "NOT_FOUND" });
			expect(missingError.data).toMatchObject({ httpStatus: 404, wireCode: "NOT_FOUND" });
			// The bot is real for its owner.
			expect((await restSingle(accountB.token, report.id, foreign)).status, report.name).toBe(200);
		}
	});

	it("exports every report as CSV from the account's own rows: a twin with the same data gets the same files", async () => {
		const csvOf = async (token: string) => {
			const files = new Map<string, string>();
			for (const report of reports) {
				const answer = await call(server.baseUrl, `/api/v1/platform/report/${report.id}/generate`, {
					token,
					body: inputFor(report),
					headers: { accept: "text/csv" },
				});
				expect(answer.status, report.name).toBe(200);
				expect(answer.headers.get("content-type"), report.name).toBe("text/csv; charset=utf-8");
				files.set(report.id, answer.text);
			}
			return files;
		};
		const [filesA, filesB] = [await csvOf(accountA.token), await csvOf(accountB.token)];
		const twin = await server.createAccount("CSV twin of B");
		expect((await ingest(twin.token, activity(largeVolume))).errors).toEqual([]);
		expect(await csvOf(twin.token)).toEqual(filesB);
		for (const report of reports) {
			expect(filesB.get(report.id), `${report.name} must differ between the accounts`).not.toBe(filesA.get(report.id));
		}
		expect(filesA.get(ReportIds.TotalContacts)).toBe("value,period\r\n3,all time\r\n");
		expect(filesB.get(ReportIds.TotalContacts)).toBe("value,period\r\n5,all time\r\n");
	});

	it("answers a CSV export of a bot or dataset only the other account has with the JSON 404 of a missing one", async () => {
		const csv = { accept: "text/csv" };
		for (const report of botReports) {
			const path = `/api/v1/platform/report/${report.id}/generate`;
			const foreign = await call(server.baseUrl, path, {
				token: accountA.token,
				body: { ...inputFor(report), botId: "b-only" },
				headers: csv,
			});
			const missing = await call(server.baseUrl, path, {
				token: accountA.token,
				body: { ...inputFor(report), botId: "no-such-bot" },
				headers: csv,
			});
			expect(foreign.status, report.name).toBe(404);
			expect(foreign.headers.get("content-type"), report.name).toMatch(/^application\/json/);
			expect(foreign.json, report.name).toEqual({ message: expect.any(String), code: "NOT_FOUND" });
			expect(foreign.text, report.name).toBe(missing.text);
		}
		const path = `/api/v1/platform/report/${ReportIds.DatasetRecords}/generate`;
		const foreign = await call(server.baseUrl, path, {
			token: accountA.token,
			body: { datasetIds: ["d-only"] },
			headers: csv,
		});
		expect(foreign.status).toBe(404);
		expect(foreign.json).toEqual({ message: "Dataset not found", code: "NOT_FOUND" });
	});

	it("answers a dataset that only the other account has like a missing one", async () => {
		const foreign = await restSingle(accountA.token, ReportIds.DatasetRecords, { datasetIds: ["d-only"] });
		const missing = await restSingle(accountA.token, ReportIds.DatasetRecords, { datasetIds: ["no-such-dataset"] });
		expect(foreign.status).toBe(404);
		expect(foreign.text).toBe(missing.text);
		const mixed = await restSingle(accountA.token, ReportIds.DatasetRecords, { datasetIds: ["d1", "d-only"] });
		expect(mixed.json).toEqual({ totalRecords: 2, breakdown: [{ datasetId: "d1", records: 2 }], notFound: ["d-only"] });
	});

	it("deletes only in the calling account: the other's contact, its conversations and their messages stay", async () => {
		const beforeB = await fingerprint(accountB.token);
		const erased = await call(server.baseUrl, "/api/v1/ingest/delete", {
			token: accountA.token,
			body: { contacts: ["c1"], conversations: ["cv2"], bots: ["b-only"], datasets: ["d-only"] },
		});
		expect(erased.status).toBe(200);
		// `b-only` and `d-only` exist only in B: nothing of A's matched them.
		expect(erased.json.deleted).toMatchObject({ contacts: 1, conversations: 1, bots: 0, datasets: 0 });
		expect(await fingerprint(accountB.token)).toEqual(beforeB);
		const afterA = await fingerprint(accountA.token);
		expect(afterA.contacts).toBe(2);
		expect(afterA.conversations).toBeLessThan(4);

		// And the other way round, over tRPC: B erases what A still has; A is untouched.
		const beforeA = afterA;
		const resultA = await everyReport(accountA.token);
		const viaTrpc = await trpcFor(accountB.token).ingest.delete.mutate({ contacts: ["c2"], datasets: ["d1"] });
		expect(viaTrpc.deleted).toMatchObject({ contacts: 1, datasets: 1 });
		expect(await fingerprint(accountA.token)).toEqual(beforeA);
		expect(await everyReport(accountA.token)).toEqual(resultA);
		const afterB = await fingerprint(accountB.token);
		expect(afterB.contacts).toBe(4);
		expect(afterB.records).toBeLessThan(beforeB.records as number);
	});

	it("re-creating a deleted ID in one account does not resurrect or touch the other's", async () => {
		const beforeA = await fingerprint(accountA.token);
		const stored = await ingest(accountB.token, { contacts: [{ id: "c1" }], datasets: [{ id: "d1" }] });
		// B never deleted its own c1, so it is a duplicate there; d1 was erased by B and comes back empty.
		expect(stored.duplicates.contacts).toBe(1);
		expect(stored.inserted.datasets).toBe(1);
		expect(await fingerprint(accountA.token)).toEqual(beforeA);
		const records = await restSingle(accountB.token, ReportIds.DatasetRecords, { datasetIds: ["d1"] });
		expect(records.json).toEqual({ totalRecords: 0, breakdown: [{ datasetId: "d1", records: 0 }], notFound: [] });
	});
});

describe("report work per account", () => {
	let limited: TestServer;
	beforeAll(async () => {
		// Room for one cheap report at a time, and almost no queue: a busy account is refused at once.
		limited = await startTestServer({ workLimit: { capacity: 1, queueMs: 1 } });
	});
	afterAll(() => limited?.close());

	it("refuses an account's work beyond its bound with 429 and Retry-After, while another account is served", async () => {
		const flooding = await limited.createAccount("Flooding");
		const quiet = await limited.createAccount("Quiet");
		const path = `/api/v1/platform/report/${ReportIds.TotalMessages}/generate`;
		const flood = Array.from({ length: 30 }, () =>
			call(limited.baseUrl, path, { token: flooding.token, body: { periodDays: 30 } }),
		);
		const quietAnswer = await call(limited.baseUrl, path, { token: quiet.token, body: { periodDays: 30 } });
		const answers = await Promise.all(flood);
		expect(quietAnswer.status).toBe(200);
		const refused = answers.filter((answer) => answer.status === 429);
		expect(refused.length).toBeGreaterThan(0);
		expect(answers.filter((answer) => answer.status !== 429).every((answer) => answer.status === 200)).toBe(true);
		expect(answers.some((answer) => answer.status === 200)).toBe(true);
		for (const answer of refused) {
			expect(answer.headers.get("retry-after")).toBe("1");
			expect(answer.json).toEqual({ message: expect.stringContaining("report work"), code: "TOO_MANY_REQUESTS" });
		}
		// Once the flood is over the account is served again.
		expect((await call(limited.baseUrl, path, { token: flooding.token, body: { periodDays: 30 } })).status).toBe(200);
	});

	it("refuses a tRPC batch of more than 50 calls", async () => {
		const account = await limited.createAccount("Batcher");
		const calls = Array.from({ length: 51 }, () => "reports.list").join(",");
		const input = JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, index) => [index, {}])));
		const response = await fetch(`${limited.baseUrl}/trpc/${calls}?batch=1&input=${encodeURIComponent(input)}`, {
			headers: { authorization: `Bearer ${account.token}` },
		});
		expect(response.status).toBe(400);
	});
});

describe("alert webhooks per tenant", () => {
	let hooks: TestServer;
	let receiver: http.Server;
	const received: Array<{ path: string; body: string }> = [];
	beforeAll(async () => {
		receiver = http.createServer((req, res) => {
			const chunks: Array<Buffer> = [];
			req.on("data", (chunk: Buffer) => chunks.push(chunk));
			req.on("end", () => {
				received.push({ path: req.url ?? "/", body: Buffer.concat(chunks).toString("utf8") });
				res.writeHead(204);
				res.end();
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
		hooks = await startTestServer({
			webhooks: { allowPrivate: true, coalesceMs: 50, deliveryPollMs: 50, evaluateEveryMs: 3_600_000 },
		});
	});
	afterAll(async () => {
		await hooks?.close();
		await new Promise<void>((resolve) => receiver.close(() => resolve()));
	});

	it("never lists, deletes or shows deliveries of another tenant's webhook, nor sends it another tenant's alerts", async () => {
		const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
		const tenantA = await hooks.createAccount("Hooks A");
		const tenantB = await hooks.createAccount("Hooks B");
		const register = async (token: string, path: string) => {
			const created = await call(hooks.baseUrl, "/api/v1/webhooks", { token, body: { url: `${receiverUrl}${path}` } });
			expect(created.status).toBe(201);
			return created.json.id as string;
		};
		const hookA = await register(tenantA.token, "/a");
		const hookB = await register(tenantB.token, "/b");

		const listB = await call(hooks.baseUrl, "/api/v1/webhooks", { token: tenantB.token });
		expect((listB.json.items as Array<{ id: string }>).map((item) => item.id)).toEqual([hookB]);
		expect((await call(hooks.baseUrl, `/api/v1/webhooks/${hookA}/deliveries`, { token: tenantB.token })).status).toBe(
			404,
		);
		expect(
			(await call(hooks.baseUrl, `/api/v1/webhooks/${hookA}`, { token: tenantB.token, method: "DELETE" })).status,
		).toBe(404);
		const trpcB = createTRPCClient<AppRouter>({
			links: [httpLink({ url: `${hooks.baseUrl}/trpc`, headers: { authorization: `Bearer ${tenantB.token}` } })],
		});
		await expect(trpcB.webhooks.delete.mutate({ id: hookA })).rejects.toMatchObject({
			data: { wireCode: "NOT_FOUND" },
		});
		await expect(trpcB.webhooks.deliveries.query({ id: hookA })).rejects.toMatchObject({
			data: { wireCode: "NOT_FOUND" },
		});
		const listA = await call(hooks.baseUrl, "/api/v1/webhooks", { token: tenantA.token });
		expect((listA.json.items as Array<{ id: string }>).map((item) => item.id)).toEqual([hookA]);

		// Each tenant raises its own bot's negative-feedback alert, on bots with the same id.
		for (const tenant of [tenantA, tenantB]) {
			const stored = await call(hooks.baseUrl, "/api/v1/ingest", {
				token: tenant.token,
				body: {
					bots: [{ id: "shared-bot" }],
					ratings: [1, 2, 3].map((n) => ({ id: `r${n}`, botId: "shared-bot", value: -1 })),
				},
			});
			expect(stored.status).toBe(200);
		}
		const deadline = Date.now() + 20_000;
		while (!(received.some((entry) => entry.path === "/a") && received.some((entry) => entry.path === "/b"))) {
			if (Date.now() > deadline) throw new Error("no delivery to both tenants before the deadline");
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const accountOf = (path: string) =>
			received.filter((entry) => entry.path === path).map((entry) => JSON.parse(entry.body).accountId as string);
		expect(new Set(accountOf("/a"))).toEqual(new Set([tenantA.accountId]));
		expect(new Set(accountOf("/b"))).toEqual(new Set([tenantB.accountId]));
		const logA = await call(hooks.baseUrl, `/api/v1/webhooks/${hookA}/deliveries`, { token: tenantA.token });
		const logB = await call(hooks.baseUrl, `/api/v1/webhooks/${hookB}/deliveries`, { token: tenantB.token });
		const idsA = (logA.json.items as Array<{ id: string }>).map((item) => item.id);
		const idsB = (logB.json.items as Array<{ id: string }>).map((item) => item.id);
		expect(idsA.length).toBeGreaterThan(0);
		expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
	});
});
