import http from "node:http";
import zlib from "node:zlib";
import { ReportIds } from "@convolens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { negotiateEncoding } from "../src/http/io.ts";
import { startTestServer, type TestServer } from "./support.ts";

/** A raw request (no client-side decoding), answering status, headers and the body bytes as sent. */
const raw = (url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
	new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
		const request = http.request(url, { method: options.method ?? "GET", headers: options.headers }, (response) => {
			const chunks: Array<Buffer> = [];
			response.on("data", (chunk: Buffer) => chunks.push(chunk));
			response.on("end", () =>
				resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
			);
		});
		request.on("error", reject);
		request.end(options.body);
	});

describe("compression", () => {
	let server: TestServer;
	let token: string;
	beforeAll(async () => {
		server = await startTestServer();
		({ token } = await server.createAccount("Compressed"));
	});
	afterAll(() => server?.close());

	it("negotiates br before gzip, honours q=0 and the wildcard", () => {
		expect(negotiateEncoding(undefined)).toBeUndefined();
		expect(negotiateEncoding("gzip, deflate, br")).toBe("br");
		expect(negotiateEncoding("gzip")).toBe("gzip");
		expect(negotiateEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
		expect(negotiateEncoding("identity")).toBeUndefined();
		expect(negotiateEncoding("*")).toBe("br");
		expect(negotiateEncoding("*;q=0")).toBeUndefined();
	});

	it("compresses a report batch and the OpenAPI document for clients that accept it, byte for byte the same JSON", async () => {
		const batch = JSON.stringify({ [ReportIds.TotalMessages]: { periodDays: 90 }, [ReportIds.TotalRatings]: {} });
		const ask = (encoding?: string) =>
			raw(`${server.baseUrl}/api/v1/platform/report/generate`, {
				method: "POST",
				headers: {
					authorization: `Bearer ${token}`,
					"content-type": "application/json",
					...(encoding === undefined ? {} : { "accept-encoding": encoding }),
				},
				body: batch,
			});
		const plain = await ask();
		expect(plain.headers["content-encoding"]).toBeUndefined();
		expect(plain.headers.vary).toBe("accept-encoding");
		const gzip = await ask("gzip");
		expect(gzip.headers["content-encoding"]).toBe("gzip");
		expect(Number(gzip.headers["content-length"])).toBe(gzip.body.length);
		expect(gzip.body.length).toBeLessThan(plain.body.length / 3);
		expect(zlib.gunzipSync(gzip.body).toString()).toBe(plain.body.toString());
		const br = await ask("gzip, br");
		expect(br.headers["content-encoding"]).toBe("br");
		expect(zlib.brotliDecompressSync(br.body).toString()).toBe(plain.body.toString());

		const openapi = await raw(`${server.baseUrl}/api/v1/openapi.json`, { headers: { "accept-encoding": "gzip" } });
		expect(openapi.headers["content-encoding"]).toBe("gzip");
		expect(JSON.parse(zlib.gunzipSync(openapi.body).toString()).openapi).toMatch(/^3\.1/);
	});

	it("leaves small answers as they are", async () => {
		const health = await raw(`${server.baseUrl}/healthz`, { headers: { "accept-encoding": "gzip" } });
		expect(health.headers["content-encoding"]).toBeUndefined();
		expect(JSON.parse(health.body.toString())).toEqual({ status: "ok" });
	});
});
