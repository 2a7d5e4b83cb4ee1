import { ReportIds } from "@convolens/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminTokenMatches } from "../src/rest/admin.ts";
import { call, startTestServer, type TestServer } from "./support.ts";

const ADMIN_TOKEN = "admin-token-for-tests-0123456789";

let server: TestServer;

beforeAll(async () => {
	server = await startTestServer({ adminToken: ADMIN_TOKEN });
});

afterAll(() => server.close());

const admin = (path: string, body?: unknown, token = ADMIN_TOKEN) =>
	call(server.baseUrl, path, { token, method: "POST", ...(body === undefined ? {} : { body }) });

describe("admin API", () => {
	it("creates an account whose token has every scope, adds a token and revokes it", async () => {
		const created = await admin("/api/v1/admin/accounts", { name: "Umbrella", limits: { files: 10 } });
		expect(created.status).toBe(201);
		expect(created.json).toEqual({ id: expect.any(String), name: "Umbrella", token: expect.any(String) });
		const accountToken = created.json.token as string;

		const ingest = await call(server.baseUrl, "/api/v1/ingest", {
			token: accountToken,
			body: { contacts: [{ id: "a" }] },
		});
		expect(ingest.status).toBe(200);
		const contacts = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalContacts}/generate`, {
			token: accountToken,
			body: {},
		});
		expect(contacts.json).toEqual({ value: 1, period: "all time" });

		const readOnly = await admin(`/api/v1/admin/accounts/${created.json.id}/tokens`, {
			name: "dashboard",
			scopes: ["reports:read"],
		});
		expect(readOnly.status).toBe(201);
		expect(readOnly.json).toEqual({ id: expect.any(String), token: expect.any(String) });
		const readToken = readOnly.json.token as string;
		expect((await call(server.baseUrl, "/api/v1/platform/report/list", { token: readToken })).status).toBe(200);
		expect((await call(server.baseUrl, "/api/v1/ingest", { token: readToken, body: {} })).status).toBe(403);

		const revoked = await call(server.baseUrl, `/v1/admin/tokens/${readOnly.json.id}/revoke`, {
			token: ADMIN_TOKEN,
			method: "POST",
		});
		expect(revoked.status).toBe(204);
		expect(revoked.text).toBe("");
		const after = await call(server.baseUrl, "/api/v1/platform/report/list", { token: readToken });
		expect(after.status).toBe(401);
		expect(after.json.code).toBe("NOT_AUTHENTICATED");
		// The account's first token is untouched.
		expect((await call(server.baseUrl, "/api/v1/platform/report/list", { token: accountToken })).status).toBe(200);
	});

	it("answers 401 for a wrong admin token and never accepts an account token", async () => {
		const wrong = await admin("/api/v1/admin/accounts", { name: "X" }, "not-the-admin-token");
		expect(wrong.status).toBe(401);
		expect(wrong.json).toEqual({ message: expect.any(String), code: "NOT_AUTHENTICATED" });
		const account = await server.createAccount("Tenant");
		expect((await admin("/api/v1/admin/accounts", { name: "X" }, account.token)).status).toBe(401);
		const missing = await call(server.baseUrl, "/api/v1/admin/accounts", { method: "POST", body: { name: "X" } });
		expect(missing.status).toBe(401);
	});

	it("validates bodies, naming the field, and answers 404 for unknown accounts and tokens", async () => {
		const noName = await admin("/api/v1/admin/accounts", { limits: {} });
		expect(noName.status).toBe(400);
		expect(noName.json.message).toMatch(/name/);
		const badScope = await admin("/api/v1/admin/accounts/whatever/tokens", { scopes: ["admin:all"] });
		expect(badScope.status).toBe(400);
		expect(badScope.json.message).toMatch(/scopes/);
		const unknownAccount = await admin("/api/v1/admin/accounts/no-such-account/tokens", {});
		expect(unknownAccount.status).toBe(404);
		expect(unknownAccount.json.code).toBe("NOT_FOUND");
		const unknownToken = await admin("/api/v1/admin/tokens/no-such-token/revoke");
		expect(unknownToken.status).toBe(404);
	});
});

describe("admin API switched off", () => {
	it("answers 404 on every admin route when ADMIN_TOKEN is unset", async () => {
		const plain = await startTestServer();
		try {
			for (const path of ["/api/v1/admin/accounts", "/api/v1/admin/tokens/x/revoke"]) {
				const response = await call(plain.baseUrl, path, { token: ADMIN_TOKEN, method: "POST", body: { name: "X" } });
				expect(response.status).toBe(404);
				expect(response.json.code).toBe("NOT_FOUND");
			}
		} finally {
			await plain.close();
		}
	});
});

describe("admin token comparison", () => {
	it("accepts only the exact token, whatever the length of the presented one", () => {
		expect(adminTokenMatches("secret", "Bearer secret")).toBe(true);
		expect(adminTokenMatches("secret", "bearer secret")).toBe(true);
		expect(adminTokenMatches("secret", "Bearer secre")).toBe(false);
		expect(adminTokenMatches("secret", "Bearer secret2")).toBe(false);
		expect(adminTokenMatches("secret", "secret")).toBe(false);
		expect(adminTokenMatches("secret", undefined)).toBe(false);
	});
});
