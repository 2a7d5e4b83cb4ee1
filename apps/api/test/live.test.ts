import { ReportIds } from "@convolens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeGracefully } from "../src/server.ts";
import { call, readStream, type StreamEvent, startTestServer, type TestServer } from "./support.ts";

/**
 * Live reports (contract §8.1), read the way a client reads them: the raw event stream parsed here, each result
 * compared with the plain batch call's answer at that moment, and with the counts of what the test itself ingested.
 */

const batchPath = "/api/v1/platform/report/generate";

const openWatch = async (baseUrl: string, token: string, body: unknown) => {
	const abort = new AbortController();
	const response = await fetch(`${baseUrl}${batchPath}`, {
		method: "POST",
		headers: { authorization: `Bearer ${token}`, accept: "text/event-stream", "content-type": "application/json" },
		body: JSON.stringify(body),
		signal: abort.signal,
	});
	return { response, abort, stream: response.ok ? readStream(response) : undefined };
};

const batch = { [ReportIds.TotalMessages]: { periodDays: 7 }, [ReportIds.TotalConversations]: { periodDays: 7 } };

let messageNumber = 0;
/** One conversation with `messages` user messages, ingested now. */
const ingestMessages = async (baseUrl: string, token: string, messages: number) => {
	const conversationId = `cv-${++messageNumber}`;
	const response = await call(baseUrl, "/api/v1/ingest", {
		token,
		body: {
			bots: [{ id: "bot", name: "Bot" }],
			conversations: [{ id: conversationId, botId: "bot" }],
			messages: Array.from({ length: messages }, (_, index) => ({
				id: `${conversationId}-m${index}`,
				conversationId,
				type: "user",
			})),
		},
	});
	expect(response.status).toBe(200);
};

const resultValue = (event: StreamEvent | undefined, id: string) =>
	(JSON.parse(event?.data ?? "{}") as Record<string, { value?: number }>)[id]?.value;

describe("live reports over REST (Accept: text/event-stream)", () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startTestServer({ live: { pollMs: 50, heartbeatMs: 200 } });
	});
	afterAll(() => server.close());

	it("answers the plain result at once, then again after each ingest, with heartbeats between", async () => {
		const { token } = await server.createAccount("Live");
		await ingestMessages(server.baseUrl, token, 2);
		const watch = await openWatch(server.baseUrl, token, batch);
		expect(watch.response.status).toBe(200);
		expect(watch.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
		const stream = watch.stream!;

		const [first] = await stream.until(1);
		const plain = await call(server.baseUrl, batchPath, { token, body: batch });
		expect(first?.event).toBe("result");
		expect(JSON.parse(first!.data)).toEqual(plain.json);
		expect(resultValue(first, ReportIds.TotalMessages)).toBe(2);

		await ingestMessages(server.baseUrl, token, 3);
		const events = await stream.until(2);
		expect(events).toHaveLength(2);
		expect(resultValue(events[1], ReportIds.TotalMessages)).toBe(5);
		expect(resultValue(events[1], ReportIds.TotalConversations)).toBe(2);
		expect(JSON.parse(events[1]!.data)).toEqual((await call(server.baseUrl, batchPath, { token, body: batch })).json);

		// Heartbeats every 200 ms in this server: a second of silence carries several.
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		expect(stream.comments.filter((comment) => comment === "keep-alive").length).toBeGreaterThanOrEqual(2);
		watch.abort.abort();
	});

	it("coalesces a burst of writes: results at least a second apart, the last one with every write", async () => {
		const { token } = await server.createAccount("Burst");
		const watch = await openWatch(server.baseUrl, token, batch);
		const stream = watch.stream!;
		await stream.until(1);
		for (let index = 0; index < 6; index++) await ingestMessages(server.baseUrl, token, 1);
		// Wait until a result shows all six, then look at the spacing of everything that arrived.
		const deadline = Date.now() + 15_000;
		while (resultValue(stream.events.at(-1), ReportIds.TotalMessages) !== 6 && Date.now() < deadline) {
			await stream.until(stream.events.length + 1, 2_000);
		}
		expect(resultValue(stream.events.at(-1), ReportIds.TotalMessages)).toBe(6);
		for (let index = 2; index < stream.events.length; index++) {
			// The first result is at once; every later one waits a second after the one before (timer slack aside).
			expect(stream.events[index]!.at - stream.events[index - 1]!.at).toBeGreaterThanOrEqual(900);
		}
		watch.abort.abort();
	});

	it("refuses a bad batch, a missing token and a read-less token with the usual JSON errors", async () => {
		const { token } = await server.createAccount("Refusals");
		const bad = await openWatch(server.baseUrl, token, [1, 2]);
		expect(bad.response.status).toBe(400);
		expect(await bad.response.json()).toMatchObject({ code: "BAD_REQUEST" });

		const anonymous = await fetch(`${server.baseUrl}${batchPath}`, {
			method: "POST",
			headers: { accept: "text/event-stream", "content-type": "application/json" },
			body: JSON.stringify(batch),
		});
		expect(anonymous.status).toBe(401);
		expect(await anonymous.json()).toMatchObject({ code: "NOT_AUTHENTICATED" });

		const ingestOnly = await server.createAccount("Writer", ["ingest:write"]);
		const forbidden = await openWatch(server.baseUrl, ingestOnly.token, batch);
		expect(forbidden.response.status).toBe(403);
	});

	it("is declared in the OpenAPI document as the batch endpoint's text/event-stream answer", async () => {
		const document = (await call(server.baseUrl, "/api/v1/openapi.json")).json as {
			paths: Record<string, { post: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
		};
		const batchOperation = document.paths[batchPath]!.post;
		expect(Object.keys(batchOperation.responses["200"]!.content!)).toEqual(["application/json", "text/event-stream"]);
		expect(batchOperation.responses).toHaveProperty("429");
	});

	it("never tells a tenant about another tenant's writes", async () => {
		const mine = await server.createAccount("Mine");
		const theirs = await server.createAccount("Theirs");
		await ingestMessages(server.baseUrl, mine.token, 1);
		const watch = await openWatch(server.baseUrl, mine.token, batch);
		const stream = watch.stream!;
		await stream.until(1);
		expect(resultValue(stream.events[0], ReportIds.TotalMessages)).toBe(1);
		await ingestMessages(server.baseUrl, theirs.token, 4);
		// The feed polls every 50 ms here: two seconds without a result is many polls that found nothing of ours.
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect(stream.events).toHaveLength(1);
		await ingestMessages(server.baseUrl, mine.token, 1);
		await stream.until(2);
		expect(resultValue(stream.events[1], ReportIds.TotalMessages)).toBe(2);
		watch.abort.abort();
	});
});

describe("live reports over tRPC (reports.watch)", () => {
	let server: TestServer;
	beforeAll(async () => {
		server = await startTestServer({ live: { pollMs: 50 } });
	});
	afterAll(() => server.close());

	const subscribe = (token: string, how: "header" | "connectionParams") => {
		const query = new URLSearchParams({ input: JSON.stringify(batch) });
		if (how === "connectionParams") query.set("connectionParams", JSON.stringify({ token }));
		const abort = new AbortController();
		const headers: Record<string, string> = { accept: "text/event-stream" };
		if (how === "header") headers.authorization = `Bearer ${token}`;
		return {
			abort,
			response: fetch(`${server.baseUrl}/trpc/reports.watch?${query}`, { headers, signal: abort.signal }),
		};
	};

	it("streams the batch in reports.generate's shape, with the token as a header or as connectionParams", async () => {
		const { token } = await server.createAccount("tRPC live");
		await ingestMessages(server.baseUrl, token, 1);
		const generate = await call(server.baseUrl, "/trpc/reports.generate", { token, body: batch });
		const expected = (generate.json as { result: { data: unknown } }).result.data;
		for (const how of ["header", "connectionParams"] as const) {
			const { abort, response } = subscribe(token, how);
			const opened = await response;
			expect(opened.status, how).toBe(200);
			const stream = readStream(opened);
			const [first] = (await stream.until(2)).filter((event) => event.event === "message");
			expect(JSON.parse(first!.data), how).toEqual(expected);
			abort.abort();
		}
	});

	it("refuses a subscription without a token with tRPC's in-stream error, as httpSubscriptionLink expects", async () => {
		const query = new URLSearchParams({ input: JSON.stringify(batch) });
		const response = await fetch(`${server.baseUrl}/trpc/reports.watch?${query}`);
		const stream = readStream(response);
		const events = await stream.until(2, 5_000);
		const failure = events.find((event) => event.event === "serialized-error");
		expect(JSON.parse(failure!.data)).toMatchObject({ data: { wireCode: "NOT_AUTHENTICATED", httpStatus: 401 } });
		expect(events.some((event) => event.event === "message")).toBe(false);
	});
});

describe("live reports across API processes", () => {
	let first: TestServer;
	let second: TestServer;
	beforeAll(async () => {
		first = await startTestServer({ live: { pollMs: 50, perAccount: 2 }, rateLimitStore: "postgres" });
		second = await startTestServer({
			live: { pollMs: 50, perAccount: 2 },
			rateLimitStore: "postgres",
			databaseUrl: first.databaseUrl,
		});
	});
	afterAll(async () => {
		await second.close();
		await first.close();
	});

	it("wakes a watch held by one process when another process ingests", async () => {
		const { token } = await first.createAccount("Two processes");
		const watch = await openWatch(second.baseUrl, token, batch);
		const stream = watch.stream!;
		await stream.until(1);
		await ingestMessages(first.baseUrl, token, 3);
		await stream.until(2);
		expect(resultValue(stream.events[1], ReportIds.TotalMessages)).toBe(3);
		watch.abort.abort();
	});

	it("holds the per-account watch limit across processes and frees a slot when a watch closes", async () => {
		const { token } = await first.createAccount("Limited");
		const other = await first.createAccount("Not limited");
		const one = await openWatch(first.baseUrl, token, batch);
		const two = await openWatch(second.baseUrl, token, batch);
		expect([one.response.status, two.response.status]).toEqual([200, 200]);
		for (const target of [first, second]) {
			const third = await openWatch(target.baseUrl, token, batch);
			expect(third.response.status).toBe(429);
			expect(await third.response.json()).toMatchObject({ code: "TOO_MANY_REQUESTS" });
		}
		// Another account's watches are counted on their own.
		const elsewhere = await openWatch(second.baseUrl, other.token, batch);
		expect(elsewhere.response.status).toBe(200);
		elsewhere.abort.abort();

		one.abort.abort();
		let reopened: Awaited<ReturnType<typeof openWatch>> | undefined;
		const deadline = Date.now() + 10_000;
		while (Date.now() < deadline) {
			reopened = await openWatch(second.baseUrl, token, batch);
			if (reopened.response.status === 200) break;
			await reopened.response.body?.cancel();
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(reopened?.response.status).toBe(200);
		reopened?.abort.abort();
		two.abort.abort();
	});

	it("ends open watches when the server closes, so the close does not wait for them", async () => {
		const third = await startTestServer({ live: { pollMs: 50 }, databaseUrl: first.databaseUrl });
		const { token } = await third.createAccount("Closing");
		const watch = await openWatch(third.baseUrl, token, batch);
		const stream = watch.stream!;
		await stream.until(1);
		// The force timeout is a minute: only the watch ending lets the close finish before the test's own timeout.
		await closeGracefully(third.server, 60_000);
		await stream.until(2, 5_000);
		expect(stream.ended()).toBe(true);
		await third.close();
	});
});
