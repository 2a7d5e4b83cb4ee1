/**
 * The OpenAPI document's tags and request examples. Every example is sent to
 * the real endpoint it documents: it must be accepted (200/201) or, for an id that names nothing yet, answer the
 * documented 404.
 */
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
