import { PlatformReportClient } from "@chatbotkit/sdk/platform/report";
import { ReportIds } from "@convolens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./support.ts";

/** The real `@chatbotkit/sdk` client pointed at our server: the REST contract must satisfy it unchanged. */

let server: TestServer;
let sdk: PlatformReportClient;

const rejectionOf = async (promise: PromiseLike<unknown>) => {
	try {
		await promise;
	} catch (error) {
		return error as Error & { code?: string };
	}
	throw new Error("expected the call to fail");
};

beforeAll(async () => {
	server = await startTestServer();
	const { token } = await server.createAccount("SDK user");
	const ingest = await call(server.baseUrl, "/api/v1/ingest", {
		token,
		body: {
			bots: [{ id: "sdk-bot" }],
			conversations: [{ id: "c1", botId: "sdk-bot" }, { id: "c2" }],
			ratings: [
				{ id: "r1", value: 1, botId: "sdk-bot" },
				{ id: "r2", value: -1, botId: "sdk-bot" },
				{ id: "r3", value: 1 },
			],
		},
	});
	expect(ingest.status).toBe(200);
	sdk = new PlatformReportClient({ secret: token, baseUrl: server.baseUrl, timezone: "UTC" });
});

afterAll(() => server.close());

describe("@chatbotkit/sdk PlatformReportClient", () => {
	it("list() returns every report", async () => {
		const response = await sdk.list();
		expect(response.items.map((item) => item.id)).toEqual(Object.values(ReportIds));
		expect(response.items[0]).toMatchObject({ name: "Dataset Records", createdAt: expect.any(Number) });
	});

	it("list({take}) pages with a cursor", async () => {
		const first = (await sdk.list({ take: 10 })) as { items: Array<{ id: string }>; cursor?: string };
		expect(first.items).toHaveLength(10);
		expect(first.cursor).toBe(first.items[9]!.id);
		const second = (await sdk.list({ take: 10, cursor: first.cursor! })) as { items: Array<{ id: string }> };
		expect(second.items[0]!.id).toBe(Object.values(ReportIds)[10]);
	});

	it("list().stream() yields one item event per report", async () => {
		const events: Array<{ type: string; data: { id: string } }> = [];
		for await (const event of sdk.list().stream()) events.push(event as { type: string; data: { id: string } });
		expect(events.map((event) => event.type)).toEqual(Object.values(ReportIds).map(() => "item"));
		expect(events.map((event) => event.data.id)).toEqual(Object.values(ReportIds));
	});

	it("generate(id, input) returns the report output", async () => {
		const ratings = (await sdk.generate(ReportIds.TotalRatings, { periodDays: 7 })) as Record<string, unknown>;
		expect(ratings).toMatchObject({ value: 3, thumbsUp: 2, thumbsDown: 1, period: "last 7 days" });
		const stats = (await sdk.generate(ReportIds.BotStats, { botId: "sdk-bot" })) as Record<string, unknown>;
		expect(stats).toMatchObject({ totalConversations: 1, totalRatings: 2, sentimentSignal: "neutral" });
	});

	it("generateTyped(id, input) works for the legacy Total Contacts input with userId", async () => {
		const contacts = await sdk.generateTyped(ReportIds.TotalContacts, { userId: "legacy" } as never);
		expect(contacts).toEqual({ value: 0, period: "all time" });
	});

	it("generateBatch(map) answers every key, failures as {error, code}", async () => {
		const requests = {
			[ReportIds.TotalConversations]: { periodDays: 1 },
			[ReportIds.BotStats]: { botId: "someone-elses-bot" },
			unknownReport: {},
		};
		// The SDK types each batch input as `Record<string, never>`; the wire accepts any report input.
		const results = (await sdk.generateBatch(requests as unknown as Parameters<typeof sdk.generateBatch>[0])) as Record<
			string,
			Record<string, unknown>
		>;
		expect(results[ReportIds.TotalConversations]).toMatchObject({ value: 2 });
		expect(results[ReportIds.BotStats]).toMatchObject({ code: "NOT_FOUND" });
		expect(results.unknownReport).toEqual({ error: "Report not found", code: "NOT_FOUND" });
	});

	it("surfaces failures as the SDK's FetchError carrying our message and code", async () => {
		const notFound = await rejectionOf(sdk.generate(ReportIds.BotStats, { botId: "ghost" }));
		expect(notFound.name).toBe("FetchError");
		expect(notFound.code).toBe("NOT_FOUND");
		const invalid = await rejectionOf(sdk.generate(ReportIds.TotalRatings, { periodDays: 1000 }));
		expect(invalid.code).toBe("BAD_REQUEST");
		expect(invalid.message).toMatch(/periodDays/);
		const anonymous = new PlatformReportClient({ secret: "cvl_wrong", baseUrl: server.baseUrl });
		const unauthenticated = await rejectionOf(anonymous.list());
		expect(unauthenticated.name).toBe("FetchError");
		expect(unauthenticated.code).toBe("NOT_AUTHENTICATED");
	});
});
