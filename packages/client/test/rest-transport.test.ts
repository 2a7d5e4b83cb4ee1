/**
 * The REST transport against a scripted `fetch`: what goes on the wire and how every kind of answer a
 * REST-compatible server (or a proxy in front of it) can give becomes a result or a `ConvolensError`.
 * The same calls against the real server are in `tooling/e2e/test/client/live.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { BotStats, ConvolensError, createClient, ReportIds, TotalContacts, TotalRatings } from "../src/index.ts";

interface Recorded {
	readonly url: string;
	readonly method: string;
	readonly headers: Headers;
	readonly body: unknown;
}

const scripted = (answer: (request: Recorded) => Response | Promise<Response>) => {
	const requests: Array<Recorded> = [];
	const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
		const request: Recorded = {
			url: String(input),
			method: init?.method ?? "GET",
			headers: new Headers(init?.headers),
			body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
		};
		requests.push(request);
		return answer(request);
	};
	return { requests, fetch: fetch as typeof globalThis.fetch };
};

const json = (status: number, body: unknown) =>
	new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const restClient = (fetch: typeof globalThis.fetch, timezone?: string) =>
	createClient({
		url: "https://reports.example.com/base/",
		token: "tok_secret",
		transport: "rest",
		fetch,
		...(timezone === undefined ? {} : { timezone }),
	});

describe("the REST transport", () => {
	it("posts a report's input to its generate route with the token and timezone", async () => {
		const output = { value: 4, period: "all time" };
		const { requests, fetch } = scripted(() => json(200, output));
		const client = restClient(fetch, "Europe/Berlin");

		await expect(client.totalContacts()).resolves.toEqual(output);

		expect(requests).toHaveLength(1);
		const [request] = requests;
		expect(request?.url).toBe(`https://reports.example.com/base/api/v1/platform/report/${TotalContacts.id}/generate`);
		expect(request?.method).toBe("POST");
		expect(request?.headers.get("authorization")).toBe("Bearer tok_secret");
		expect(request?.headers.get("x-timezone")).toBe("Europe/Berlin");
		expect(request?.headers.get("content-type")).toBe("application/json");
		expect(request?.body).toEqual({});
	});

	it("sends no X-Timezone header when no timezone is configured", async () => {
		const { requests, fetch } = scripted(() => json(200, { value: 1 }));
		await restClient(fetch).totalRatings({ periodDays: 7 });
		expect(requests[0]?.headers.has("x-timezone")).toBe(false);
		expect(requests[0]?.body).toEqual({ periodDays: 7 });
	});

	it("lists reports with paging parameters in the query string", async () => {
		const { requests, fetch } = scripted(() => json(200, { items: [], cursor: "abc" }));
		await expect(restClient(fetch).list({ take: 2, order: "desc", cursor: "x" })).resolves.toEqual({
			items: [],
			cursor: "abc",
		});
		expect(requests[0]?.url).toBe(
			"https://reports.example.com/base/api/v1/platform/report/list?take=2&order=desc&cursor=x",
		);
		expect(requests[0]?.method).toBe("GET");
	});

	it("turns a batch answer into ok/failure results keyed by the requested IDs", async () => {
		const ratings = { value: 3, thumbsUp: 2, thumbsDown: 1 };
		const { requests, fetch } = scripted(() =>
			json(200, {
				[TotalRatings.id]: ratings,
				[BotStats.id]: { error: "Bot not found", code: "NOT_FOUND" },
			}),
		);
		const results = await restClient(fetch).generate({
			[TotalRatings.id]: { periodDays: 7 },
			[BotStats.id]: { botId: "elsewhere" },
		});
		expect(requests[0]?.url).toBe("https://reports.example.com/base/api/v1/platform/report/generate");
		expect(requests[0]?.body).toEqual({ [TotalRatings.id]: { periodDays: 7 }, [BotStats.id]: { botId: "elsewhere" } });
		expect(results).toEqual({
			[TotalRatings.id]: { ok: true, data: ratings },
			[BotStats.id]: { ok: false, error: { code: "NOT_FOUND", message: "Bot not found" } },
		});
	});

	it("reports an ID the server left out of a batch as a failure, not a missing key", async () => {
		const { fetch } = scripted(() => json(200, {}));
		const results = await restClient(fetch).generate({ [ReportIds.ThumbsUp]: {} });
		expect(results[ReportIds.ThumbsUp]).toEqual({
			ok: false,
			error: { code: "INTERNAL_SERVER_ERROR", message: "The server returned no usable result for this report" },
		});
	});

	it("exports CSV by asking the report's route for text/csv, and refuses an answer that is not CSV", async () => {
		const file = "date,total\r\n2026-01-01,3\r\n";
		const { requests, fetch } = scripted(
			() => new Response(file, { status: 200, headers: { "content-type": "text/csv; charset=utf-8" } }),
		);
		await expect(restClient(fetch).exportCsv(TotalRatings.id, { periodDays: 7 })).resolves.toBe(file);
		expect(requests[0]?.url).toBe(
			`https://reports.example.com/base/api/v1/platform/report/${TotalRatings.id}/generate`,
		);
		expect(requests[0]?.headers.get("accept")).toBe("text/csv");
		expect(requests[0]?.body).toEqual({ periodDays: 7 });

		const notCsv = scripted(() => json(200, { value: 1 }));
		await expect(restClient(notCsv.fetch).exportCsv(TotalRatings.id)).rejects.toMatchObject({
			code: "SERVICE_UNAVAILABLE",
			status: 502,
		});
		const failed = scripted(() => json(404, { message: "Bot not found", code: "NOT_FOUND" }));
		await expect(restClient(failed.fetch).exportCsv(BotStats.id, { botId: "x" })).rejects.toMatchObject({
			code: "NOT_FOUND",
			message: "Bot not found",
			reportId: BotStats.id,
		});
	});

	it("calls the given fetch as a plain function, as a browser's fetch requires", async () => {
		let receiver: unknown = "not called";
		const fetch = function (this: unknown) {
			receiver = this;
			return Promise.resolve(json(200, { value: 1, period: "all time" }));
		} as unknown as typeof globalThis.fetch;
		await restClient(fetch).totalContacts();
		expect(receiver).toBeUndefined();
	});

	it("throws the server's code, message and status as a ConvolensError", async () => {
		const { fetch } = scripted(() => json(400, { message: "periodDays: must be at most 365", code: "BAD_REQUEST" }));
		const failure = await restClient(fetch)
			.totalRatings({ periodDays: 999 })
			.catch((error: unknown) => error);
		expect(failure).toBeInstanceOf(ConvolensError);
		expect(failure).toMatchObject({
			code: "BAD_REQUEST",
			status: 400,
			message: "periodDays: must be at most 365",
			reportId: TotalRatings.id,
		});
	});

	it("derives the code from the status when the body is not the JSON error shape", async () => {
		const { fetch } = scripted(() => new Response("<html>Bad gateway</html>", { status: 502 }));
		await expect(restClient(fetch).list()).rejects.toMatchObject({
			name: "ConvolensError",
			code: "SERVICE_UNAVAILABLE",
			status: 502,
		});
		const unknownCode = scripted(() => json(429, { message: "slow down", code: "ENHANCE_YOUR_CALM" }));
		await expect(restClient(unknownCode.fetch).list()).rejects.toMatchObject({
			code: "TOO_MANY_REQUESTS",
			message: "slow down",
		});
	});

	it("rejects a 200 answer that is not JSON", async () => {
		const { fetch } = scripted(() => new Response("not json", { status: 200 }));
		await expect(restClient(fetch).list()).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 502 });
	});

	it("throws NETWORK_ERROR when no answer arrives, and the abort reason when the caller aborts", async () => {
		const refused = scripted(() => Promise.reject(new TypeError("fetch failed")));
		await expect(restClient(refused.fetch).totalContacts()).rejects.toMatchObject({
			code: "NETWORK_ERROR",
			status: 0,
			message: "Could not reach the Convolens server: fetch failed",
		});

		const controller = new AbortController();
		const reason = new Error("user navigated away");
		controller.abort(reason);
		const aborting = scripted(() => Promise.reject(new DOMException("aborted", "AbortError")));
		await expect(restClient(aborting.fetch).totalContacts({}, { signal: controller.signal })).rejects.toBe(reason);
	});
});

describe("createClient", () => {
	it("names the option at fault", () => {
		expect(() => createClient({ url: "localhost:3000", token: "t" })).toThrow(/`url` must be an http\(s\) URL/);
		expect(() => createClient({ url: "http://localhost:3000", token: "" })).toThrow(/`token`/);
		expect(() =>
			createClient({ url: "http://localhost:3000", token: "t", transport: "grpc" as unknown as "rest" }),
		).toThrow(/`transport` must be "trpc" or "rest"/);
	});

	it("offers one method per report, named like the report", () => {
		const client = createClient({ url: "http://localhost:3000", token: "t" });
		expect(typeof client.totalRatings).toBe("function");
		expect(typeof client.averageUserMessagesPerConversation).toBe("function");
		expect(typeof client.comprehensiveAnalytics).toBe("function");
	});

	it("throws NETWORK_ERROR over tRPC too when the server cannot be reached", async () => {
		const { fetch } = scripted(() => Promise.reject(new TypeError("fetch failed")));
		const client = createClient({ url: "http://localhost:3000", token: "t", fetch });
		await expect(client.totalContacts()).rejects.toMatchObject({ name: "ConvolensError", code: "NETWORK_ERROR" });
	});
});
