import type { AddressInfo } from "node:net";
import { ReportIds, TenantRepository } from "@convolens/core";
import { makeDatabaseLayer } from "@convolens/db";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { Effect, Layer, ManagedRuntime, Option } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../src/http/rate-limit.ts";
import type { AppRouter } from "../src/index.ts";
import type { AppRuntime } from "../src/runtime.ts";
import { closeGracefully, createServer, type ServerOptions } from "../src/server.ts";
import { call, memoryLogger, startTestServer, type TestServer } from "./support.ts";

/** A server over the given runtime, on a free port; closed by the returned function. */
const listen = async (options: ServerOptions) => {
	const server = createServer(options);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
};

describe("rate limiting", () => {
	let server: TestServer;
	beforeAll(async () => {
		// One request back a minute: nothing refills while the test runs, however slow the machine.
		server = await startTestServer({ rateLimit: { perMinute: 1, burst: 3 } });
	});
	afterAll(() => server.close());

	it("answers 429 TOO_MANY_REQUESTS with Retry-After once a token's burst is spent, per token", async () => {
		const first = await server.createAccount("Busy");
		const second = await server.createAccount("Quiet");
		const statuses: Array<number> = [];
		const remaining: Array<string | null> = [];
		let limited: Awaited<ReturnType<typeof call>> | undefined;
		for (let attempt = 0; attempt < 5; attempt++) {
			const response = await call(server.baseUrl, "/api/v1/platform/report/list", { token: first.token });
			statuses.push(response.status);
			remaining.push(response.headers.get("ratelimit-remaining"));
			expect(response.headers.get("ratelimit-limit")).toBe("3");
			expect(Number(response.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(1);
			if (response.status === 429) limited = response;
		}
		expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
		// What is left of the burst after each call (none once refused).
		expect(remaining).toEqual(["2", "1", "0", "0", "0"]);
		expect(statuses.slice(3)).toEqual([429, 429]);
		expect(limited!.json).toEqual({ message: expect.any(String), code: "TOO_MANY_REQUESTS" });
		expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
		// The limit is checked before the body is read: an oversized body is refused for the rate, not read for a 413.
		const oversized = await call(server.baseUrl, "/api/v1/platform/report/generate", {
			token: first.token,
			body: { padding: "x".repeat(300 * 1024) },
		});
		expect(oversized.status).toBe(429);
		// Another token is not affected…
		expect((await call(server.baseUrl, "/api/v1/platform/report/list", { token: second.token })).status).toBe(200);
		// …and tRPC shares the same budget.
		const trpc = createTRPCClient<AppRouter>({
			links: [httpLink({ url: `${server.baseUrl}/trpc`, headers: { authorization: `Bearer ${first.token}` } })],
		});
		const error = await trpc.reports.totalContacts.query({}).catch((reason: unknown) => reason);
		expect(error).toBeInstanceOf(TRPCClientError);
		expect((error as TRPCClientError<AppRouter>).data).toMatchObject({
			httpStatus: 429,
			wireCode: "TOO_MANY_REQUESTS",
		});
	});

	it("refills the bucket over time", async () => {
		let now = 0;
		const limiter = createRateLimiter({ perMinute: 60, burst: 2 }, () => now);
		expect((await limiter.take("a", "t")).allowed).toBe(true);
		expect((await limiter.take("a", "t")).allowed).toBe(true);
		const denied = await limiter.take("a", "t");
		expect(denied).toEqual({ allowed: false, retryAfterSeconds: 1, limit: 2, remaining: 0, resetSeconds: 2 });
		now += 1_000;
		expect((await limiter.take("a", "t")).allowed).toBe(true);
		expect((await limiter.take("a", "t")).allowed).toBe(false);
	});
});

describe("storage failure", () => {
	it("answers 503 SERVICE_UNAVAILABLE quickly, on /readyz and on API calls, without leaking driver detail", async () => {
		// Nothing listens on port 9: the pool cannot connect.
		const runtime: AppRuntime = ManagedRuntime.make(
			makeDatabaseLayer({ url: "postgres://postgres:secret-password@127.0.0.1:9/postgres" }),
		);
		const { logger } = memoryLogger();
		const server = await listen({ runtime, logger, rateLimit: false });
		try {
			const started = Date.now();
			const ready = await call(server.baseUrl, "/readyz");
			expect(ready.status).toBe(503);
			expect(ready.json.code).toBe("SERVICE_UNAVAILABLE");
			const report = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalContacts}/generate`, {
				token: "cvl_any",
				body: {},
			});
			expect(report.status).toBe(503);
			expect(report.json).toEqual({ message: expect.any(String), code: "SERVICE_UNAVAILABLE" });
			expect(report.text).not.toMatch(/ECONNREFUSED|secret-password|127\.0\.0\.1/);
			expect(Date.now() - started).toBeLessThan(5_000);
			expect((await call(server.baseUrl, "/healthz")).status).toBe(200);
		} finally {
			await server.close();
			await runtime.dispose();
		}
	});
});

describe("request timeout, CORS and preflight", () => {
	let server: Awaited<ReturnType<typeof listen>>;
	let runtime: AppRuntime;
	beforeAll(async () => {
		// Authentication that never answers stands in for a request stuck on a slow dependency.
		const stuck = Layer.succeed(TenantRepository, {
			createAccount: () => Effect.never,
			createToken: () => Effect.never,
			revokeToken: () => Effect.never,
			authenticate: () => Effect.never,
		});
		runtime = ManagedRuntime.make(stuck) as unknown as AppRuntime;
		server = await listen({
			runtime,
			logger: memoryLogger().logger,
			requestTimeoutMs: 300,
			cors: { origins: ["https://dashboard.example"] },
		});
	});
	afterAll(async () => {
		await server.close();
		await runtime.dispose();
	});

	it("answers 504 TIMEOUT when a request does not finish in time", async () => {
		const response = await call(server.baseUrl, "/api/v1/platform/report/list", { token: "cvl_slow" });
		expect(response.status).toBe(504);
		expect(response.json).toEqual({ message: expect.any(String), code: "TIMEOUT" });
	});

	it("answers 503 SERVICE_UNAVAILABLE when the token lookup does not answer in time", async () => {
		const quick = await listen({ runtime, logger: memoryLogger().logger, authTimeoutMs: 100, requestTimeoutMs: 5_000 });
		try {
			const started = Date.now();
			const response = await call(quick.baseUrl, "/api/v1/platform/report/list", { token: "cvl_slow" });
			expect(response.status).toBe(503);
			expect(response.json).toEqual({ message: expect.any(String), code: "SERVICE_UNAVAILABLE" });
			expect(Date.now() - started).toBeLessThan(2_000);
		} finally {
			await quick.close();
		}
	});

	it("answers CORS preflights for allowed origins only", async () => {
		const allowed = await fetch(`${server.baseUrl}/api/v1/platform/report/list`, {
			method: "OPTIONS",
			headers: { origin: "https://dashboard.example", "access-control-request-method": "GET" },
		});
		expect(allowed.status).toBe(204);
		expect(allowed.headers.get("access-control-allow-origin")).toBe("https://dashboard.example");
		expect(allowed.headers.get("access-control-allow-headers")).toMatch(/authorization/);
		const denied = await fetch(`${server.baseUrl}/api/v1/platform/report/list`, {
			method: "OPTIONS",
			headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
		});
		expect(denied.headers.get("access-control-allow-origin")).toBeNull();
	});
});

describe("graceful shutdown", () => {
	it("lets an in-flight request finish, refuses new connections, then resolves", async () => {
		// Authentication takes 400 ms, so the request is still running when shutdown begins.
		const slow = Layer.succeed(TenantRepository, {
			createAccount: () => Effect.never,
			createToken: () => Effect.never,
			revokeToken: () => Effect.never,
			authenticate: () => Effect.as(Effect.sleep(400), Option.none()),
		});
		const runtime = ManagedRuntime.make(slow) as unknown as AppRuntime;
		const server = createServer({ runtime, logger: memoryLogger().logger });
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		const { port } = server.address() as AddressInfo;
		const base = `http://127.0.0.1:${port}`;
		try {
			const inFlight = call(base, "/api/v1/platform/report/list", { token: "cvl_slow" });
			await new Promise((resolve) => setTimeout(resolve, 100));
			let closed = false;
			const closing = closeGracefully(server, 5_000).then(() => {
				closed = true;
			});
			const response = await inFlight;
			expect(response.status).toBe(401);
			expect(response.json.code).toBe("NOT_AUTHENTICATED");
			await closing;
			expect(closed).toBe(true);
			await expect(fetch(`${base}/healthz`)).rejects.toThrow();
		} finally {
			server.closeAllConnections();
			await runtime.dispose();
		}
	});
});
