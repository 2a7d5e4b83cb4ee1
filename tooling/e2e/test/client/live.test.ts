/**
 * Both transports against the real server (the api's HTTP server over a fresh PostgreSQL database): the same typed
 * calls must give the same answers, partial failures stay per report, and auth failures arrive as ConvolensError.
 */

import {
	BotStats,
	type ConvolensClient,
	ConvolensError,
	createClient,
	DatasetRecords,
	type ReportId,
	ReportIds,
	reportDescriptors,
	ThumbsUp,
	TotalContacts,
	TotalRatings,
} from "@convolens/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, seedAccount, seeded, startTestServer, type TestServer } from "../support.ts";

let server: TestServer;
let token: string;
let otherAccountToken: string;
let ingestOnlyToken: string;

beforeAll(async () => {
	server = await startTestServer();
	({ token } = await server.createAccount("Acme"));
	await seedAccount(server, token);
	const extraBot = await call(server.baseUrl, "/api/v1/ingest", {
		token,
		body: { bots: [{ id: "bot_only_in_acme", name: "Acme only" }] },
	});
	expect(extraBot.json.inserted).toMatchObject({ bots: 1 });
	const other = await server.createAccount("Other");
	otherAccountToken = other.token;
	await seedAccount(server, otherAccountToken);
	({ token: ingestOnlyToken } = await server.createAccount("Writer", ["ingest:write"]));
});

afterAll(() => server?.close());

const transports = ["trpc", "rest"] as const;

const clientFor = (transport: (typeof transports)[number], options: { token?: string; timezone?: string } = {}) =>
	createClient({ url: server.baseUrl, token: options.token ?? token, transport, ...options });

describe.each(transports)("over %s", (transport) => {
	let client: ConvolensClient;
	beforeAll(() => {
		client = clientFor(transport);
	});

	it("lists every report the client knows, with schemas, and pages with a cursor", async () => {
		const { items, cursor } = await client.list();
		expect(cursor).toBeUndefined();
		expect(items.map((item) => item.id)).toEqual(reportDescriptors.map((report) => report.id));
		const ratings = items.find((item) => item.id === TotalRatings.id);
		expect(ratings?.name).toBe("Total Ratings");
		expect(typeof ratings?.createdAt).toBe("number");
		expect(ratings?.meta.inputSchema).toMatchObject({ type: "object" });

		const first = await client.list({ take: 5 });
		expect(first.items).toHaveLength(5);
		expect(first.cursor).toBe(first.items[4]?.id);
		const second = await client.list({ take: 5, ...(first.cursor === undefined ? {} : { cursor: first.cursor }) });
		expect(second.items.map((item) => item.id)).toEqual(items.slice(5, 10).map((item) => item.id));
	});

	it("runs a report through its method", async () => {
		const ratings = await client.totalRatings({ periodDays: 7 });
		expect(ratings).toMatchObject({
			value: seeded.thumbsUp + seeded.thumbsDown,
			thumbsUp: seeded.thumbsUp,
			thumbsDown: seeded.thumbsDown,
			period: "last 7 days",
		});
		expect(ratings.breakdown).toHaveLength(7);

		const stats = await client.botStats({ botId: seeded.botId });
		expect(stats).toMatchObject({
			totalConversations: 1,
			totalMessages: seeded.userMessages + seeded.botMessages,
			totalTokens: seeded.tokens,
			sentimentSignal: "positive",
		});
		await expect(client.totalContacts()).resolves.toEqual({ value: 1, period: "all time" });
	});

	it("returns exactly the requested reports from generate, each ok or failed on its own", async () => {
		const results = await client.generate({
			[TotalRatings.id]: { periodDays: 7 },
			[BotStats.id]: { botId: "bot_nobody_has" },
			[ThumbsUp.id]: { periodDays: 999 },
			[DatasetRecords.id]: { datasetIds: [seeded.datasetId, "ds_missing"] },
		});
		expect(Object.keys(results).sort()).toEqual([TotalRatings.id, BotStats.id, ThumbsUp.id, DatasetRecords.id].sort());

		const ratings = results[TotalRatings.id];
		expect(ratings.ok && ratings.data.thumbsDown).toBe(seeded.thumbsDown);
		expect(results[BotStats.id]).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
		const thumbsUp = results[ThumbsUp.id];
		expect(thumbsUp.ok).toBe(false);
		if (!thumbsUp.ok) {
			expect(thumbsUp.error.code).toBe("BAD_REQUEST");
			expect(thumbsUp.error.message).toMatch(/periodDays/);
			if (transport === "trpc") expect(thumbsUp.error).toMatchObject({ tag: "InvalidInput", field: "periodDays" });
		}
		expect(results[DatasetRecords.id]).toEqual({
			ok: true,
			data: {
				totalRecords: seeded.records,
				breakdown: [{ datasetId: seeded.datasetId, records: seeded.records }],
				notFound: ["ds_missing"],
			},
		});
	});

	it("answers an ID the server does not know with a NOT_FOUND result", async () => {
		const unknownId = "clr3m5n8k999908jq0000000000" as ReportId;
		const results = await client.generate({ [unknownId]: {}, [TotalContacts.id]: {} } as never);
		expect(results).toEqual({
			[unknownId]: { ok: false, error: expect.objectContaining({ code: "NOT_FOUND", message: "Report not found" }) },
			[TotalContacts.id]: { ok: true, data: { value: 1, period: "all time" } },
		});
	});

	it("never shows one account's bot to another", async () => {
		const outsider = clientFor(transport, { token: otherAccountToken });
		await expect(client.botStats({ botId: "bot_only_in_acme" })).resolves.toMatchObject({ totalConversations: 0 });
		await expect(outsider.botStats({ botId: "bot_only_in_acme" })).rejects.toMatchObject({ code: "NOT_FOUND" });
		// Both accounts hold a bot with the same client-supplied ID; each sees only its own data.
		await expect(outsider.botStats({ botId: seeded.botId })).resolves.toMatchObject({ totalTokens: seeded.tokens });
	});

	it("throws a typed NOT_FOUND for a bot outside the account and BAD_REQUEST naming the field", async () => {
		const missing = await client.botStats({ botId: "bot_elsewhere" }).catch((error: unknown) => error);
		expect(ConvolensError.is(missing, "NOT_FOUND")).toBe(true);
		expect(missing).toMatchObject({ status: 404, reportId: BotStats.id, message: "Bot not found" });

		const invalid = await client.totalRatings({ periodDays: 0 }).catch((error: unknown) => error);
		expect(invalid).toBeInstanceOf(ConvolensError);
		expect(invalid).toMatchObject({ code: "BAD_REQUEST", status: 400 });
		expect((invalid as ConvolensError).message).toMatch(/periodDays/);
		if (transport === "trpc") {
			// The tRPC error formatter carries the typed error's tag and field; the REST body has only message and code.
			expect(missing).toMatchObject({ tag: "ResourceNotFound" });
			expect(invalid).toMatchObject({ tag: "InvalidInput", field: "periodDays" });
		}
	});

	it("throws NOT_AUTHENTICATED for an unknown token and NOT_AUTHORIZED for a token without reports:read", async () => {
		const stranger = clientFor(transport, { token: "cvl_not_a_real_token" });
		const unauthenticated = await stranger.totalContacts().catch((error: unknown) => error);
		expect(unauthenticated).toBeInstanceOf(ConvolensError);
		expect(unauthenticated).toMatchObject({ code: "NOT_AUTHENTICATED", status: 401 });
		await expect(stranger.generate({ [TotalContacts.id]: {} })).rejects.toMatchObject({ code: "NOT_AUTHENTICATED" });
		await expect(stranger.list()).rejects.toMatchObject({ code: "NOT_AUTHENTICATED" });

		const writer = clientFor(transport, { token: ingestOnlyToken });
		await expect(writer.totalContacts()).rejects.toMatchObject({ code: "NOT_AUTHORIZED", status: 403 });
	});

	it("exports a report as CSV text whose rows are the report's buckets", async () => {
		const output = await client.totalRatings({ periodDays: 7, timezone: "UTC" });
		const csv = await client.exportCsv(TotalRatings.id, { periodDays: 7, timezone: "UTC" });
		const lines = csv.split("\r\n");
		expect(lines[0]?.split(",").slice(0, 4)).toEqual(["date", "start", "end", "total"]);
		expect(lines.at(-1)).toBe("");
		expect(lines.slice(1, -1).map((line) => line.split(",")[0])).toEqual(output.breakdown.map((bucket) => bucket.date));
		const missing = await client.exportCsv(BotStats.id, { botId: "bot_elsewhere" }).catch((error: unknown) => error);
		expect(missing).toBeInstanceOf(ConvolensError);
		expect(missing).toMatchObject({ code: "NOT_FOUND", status: 404, reportId: BotStats.id });
	});

	it("rejects with the abort reason when the caller aborts", async () => {
		const controller = new AbortController();
		const reason = new Error("no longer needed");
		const pending = client.comprehensiveAnalytics({ periodDays: 90 }, { signal: controller.signal });
		controller.abort(reason);
		await expect(pending).rejects.toBe(reason);
	});

	it("watches a batch: the generate result at once, then a new one after each ingest, until aborted", async () => {
		const { token: watcherToken } = await server.createAccount(`Watcher over ${transport}`);
		await seedAccount(server, watcherToken);
		const watcher = clientFor(transport, { token: watcherToken });
		const request = { [TotalContacts.id]: {}, [BotStats.id]: { botId: seeded.botId, periodDays: 7 } } as const;
		const controller = new AbortController();
		const seen: Array<Awaited<ReturnType<typeof watcher.generate<keyof typeof request>>>> = [];
		for await (const result of watcher.watch(request, { signal: controller.signal })) {
			seen.push(result);
			if (seen.length === 1) {
				expect(result).toEqual(await watcher.generate(request));
				const added = await call(server.baseUrl, "/api/v1/ingest", {
					token: watcherToken,
					body: { contacts: [{ id: "contact_new", name: "New" }] },
				});
				expect(added.json.inserted).toMatchObject({ contacts: 1 });
			} else {
				controller.abort();
			}
		}
		expect(seen).toHaveLength(2);
		const [before, after] = seen.map((result) => result[TotalContacts.id]);
		expect(before?.ok && before.data.value).toBe(1);
		expect(after?.ok && after.data.value).toBe(2);
		expect(seen[1]?.[BotStats.id]).toEqual(seen[0]?.[BotStats.id]);
	});

	it("throws NOT_AUTHENTICATED from a watch with an unknown token", async () => {
		const stranger = clientFor(transport, { token: "not-a-token" });
		const iterate = async () => {
			for await (const _ of stranger.watch({ [TotalContacts.id]: {} })) return;
		};
		await expect(iterate()).rejects.toMatchObject({ code: "NOT_AUTHENTICATED", status: 401 });
	});

	it("sends the configured timezone, which the hour buckets are labelled in", async () => {
		const kolkata = clientFor(transport, { timezone: "Asia/Kolkata" });
		const { breakdown } = await kolkata.totalRatings({ periodDays: 1, granularity: "hour" });
		expect(breakdown).toHaveLength(24);
		expect(breakdown.every((bucket) => bucket.date.endsWith("+05:30"))).toBe(true);
		// An input timezone wins over the header.
		const explicit = await kolkata.totalRatings({ periodDays: 1, granularity: "hour", timezone: "UTC" });
		expect(explicit.breakdown[0]?.date).toMatch(/T\d\d:00\+00:00$/);
	});
});

describe("the two transports", () => {
	it("give identical answers for every report", async () => {
		// Each report gets an input built from its published schema: a botId where one is required.
		const { items } = await clientFor("rest").list();
		const requests = Object.fromEntries(
			items.map((item) => {
				const required = (item.meta.inputSchema as { required?: ReadonlyArray<string> }).required ?? [];
				if (required.includes("datasetIds")) return [item.id, { datasetIds: [seeded.datasetId] }];
				if (required.includes("botId")) return [item.id, { botId: seeded.botId, periodDays: 14 }];
				return [item.id, item.id === ReportIds.TotalContacts ? {} : { periodDays: 14 }];
			}),
		) as never;
		const [overTrpc, overRest] = await Promise.all([
			clientFor("trpc").generate(requests),
			clientFor("rest").generate(requests),
		]);
		const failures = Object.entries(overTrpc as Record<string, { ok: boolean }>).filter(([, result]) => !result.ok);
		expect(failures).toEqual([]);
		expect(overRest).toEqual(overTrpc);
	});

	it("drill down to the same conversations, with their counts, over either", async () => {
		const query = { start: new Date(Date.now() - 3_600_000), end: new Date(Date.now() + 60_000), botId: seeded.botId };
		const [overTrpc, overRest] = await Promise.all([
			clientFor("trpc").conversations(query),
			clientFor("rest").conversations({ ...query, start: query.start.toISOString() }),
		]);
		expect(overRest).toEqual(overTrpc);
		expect(overTrpc.items).toEqual([
			expect.objectContaining({
				id: "conv_1",
				botId: seeded.botId,
				userMessages: seeded.userMessages,
				botMessages: seeded.botMessages,
				tokens: seeded.tokens,
				thumbsUp: seeded.thumbsUp,
				// The seeded thumbs down names no conversation: it is the bot's, not this conversation's.
				thumbsDown: 0,
			}),
		]);
		const refused = await clientFor("rest")
			.conversations({ ...query, take: 500 })
			.catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(ConvolensError);
		expect((refused as ConvolensError).code).toBe("BAD_REQUEST");
	});

	it("batch concurrent method calls over tRPC and keep their results apart", async () => {
		const client = clientFor("trpc");
		const [contacts, ratings, stats] = await Promise.all([
			client.totalContacts(),
			client.totalRatings({ periodDays: 3 }),
			client.botStats({ botId: seeded.botId, periodDays: 3 }).catch((error: unknown) => error),
		]);
		expect(contacts.value).toBe(1);
		expect(ratings.period).toBe("last 3 days");
		expect(stats).toMatchObject({ totalTokens: seeded.tokens });
	});
});
