import { ReportIds } from "@convolens/core";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { AppRouter } from "../src/index.ts";
import { appRouter } from "../src/trpc/router.ts";
import { call, startTestServer, type TestServer } from "./support.ts";

let server: TestServer;
let accountToken: string;

const clientFor = (token: string | undefined, options: { batch?: boolean; timezone?: string } = {}) => {
	const headers = () => ({
		...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
		...(options.timezone === undefined ? {} : { "x-timezone": options.timezone }),
	});
	const url = `${server.baseUrl}/trpc`;
	return createTRPCClient<AppRouter>({
		links: [options.batch ? httpBatchLink({ url, headers }) : httpLink({ url, headers })],
	});
};

/** The error a call rejects with, asserted to be a TRPCClientError. */
const failureOf = async (promise: Promise<unknown>) => {
	const error = await promise.then(
		() => undefined,
		(reason: unknown) => reason,
	);
	expect(error).toBeInstanceOf(TRPCClientError);
	return error as TRPCClientError<AppRouter>;
};

beforeAll(async () => {
	server = await startTestServer();
	accountToken = (await server.createAccount("Acme")).token;
	const ingest = await call(server.baseUrl, "/api/v1/ingest", {
		token: accountToken,
		body: {
			bots: [{ id: "bot-a" }],
			conversations: [{ id: "c1", botId: "bot-a" }],
			messages: [
				{ id: "m1", conversationId: "c1", type: "user", tokens: 3 },
				{ id: "m2", conversationId: "c1", type: "activity", tokens: 0, action: { type: "tool", name: "search" } },
			],
			ratings: [{ id: "r1", value: -1, botId: "bot-a", reason: "slow" }],
		},
	});
	expect(ingest.status).toBe(200);
});

afterAll(() => server.close());

describe("tRPC procedures", () => {
	it("lists the catalogue", async () => {
		const page = await clientFor(accountToken).reports.list.query({ take: 3 });
		expect(page.items.map((item) => item.id)).toEqual([
			ReportIds.DatasetRecords,
			ReportIds.TotalRatings,
			ReportIds.ThumbsUp,
		]);
		expect(page.cursor).toBe(ReportIds.ThumbsUp);
	});

	it("runs one procedure per report with the report's own input and output types", async () => {
		const client = clientFor(accountToken);
		const ratings = await client.reports.totalRatings.query({ periodDays: 7 });
		expectTypeOf(ratings.thumbsDown).toEqualTypeOf<number>();
		expect(ratings).toMatchObject({ value: 1, thumbsDown: 1, thumbsUp: 0, period: "last 7 days" });
		const quality = await client.reports.botConversationQuality.query({ botId: "bot-a", periodDays: 1 });
		expect(quality.topActions).toEqual([{ type: "tool", name: "search", count: 1 }]);
		const feedback = await client.reports.botNegativeFeedback.query({ botId: "bot-a" });
		expect(feedback.items.map((item) => item.reason)).toEqual(["slow"]);
		// @ts-expect-error botId is required by Bot Stats
		const missingBot = client.reports.botStats.query({ periodDays: 7 });
		const error = await failureOf(missingBot);
		expect(error.data?.wireCode).toBe("BAD_REQUEST");
		expect(error.data?.field).toBe("botId");
	});

	// Report procedures declare their schemas, but inputs are parsed by core (docs/decisions.md): an absent input is
	// `{}`, and the one-window rule is checked on the raw input before the schema, in the batch's words too.
	it("parses a report's input as core does: absent means defaults, the one-window rule comes first", async () => {
		const client = clientFor(accountToken);
		// @ts-expect-error the typed input is required; an untyped caller may still send none
		const absent = await client.reports.totalRatings.query();
		expect(absent).toMatchObject({ value: 1, period: "last 30 days" });
		const both = { periodDays: 400, startDate: "2026-01-01", endDate: "2026-01-02" };
		const single = await failureOf(client.reports.totalRatings.query(both));
		expect(single.message).toBe(
			"periodDays cannot be combined with startDate/endDate: send periodDays or the two dates",
		);
		const batch = await client.reports.generate.query({ [ReportIds.TotalRatings]: both });
		expect(batch[ReportIds.TotalRatings]).toEqual({
			ok: false,
			error: { code: "BAD_REQUEST", tag: "InvalidInput", message: single.message, field: "periodDays" },
		});
	});

	it("declares each report's input and output schemas on its procedure, for tRPC tooling", () => {
		const procedure = appRouter.reports.botStats as unknown as {
			_def: { inputs: ReadonlyArray<z.ZodType>; output?: z.ZodType };
		};
		const [input] = procedure._def.inputs;
		const inputSchema = z.toJSONSchema(input!, { io: "input" }) as { required?: Array<string>; properties: object };
		expect(inputSchema.required).toEqual(["botId"]);
		expect(Object.keys(inputSchema.properties)).toEqual(
			expect.arrayContaining(["botId", "periodDays", "startDate", "endDate", "timezone", "granularity"]),
		);
		const outputSchema = z.toJSONSchema(procedure._def.output!, { io: "output" }) as { properties: object };
		expect(Object.keys(outputSchema.properties)).toEqual(
			expect.arrayContaining(["totalConversations", "totalMessages", "thumbsUp", "thumbsDown", "period"]),
		);
	});

	it("runs a batch: a typed map of results, each a success or a failure", async () => {
		const results = await clientFor(accountToken, { batch: true }).reports.generate.query({
			[ReportIds.TotalMessages]: { periodDays: 1 },
			[ReportIds.BotStats]: { botId: "nobody" },
		});
		const messages = results[ReportIds.TotalMessages];
		expect(messages?.ok).toBe(true);
		if (messages?.ok) expect(messages.data.value).toBe(2);
		expect(results[ReportIds.BotStats]).toEqual({
			ok: false,
			error: { code: "NOT_FOUND", tag: "ResourceNotFound", message: "Bot not found", field: null },
		});
	});

	it("carries the typed error's tag, wire code and field in error.data", async () => {
		const client = clientFor(accountToken);
		const invalid = await failureOf(client.reports.totalMessages.query({ periodDays: 400 }));
		expect(invalid.data).toMatchObject({
			code: "BAD_REQUEST",
			httpStatus: 400,
			tag: "InvalidInput",
			wireCode: "BAD_REQUEST",
			field: "periodDays",
		});
		expect(invalid.message).toMatch(/periodDays.*365/);
		const notFound = await failureOf(client.reports.botPerformance.query({ botId: "ghost" }));
		expect(notFound.data).toMatchObject({ httpStatus: 404, tag: "ResourceNotFound", wireCode: "NOT_FOUND" });
		expect(notFound.data).not.toHaveProperty("stack");
	});

	it("rejects calls without a valid token (401) and without the scope (403)", async () => {
		const anonymous = await failureOf(clientFor(undefined).reports.list.query());
		expect(anonymous.data).toMatchObject({ httpStatus: 401, wireCode: "NOT_AUTHENTICATED" });
		const unknown = await failureOf(clientFor("cvl_bogus").reports.totalContacts.query({}));
		expect(unknown.data?.wireCode).toBe("NOT_AUTHENTICATED");
		const ingestOnly = await server.createAccount("Writer", ["ingest:write"]);
		const forbidden = await failureOf(clientFor(ingestOnly.token).reports.totalContacts.query({}));
		expect(forbidden.data).toMatchObject({ httpStatus: 403, wireCode: "NOT_AUTHORIZED" });
		// …but that token may ingest.
		const written = await clientFor(ingestOnly.token).ingest.batch.mutate({ contacts: [{ id: "k1", name: "Kim" }] });
		expect(written.inserted.contacts).toBe(1);
	});

	it("ingests and deletes through tRPC, and the reports see it at once", async () => {
		const account = await server.createAccount("Tenant");
		const client = clientFor(account.token);
		const result = await client.ingest.batch.mutate({
			contacts: [{ id: "u1" }, { id: "u2" }],
			conversations: [{ id: "cv", contactId: "u1" }],
		});
		expect(result.inserted).toMatchObject({ contacts: 2, conversations: 1 });
		expect((await client.reports.totalContacts.query({})).value).toBe(2);
		expect((await client.reports.activeContacts.query({ periodDays: 1 })).value).toBe(1);
		const erased = await client.ingest.delete.mutate({ contacts: ["u1"] });
		expect(erased.deleted.contacts).toBe(1);
		expect((await client.reports.totalContacts.query({})).value).toBe(1);
		expect((await client.reports.totalConversations.query({ periodDays: 1 })).value).toBe(0);
	});

	it("accepts queries sent as POST, so a large batch need not fit in a URL", async () => {
		const client = createTRPCClient<AppRouter>({
			links: [
				httpBatchLink({
					url: `${server.baseUrl}/trpc`,
					methodOverride: "POST",
					headers: { authorization: `Bearer ${accountToken}` },
				}),
			],
		});
		const requests = Object.fromEntries(
			Array.from({ length: 50 }, (_, index) => [index % 2 === 0 ? ReportIds.TotalRatings : ReportIds.ThumbsDown, {}]),
		);
		const padded = {
			...requests,
			[ReportIds.DatasetRecords]: {
				datasetIds: Array.from({ length: 100 }, (_, i) => `dataset-${"x".repeat(50)}-${i}`),
			},
		};
		const results = await client.reports.generate.query(padded);
		expect(results[ReportIds.TotalRatings]?.ok).toBe(true);
		expect(results[ReportIds.DatasetRecords]).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
	});

	it("uses the X-Timezone header when the input has no timezone", async () => {
		const zone = "Pacific/Kiritimati";
		const result = await clientFor(accountToken, { timezone: zone }).reports.totalConversations.query({
			periodDays: 1,
		});
		expect(result.breakdown[0]?.date).toBe(new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date()));
	});
});
