import { ReportIds } from "@convolens/core";
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/index.ts";
import { call, startTestServer, type TestServer } from "./support.ts";

let server: TestServer;
let token: string;
let otherToken: string;

const today = (timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date());

beforeAll(async () => {
	server = await startTestServer();
	token = (await server.createAccount("Acme")).token;
	otherToken = (await server.createAccount("Globex")).token;
	// Globex owns a bot; Acme must not be able to see it.
	const ingest = await call(server.baseUrl, "/api/v1/ingest", {
		token: otherToken,
		body: { bots: [{ id: "globex-bot", name: "Globex bot" }] },
	});
	expect(ingest.status).toBe(200);
});

afterAll(() => server.close());

describe("report list", () => {
	it("lists every report with epoch-millisecond dates and JSON Schemas in meta, with and without /api", async () => {
		for (const prefix of ["/api", ""]) {
			const response = await call(server.baseUrl, `${prefix}/v1/platform/report/list`, { token });
			expect(response.status).toBe(200);
			expect(response.headers.get("content-type")).toMatch(/^application\/json/);
			const items = response.json.items as Array<Record<string, unknown>>;
			expect(items.map((item) => item.id)).toEqual(Object.values(ReportIds));
			expect(response.json.cursor).toBeUndefined();
			const totalRatings = items.find((item) => item.id === ReportIds.TotalRatings)!;
			expect(totalRatings.name).toBe("Total Ratings");
			expect(typeof totalRatings.createdAt).toBe("number");
			expect(typeof totalRatings.updatedAt).toBe("number");
			const meta = totalRatings.meta as { category: string; inputSchema: { properties: object }; outputSchema: object };
			expect(meta.category).toBe("quality");
			expect(Object.keys(meta.inputSchema.properties)).toContain("periodDays");
			expect(meta.outputSchema).toHaveProperty("properties.thumbsUp");
		}
	});

	it("pages with take and cursor, in either order, until no cursor is returned", async () => {
		for (const order of ["asc", "desc"] as const) {
			const seen: Array<string> = [];
			let cursor: string | undefined;
			let pages = 0;
			do {
				const query = new URLSearchParams({ take: "5", order, ...(cursor ? { cursor } : {}) });
				const response = await call(server.baseUrl, `/api/v1/platform/report/list?${query}`, { token });
				expect(response.status).toBe(200);
				const items = response.json.items as Array<{ id: string }>;
				expect(items.length).toBeLessThanOrEqual(5);
				seen.push(...items.map((item) => item.id));
				cursor = response.json.cursor as string | undefined;
				pages++;
			} while (cursor !== undefined);
			const expected = Object.values(ReportIds) as Array<string>;
			expect(seen).toEqual(order === "asc" ? expected : [...expected].reverse());
			expect(pages).toBe(Math.ceil(expected.length / 5));
		}
	});

	it("rejects a take out of range, naming the parameter", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/list?take=0", { token });
		expect(response.status).toBe(400);
		expect(response.json).toMatchObject({ code: "BAD_REQUEST" });
		expect(response.json.message).toMatch(/take/);
	});

	it("streams one item line per report for Accept: application/jsonl", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/list", {
			token,
			headers: { accept: "application/jsonl" },
		});
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toMatch(/^application\/jsonl/);
		const lines = response.text
			.trim()
			.split("\n")
			.map((line) => JSON.parse(line));
		expect(lines).toHaveLength(Object.keys(ReportIds).length);
		for (const line of lines) expect(line.type).toBe("item");
		expect(lines[0].data.id).toBe(ReportIds.DatasetRecords);
	});
});

describe("batch generate", () => {
	it("answers every key: outputs for successes, {error, code} for failures, without failing the batch", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/generate", {
			token,
			body: {
				[ReportIds.TotalRatings]: { periodDays: 7 },
				[ReportIds.TotalContacts]: {},
				doesNotExist: {},
				[ReportIds.BotStats]: { botId: "globex-bot" },
				[ReportIds.ThumbsUp]: { periodDays: 999 },
			},
		});
		expect(response.status).toBe(200);
		const body = response.json as Record<string, Record<string, unknown>>;
		expect(Object.keys(body).sort()).toEqual(
			[ReportIds.TotalRatings, ReportIds.TotalContacts, "doesNotExist", ReportIds.BotStats, ReportIds.ThumbsUp].sort(),
		);
		expect(body[ReportIds.TotalRatings]).toMatchObject({ value: 0, period: "last 7 days", thumbsUp: 0 });
		expect(body[ReportIds.TotalRatings]!.breakdown).toHaveLength(7);
		expect(body[ReportIds.TotalContacts]).toEqual({ value: 0, period: "all time" });
		expect(body.doesNotExist).toEqual({ error: "Report not found", code: "NOT_FOUND" });
		expect(body[ReportIds.BotStats]).toMatchObject({ code: "NOT_FOUND" });
		expect(body[ReportIds.ThumbsUp]!.code).toBe("BAD_REQUEST");
		expect(body[ReportIds.ThumbsUp]!.error).toMatch(/periodDays.*365/);
	});

	it("rejects more than 50 keys with 400", async () => {
		const body = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`report${index}`, {}]));
		const response = await call(server.baseUrl, "/api/v1/platform/report/generate", { token, body });
		expect(response.status).toBe(400);
		expect(response.json.code).toBe("BAD_REQUEST");
		expect(response.json.message).toMatch(/50/);
	});

	it.each([
		["an array", "[1, 2]"],
		["a string", '"hello"'],
		["null", "null"],
		["invalid JSON", "{not json"],
		["an empty body", ""],
	])("rejects %s as the body with 400 {message, code}", async (_label, rawBody) => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/generate", {
			token,
			method: "POST",
			rawBody,
			headers: { "content-type": "application/json" },
		});
		expect(response.status).toBe(400);
		expect(response.json).toEqual({ message: expect.any(String), code: "BAD_REQUEST" });
	});

	it("rejects a body over 256 KiB with 413", async () => {
		const padding = "x".repeat(256 * 1024);
		const response = await call(server.baseUrl, "/api/v1/platform/report/generate", {
			token,
			body: { [ReportIds.TotalContacts]: { padding } },
		});
		expect(response.status).toBe(413);
		expect(response.json).toEqual({ message: expect.any(String), code: "CONTENT_TOO_LARGE" });
	});
});

describe("single report generate", () => {
	it("ignores unknown input keys (legacy callers send userId to Total Contacts)", async () => {
		const response = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalContacts}/generate`, {
			token,
			body: { userId: "legacy-user" },
		});
		expect(response.status).toBe(200);
		expect(response.json).toEqual({ value: 0, period: "all time" });
	});

	it("answers 400 naming the field and its bound for an invalid input", async () => {
		const response = await call(server.baseUrl, `/v1/platform/report/${ReportIds.TotalMessages}/generate`, {
			token,
			body: { periodDays: 0 },
		});
		expect(response.status).toBe(400);
		expect(response.json.code).toBe("BAD_REQUEST");
		expect(response.json.message).toMatch(/periodDays/);
		expect(response.json.message).toMatch(/1/);
		const wrongType = await call(server.baseUrl, `/v1/platform/report/${ReportIds.TotalMessages}/generate`, {
			token,
			body: { granularity: "fortnight" },
		});
		expect(wrongType.status).toBe(400);
		expect(wrongType.json.message).toMatch(/granularity/);
	});

	it("answers 404 for an unknown report", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/nope123/generate", { token, body: {} });
		expect(response.status).toBe(404);
		expect(response.json).toEqual({ message: "Report not found", code: "NOT_FOUND" });
	});

	it("answers the same 404 for another account's bot as for a bot that exists nowhere", async () => {
		const foreign = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.BotStats}/generate`, {
			token,
			body: { botId: "globex-bot" },
		});
		const missing = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.BotStats}/generate`, {
			token,
			body: { botId: "no-such-bot" },
		});
		expect(foreign.status).toBe(404);
		expect(foreign.json).toEqual({ message: expect.any(String), code: "NOT_FOUND" });
		expect(foreign.text).toBe(missing.text);
		// The owner sees its bot.
		const own = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.BotStats}/generate`, {
			token: otherToken,
			body: { botId: "globex-bot" },
		});
		expect(own.status).toBe(200);
		expect(own.json).toMatchObject({ totalConversations: 0, sentimentSignal: "unknown" });
	});

	it("uses X-Timezone when the input has no timezone, and the input's timezone over the header", async () => {
		const zone = "Pacific/Kiritimati";
		const viaHeader = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalConversations}/generate`, {
			token,
			body: { periodDays: 1 },
			headers: { "x-timezone": zone },
		});
		expect(viaHeader.status).toBe(200);
		expect((viaHeader.json.breakdown as Array<{ date: string }>)[0]!.date).toBe(today(zone));
		const viaInput = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalConversations}/generate`, {
			token,
			body: { periodDays: 1, timezone: "Pacific/Pago_Pago" },
			headers: { "x-timezone": zone },
		});
		expect((viaInput.json.breakdown as Array<{ date: string }>)[0]!.date).toBe(today("Pacific/Pago_Pago"));
		const invalid = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalConversations}/generate`, {
			token,
			body: {},
			headers: { "x-timezone": "Mars/Olympus" },
		});
		expect(invalid.status).toBe(400);
		expect(invalid.json.message).toMatch(/Mars\/Olympus|timezone/i);
	});
});

describe("authentication and authorisation", () => {
	it("answers 401 NOT_AUTHENTICATED without a token, with an unknown token and with a revoked token", async () => {
		const account = await server.createAccount("Initech", ["reports:read"]);
		await server.revokeToken(account.tokenId!);
		for (const candidate of [undefined, "cvl_unknown_token_value", account.token]) {
			for (const [path, body] of [
				["/api/v1/platform/report/list", undefined],
				["/api/v1/platform/report/generate", {}],
				[`/api/v1/platform/report/${ReportIds.TotalContacts}/generate`, {}],
				["/api/v1/platform/report/unknown/generate", {}],
				["/api/v1/ingest", {}],
			] as const) {
				const response = await call(server.baseUrl, path, { ...(candidate ? { token: candidate } : {}), body });
				expect(response.status, `${path} with ${candidate ?? "no token"}`).toBe(401);
				expect(response.json).toEqual({ message: expect.any(String), code: "NOT_AUTHENTICATED" });
				expect(response.headers.get("www-authenticate")).toBe('Bearer realm="convolens"');
			}
		}
	});

	it("answers 403 NOT_AUTHORIZED when the token lacks the scope", async () => {
		const ingestOnly = await server.createAccount("Ingest only", ["ingest:write"]);
		const reportsOnly = await server.createAccount("Reports only", ["reports:read"]);
		const reports = await call(server.baseUrl, "/api/v1/platform/report/list", { token: ingestOnly.token });
		expect(reports.status).toBe(403);
		expect(reports.json).toEqual({ message: expect.stringMatching(/reports:read/), code: "NOT_AUTHORIZED" });
		const ingest = await call(server.baseUrl, "/api/v1/ingest", { token: reportsOnly.token, body: {} });
		expect(ingest.status).toBe(403);
		expect(ingest.json.code).toBe("NOT_AUTHORIZED");
	});
});

describe("ingest", () => {
	it("stores a batch and the reports reflect it as soon as the request returns; delete erases it", async () => {
		const account = await server.createAccount("Hooli");
		const now = Date.now();
		const ingest = await call(server.baseUrl, "/api/v1/ingest", {
			token: account.token,
			body: {
				contacts: [{ id: "ct1", name: "Ada" }],
				bots: [{ id: "b1", name: "Helper" }],
				conversations: [{ id: "cv1", botId: "b1", contactId: "ct1", createdAt: now }],
				messages: [
					{ id: "m1", conversationId: "cv1", type: "user", tokens: 7, createdAt: new Date(now).toISOString() },
					{ id: "m2", conversationId: "cv1", type: "bot", tokens: 30 },
					{ id: "m3", conversationId: "missing", type: "user" },
				],
				ratings: [{ id: "r1", value: 1, botId: "b1", conversationId: "cv1" }],
			},
		});
		expect(ingest.status).toBe(200);
		expect(ingest.json.inserted).toMatchObject({ contacts: 1, bots: 1, conversations: 1, messages: 2, ratings: 1 });
		expect(ingest.json.errors).toEqual([
			{ collection: "messages", index: 2, id: "m3", code: "NOT_FOUND", message: expect.stringMatching(/conversation/) },
		]);

		const report = await call(server.baseUrl, "/api/v1/platform/report/generate", {
			token: account.token,
			body: {
				[ReportIds.TotalMessages]: { periodDays: 1 },
				[ReportIds.BotStats]: { botId: "b1", periodDays: 1 },
				[ReportIds.TotalContacts]: {},
			},
		});
		const body = report.json as Record<string, Record<string, unknown>>;
		expect(body[ReportIds.TotalMessages]!.value).toBe(2);
		expect(body[ReportIds.BotStats]).toMatchObject({
			totalConversations: 1,
			totalMessages: 2,
			totalTokens: 37,
			thumbsUp: 1,
		});
		expect(body[ReportIds.TotalContacts]!.value).toBe(1);

		const again = await call(server.baseUrl, "/api/v1/ingest", {
			token: account.token,
			body: { contacts: [{ id: "ct1", name: "Ada" }] },
		});
		expect(again.json.duplicates).toMatchObject({ contacts: 1 });

		const erase = await call(server.baseUrl, "/api/v1/ingest/delete", {
			token: account.token,
			body: { contacts: ["ct1"] },
		});
		expect(erase.status).toBe(200);
		const after = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalMessages}/generate`, {
			token: account.token,
			body: { periodDays: 1 },
		});
		expect(after.json.value).toBe(0);
	});

	it("rejects an unknown collection with 400 naming it, and a body over 10 MiB with 413", async () => {
		const unknown = await call(server.baseUrl, "/api/v1/ingest", { token, body: { widgets: [] } });
		expect(unknown.status).toBe(400);
		expect(unknown.json.message).toMatch(/widgets/);
		const huge = await call(server.baseUrl, "/api/v1/ingest", {
			token,
			method: "POST",
			rawBody: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
			headers: { "content-type": "application/json" },
		});
		expect(huge.status).toBe(413);
		expect(huge.json.code).toBe("CONTENT_TOO_LARGE");
	});
});

describe("the HTTP envelope", () => {
	it("answers unknown routes with JSON 404 and wrong methods with 405 and Allow, never HTML", async () => {
		for (const [path, method] of [
			["/nope", "GET"],
			["/api/v2/platform/report/list", "GET"],
		] as const) {
			const response = await call(server.baseUrl, path, { token, method });
			expect(response.status).toBe(404);
			expect(response.headers.get("content-type")).toMatch(/^application\/json/);
			expect(response.json).toEqual({ message: expect.any(String), code: "NOT_FOUND" });
		}
		for (const [path, method, allow] of [
			["/api/v1/platform/report/generate", "GET", "POST"],
			[`/api/v1/platform/report/${ReportIds.TotalRatings}/generate`, "GET", "POST"],
			["/api/v1/platform/report/list", "POST", "GET"],
			["/api/v1/ingest", "PUT", "POST"],
		] as const) {
			const response = await call(server.baseUrl, path, { token, method });
			expect(response.status, `${method} ${path}`).toBe(405);
			expect(response.headers.get("allow")).toBe(allow);
			expect(response.json).toEqual({
				message: `${method} is not allowed on ${path.slice(4)}; it takes ${allow}`,
				code: "METHOD_NOT_ALLOWED",
			});
		}
	});

	it("sets security headers and a request id, and never logs a token", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/list", {
			token,
			headers: { "x-request-id": "req-123" },
		});
		expect(response.headers.get("x-request-id")).toBe("req-123");
		expect(response.headers.get("x-content-type-options")).toBe("nosniff");
		expect(response.headers.get("x-frame-options")).toBe("DENY");
		const line = server.lines.find((entry) => entry.fields.requestId === "req-123");
		expect(line).toMatchObject({ message: "request", fields: { status: 200, method: "GET" } });
		expect(line!.fields.accountId).toEqual(expect.any(String));
		expect(JSON.stringify(server.lines)).not.toContain(token);
	});

	it("serves /healthz and /readyz", async () => {
		expect((await call(server.baseUrl, "/healthz")).json).toEqual({ status: "ok" });
		const ready = await call(server.baseUrl, "/readyz");
		expect(ready.status).toBe(200);
		expect(ready.json).toEqual({ status: "ready" });
	});

	it("serves the OpenAPI document and a self-contained API reference", async () => {
		const openapi = await call(server.baseUrl, "/api/v1/openapi.json");
		expect(openapi.status).toBe(200);
		expect(openapi.json.openapi).toBe("3.1.0");
		const paths = openapi.json.paths as Record<string, unknown>;
		expect(paths).toHaveProperty(["/api/v1/platform/report/list"]);
		expect(paths).toHaveProperty([`/api/v1/platform/report/${ReportIds.BotStats}/generate`, "post", "requestBody"]);
		// The script-free reference; /docs itself is the interactive one (docs.test.ts).
		const docs = await call(server.baseUrl, "/docs/static");
		expect(docs.status).toBe(200);
		expect(docs.headers.get("content-type")).toMatch(/^text\/html/);
		expect(docs.text).toContain("Bot Stats");
		expect(docs.text).not.toMatch(/<script|https?:\/\/cdn/i);
	});
});

describe("order of checks", () => {
	it("answers 401 before reading an oversized body", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/generate", {
			method: "POST",
			rawBody: "x".repeat(300 * 1024),
		});
		expect(response.status).toBe(401);
		expect(response.json.code).toBe("NOT_AUTHENTICATED");
	});
});

describe("GET /api/v1/conversations (drill-down)", () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startTestServer();
	});
	afterAll(() => server.close());

	it("pages an account's conversations of a range over REST, and tRPC answers the same", async () => {
		const { token } = await server.createAccount("Drill");
		const other = await server.createAccount("Other");
		const conversations = ["c1", "c2", "c3"].map((id, index) => ({
			id,
			createdAt: `2026-11-2${index}T10:00:00Z`,
		}));
		for (const who of [token, other.token]) {
			expect((await call(server.baseUrl, "/api/v1/ingest", { token: who, body: { conversations } })).status).toBe(200);
		}
		const query = "start=2026-11-20T00:00:00Z&end=2026-11-23T00:00:00Z&take=2";
		const first = await call(server.baseUrl, `/api/v1/conversations?${query}`, { token, method: "GET" });
		expect(first.status).toBe(200);
		const items = first.json.items as Array<{ id: string }>;
		expect(items.map((item) => item.id)).toEqual(["c3", "c2"]);
		const cursor = first.json.cursor as string;
		const second = await call(server.baseUrl, `/api/v1/conversations?${query}&cursor=${encodeURIComponent(cursor)}`, {
			token,
			method: "GET",
		});
		expect(second.json).toEqual({
			items: [
				{
					id: "c1",
					botId: null,
					contactId: null,
					createdAt: "2026-11-20T10:00:00.000Z",
					userMessages: 0,
					botMessages: 0,
					activityMessages: 0,
					tokens: 0,
					thumbsUp: 0,
					thumbsDown: 0,
				},
			],
		});
		const trpc = createTRPCClient<AppRouter>({
			links: [httpLink({ url: `${server.baseUrl}/trpc`, headers: { authorization: `Bearer ${token}` } })],
		});
		expect(
			await trpc.conversations.list.query({ start: "2026-11-20T00:00:00Z", end: "2026-11-23T00:00:00Z", take: 2 }),
		).toEqual(first.json);
		const bad = await call(server.baseUrl, "/api/v1/conversations?start=soon", { token, method: "GET" });
		expect(bad.status).toBe(400);
		expect(bad.json).toEqual({ message: expect.stringContaining("start"), code: "BAD_REQUEST" });
		const wrongMethod = await call(server.baseUrl, `/api/v1/conversations?${query}`, { token, body: {} });
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get("allow")).toBe("GET");
	});
});
