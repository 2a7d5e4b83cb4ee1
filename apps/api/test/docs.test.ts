/**
 * The OpenAPI document's tags and request examples, and the reference routes under /docs. Every example is sent to
 * the real endpoint it documents: it must be accepted (200/201) or, for an id that names nothing yet, answer the
 * documented 404.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, startTestServer, type TestServer } from "./support.ts";

const ADMIN_TOKEN = "docs-admin-token-0123456789abcdef";

interface MediaType {
	readonly schema?: unknown;
	readonly examples?: Record<string, { summary?: string; value: unknown }>;
}
interface Operation {
	readonly operationId: string;
	readonly summary?: string;
	readonly tags?: ReadonlyArray<string>;
	readonly parameters?: ReadonlyArray<{ name: string; in: string; required?: boolean; example?: unknown }>;
	readonly requestBody?: { content: Record<string, MediaType> };
	readonly responses: Record<string, unknown>;
}
interface Document {
	readonly tags: ReadonlyArray<{ name: string; description: string }>;
	readonly paths: Record<string, Record<string, Operation>>;
}

/** A raw request (no client-side decoding): status, headers and the body bytes as sent. */
const raw = (url: string, headers: Record<string, string> = {}) =>
	new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
		http
			.get(url, { headers }, (response) => {
				const chunks: Array<Buffer> = [];
				response.on("data", (chunk: Buffer) => chunks.push(chunk));
				response.on("end", () =>
					resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
				);
			})
			.on("error", reject);
	});

let server: TestServer;
let token: string;
let document: Document;
const operations = () =>
	Object.entries(document.paths).flatMap(([route, methods]) =>
		Object.entries(methods).map(([method, operation]) => ({ route, method, operation })),
	);
/** The only example of a JSON request body (each operation declares one). */
const bodyExample = (operation: Operation): unknown => {
	const examples = Object.values(operation.requestBody?.content["application/json"]?.examples ?? {});
	expect(examples, operation.operationId).toHaveLength(1);
	return examples[0]?.value;
};

beforeAll(async () => {
	server = await startTestServer({ adminToken: ADMIN_TOKEN });
	({ token } = await server.createAccount("Documented"));
	document = (await call(server.baseUrl, "/api/v1/openapi.json")).json as unknown as Document;
});
afterAll(() => server?.close());

describe("the OpenAPI document", () => {
	it("declares every tag its operations use, each once and with a description, and no other", () => {
		const used = new Set(operations().flatMap(({ operation }) => operation.tags ?? []));
		const declared = document.tags.map((tag) => tag.name);
		expect(new Set(declared).size).toBe(declared.length);
		expect([...declared].sort()).toEqual([...used].sort());
		expect(declared).toEqual(expect.arrayContaining(["Reports", "Ingest", "Admin", "Report: quality"]));
		for (const tag of document.tags) expect(tag.description.length, tag.name).toBeGreaterThan(10);
		for (const { operation } of operations()) expect(operation.tags?.length, operation.operationId).toBeGreaterThan(0);
	});

	it("gives every operation with a JSON body an example", () => {
		const withBody = operations().filter(({ operation }) => operation.requestBody !== undefined);
		expect(withBody.length).toBeGreaterThan(20);
		for (const { operation } of withBody) expect(bodyExample(operation), operation.operationId).toBeDefined();
	});

	it("has report examples that the endpoints accept, or answer 404 for an id not yet ingested", async () => {
		const reportOperations = operations().filter(({ route }) =>
			/^\/api\/v1\/platform\/report\/[^/]+\/generate$/.test(route),
		);
		expect(reportOperations.length).toBeGreaterThan(15);
		const namesAnId = (input: Record<string, unknown>) => "botId" in input || "datasetIds" in input;
		let withId = 0;
		for (const { route, operation } of reportOperations) {
			const input = bodyExample(operation) as Record<string, unknown>;
			const response = await call(server.baseUrl, route, { token, body: input });
			if (namesAnId(input)) {
				withId += 1;
				expect([response.status, response.json.code], operation.operationId).toEqual([404, "NOT_FOUND"]);
				expect(operation.responses).toHaveProperty("404");
			} else
				expect([response.status, response.text.slice(0, 200)], operation.operationId).toEqual([
					200,
					expect.any(String),
				]);
		}
		expect(withId).toBeGreaterThan(0);

		// The ingest example creates the bot the report examples name: they then answer 200.
		const ingest = document.paths["/api/v1/ingest"]?.post;
		if (ingest === undefined) throw new Error("no ingest operation");
		const ingested = await call(server.baseUrl, "/api/v1/ingest", { token, body: bodyExample(ingest) });
		expect(ingested.status).toBe(200);
		expect(ingested.json.errors).toEqual([]);
		expect(ingested.json.inserted).toMatchObject({ bots: 1, conversations: 1, messages: 2, ratings: 1 });
		for (const { route, operation } of reportOperations) {
			const input = bodyExample(operation) as Record<string, unknown>;
			if (!("botId" in input) || "datasetIds" in input) continue;
			const response = await call(server.baseUrl, route, { token, body: input });
			expect(response.status, operation.operationId).toBe(200);
		}
	});

	it("has a batch example whose every report succeeds", async () => {
		const batch = document.paths["/api/v1/platform/report/generate"]?.post;
		if (batch === undefined) throw new Error("no batch operation");
		const input = bodyExample(batch) as Record<string, unknown>;
		expect(Object.keys(input).length).toBeGreaterThanOrEqual(2);
		const response = await call(server.baseUrl, "/api/v1/platform/report/generate", { token, body: input });
		expect(response.status).toBe(200);
		for (const id of Object.keys(input)) expect(response.json[id], id).not.toHaveProperty("error");
	});

	it("has conversation, erase and admin examples that the endpoints accept", async () => {
		const conversations = document.paths["/api/v1/conversations"]?.get;
		if (conversations === undefined) throw new Error("no conversations operation");
		const query = new URLSearchParams();
		for (const parameter of conversations.parameters ?? []) {
			if (parameter.example !== undefined) query.set(parameter.name, String(parameter.example));
		}
		expect(query.has("start") && query.has("end")).toBe(true);
		const listed = await call(server.baseUrl, `/api/v1/conversations?${query}`, { token });
		expect(listed.status).toBe(200);

		const erase = document.paths["/api/v1/ingest/delete"]?.post;
		if (erase === undefined) throw new Error("no erase operation");
		const erased = await call(server.baseUrl, "/api/v1/ingest/delete", { token, body: bodyExample(erase) });
		expect(erased.status).toBe(200);

		const createAccount = document.paths["/api/v1/admin/accounts"]?.post;
		const createToken = document.paths["/api/v1/admin/accounts/{accountId}/tokens"]?.post;
		if (createAccount === undefined || createToken === undefined) throw new Error("no admin operations");
		const account = await call(server.baseUrl, "/api/v1/admin/accounts", {
			token: ADMIN_TOKEN,
			body: bodyExample(createAccount),
		});
		expect(account.status).toBe(201);
		const created = await call(server.baseUrl, `/api/v1/admin/accounts/${account.json.id}/tokens`, {
			token: ADMIN_TOKEN,
			body: bodyExample(createToken),
		});
		expect(created.status).toBe(201);
		// The example token reads reports and may not ingest, as its example says.
		const refused = await call(server.baseUrl, "/api/v1/ingest", { token: String(created.json.token), body: {} });
		expect(refused.status).toBe(403);
	});
});

describe("/docs", () => {
	const bundleFile = path.join(
		path.dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")),
		"browser",
		"standalone.js",
	);

	it("serves the interactive page: same-origin scripts only, a CSP that forbids other hosts, a no-script copy", async () => {
		const page = await call(server.baseUrl, "/docs");
		expect(page.status).toBe(200);
		expect(page.headers.get("content-type")).toMatch(/^text\/html/);
		const csp = page.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("script-src 'self';");
		expect(csp).toContain("connect-src 'self';");
		expect(csp).toContain("default-src 'none'");
		expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
		const sources = [...page.text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1]);
		expect(sources).toHaveLength(2);
		for (const source of sources) expect(source).toMatch(/^\/docs\/[a-z]+\.js\?v=[\w-]+$/);
		// Inline scripts are data blocks only, never code.
		for (const [tag] of page.text.matchAll(/<script(?![^>]*\ssrc=)[^>]*>/g)) expect(tag).toContain("application/json");
		const config = JSON.parse(
			/<script type="application\/json" id="reference-config">(.*?)<\/script>/s.exec(page.text)?.[1] ?? "",
		);
		expect(config).toMatchObject({ url: "/api/v1/openapi.json", withDefaultFonts: false, telemetry: false });
		expect(config).not.toHaveProperty("proxyUrl");
		const fallback = /<noscript>(.*)<\/noscript>/s.exec(page.text)?.[1] ?? "";
		expect(fallback).toContain("Total Ratings");
		expect(fallback).not.toContain("<script");
	});

	it("keeps the script-free reference at /docs/static", async () => {
		const page = await call(server.baseUrl, "/docs/static");
		expect(page.status).toBe(200);
		expect(page.text).toContain("Bot Stats");
		expect(page.text).not.toMatch(/<script|https?:\/\/cdn/i);
		expect(page.headers.get("content-security-policy")).not.toContain("script-src");
	});

	it("serves the package's Scalar bundle cached for a year, revalidated by ETag and compressed on request", async () => {
		const onDisk = readFileSync(bundleFile);
		const plain = await raw(`${server.baseUrl}/docs/scalar.js`);
		expect(plain.status).toBe(200);
		expect(plain.headers["content-type"]).toMatch(/^text\/javascript/);
		expect(plain.headers["cache-control"]).toContain("max-age=31536000");
		expect(plain.body.equals(onDisk)).toBe(true);
		const etag = plain.headers.etag ?? "";
		expect(etag).toMatch(/^"[\w-]+"$/);
		// The page links the bundle under its ETag, so a new bundle is a new URL.
		expect((await call(server.baseUrl, "/docs")).text).toContain(`/docs/scalar.js?v=${etag.replaceAll('"', "")}`);

		const revalidated = await raw(`${server.baseUrl}/docs/scalar.js`, { "if-none-match": etag });
		expect(revalidated.status).toBe(304);
		expect(revalidated.body.length).toBe(0);

		const br = await raw(`${server.baseUrl}/docs/scalar.js`, { "accept-encoding": "gzip, br" });
		expect(br.headers["content-encoding"]).toBe("br");
		expect(br.headers.vary).toContain("accept-encoding");
		expect(br.body.length).toBeLessThan(onDisk.length / 3);
		expect(zlib.brotliDecompressSync(br.body).equals(onDisk)).toBe(true);
		const gzip = await raw(`${server.baseUrl}/docs/scalar.js`, { "accept-encoding": "gzip" });
		expect(gzip.headers["content-encoding"]).toBe("gzip");
		expect(zlib.gunzipSync(gzip.body).equals(onDisk)).toBe(true);
	});
});
