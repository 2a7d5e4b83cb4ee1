import { ReportIds } from "@convolens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./support.ts";

/** The samples of a Prometheus text scrape: `name{labels}` → value (labels as written, in their order). */
const samples = (text: string): Map<string, number> =>
	new Map(
		text
			.split("\n")
			.filter((line) => line !== "" && !line.startsWith("#"))
			.map((line) => {
				const cut = line.lastIndexOf(" ");
				return [line.slice(0, cut), Number(line.slice(cut + 1))];
			}),
	);

describe("GET /metrics", () => {
	let server: TestServer;
	const metricsToken = "metrics-token-for-tests";
	beforeAll(async () => {
		server = await startTestServer({ metricsToken });
	});
	afterAll(() => server?.close());

	const scrape = async () => {
		const response = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
		return samples(await response.text());
	};

	it("is refused without the metrics token when one is set", async () => {
		const response = await call(server.baseUrl, "/metrics");
		expect(response.status).toBe(401);
		expect(response.json.code).toBe("NOT_AUTHENTICATED");
	});

	it("moves the request, report, cache and ingest counters by what a batch and an ingest did", async () => {
		// The registry is the process's: compare two scrapes around the work.
		const before = await scrape();
		const { token } = await server.createAccount("Observed");
		const ingest = await call(server.baseUrl, "/api/v1/ingest", {
			token,
			body: { contacts: [{ id: "u1" }, { id: "u2" }, { id: "bad id" }] },
		});
		expect(ingest.status).toBe(200);
		expect((await call(server.baseUrl, "/api/v1/ingest", { token, body: { contacts: [{ id: "u1" }] } })).status).toBe(
			200,
		);
		const batch = { [ReportIds.TotalRatings]: { periodDays: 7 }, [ReportIds.TotalContacts]: {} };
		for (let index = 0; index < 2; index++) {
			const answer = await call(server.baseUrl, "/api/v1/platform/report/generate", { token, body: batch });
			expect(answer.status).toBe(200);
		}
		const after = await scrape();
		const delta = (sample: string) => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);

		expect(
			delta('convolens_http_requests_total{route="/v1/platform/report/generate",method="POST",status="200"}'),
		).toBe(2);
		expect(delta('convolens_http_requests_total{route="/v1/ingest",method="POST",status="200"}')).toBe(2);
		expect(delta('convolens_http_request_duration_seconds_count{route="/v1/ingest",method="POST"}')).toBe(2);
		// The first batch computed both reports; the second was answered whole from the cache.
		expect(delta(`convolens_report_duration_seconds_count{report="${ReportIds.TotalRatings}",outcome="ok"}`)).toBe(1);
		expect(delta('convolens_cache_lookups_total{level="request",result="miss"}')).toBeGreaterThanOrEqual(1);
		expect(delta('convolens_cache_lookups_total{level="request",result="hit"}')).toBeGreaterThanOrEqual(1);
		expect(delta('convolens_ingest_items_total{collection="contacts",outcome="inserted"}')).toBe(2);
		expect(delta('convolens_ingest_items_total{collection="contacts",outcome="duplicate"}')).toBe(1);
		expect(delta('convolens_ingest_items_total{collection="contacts",outcome="rejected"}')).toBe(1);
		expect(after.get('convolens_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
	});

	it("labels unknown paths coarsely instead of one series per path", async () => {
		for (const path of ["/api/v1/nowhere/1", "/api/v1/nowhere/2", "/trpc/not.a.procedure"])
			await fetch(`${server.baseUrl}${path}`);
		const text = [...(await scrape()).keys()].join("\n");
		expect(text).not.toContain("nowhere");
		expect(text).not.toContain("not.a.procedure");
		expect(text).toContain('route="/v1/(unknown)"');
		expect(text).toContain('route="/trpc/(unknown)"');
	});
});
