import type { AddressInfo } from "node:net";
import { TenantRepository } from "@convolens/core";
import { makeDatabaseLayer } from "@convolens/db";
import { createTestDatabase, type TestDatabase } from "@convolens/db/testing";
import { Effect, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRuntime } from "../src/runtime.ts";
import { createServer } from "../src/server.ts";
import { call, memoryLogger } from "./support.ts";

/**
 * Several API processes on one database share each token's rate limit: two servers, each with its own runtime and
 * connection pool (all two processes would share is the database), and a token whose burst is 6. However its
 * requests are spread over the two, sequentially or all at once, exactly 6 are served and the rest answer 429;
 * with the buckets kept per process, each server would have served 6.
 */
describe("a token's rate limit across API processes", () => {
	let database: TestDatabase;
	const runtimes: Array<AppRuntime> = [];
	const servers: Array<{ readonly baseUrl: string; readonly close: () => Promise<void> }> = [];

	const start = async (store: "postgres" | "memory") => {
		const runtime: AppRuntime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4 }));
		runtimes.push(runtime);
		const server = createServer({
			runtime,
			logger: memoryLogger().logger,
			// A minute per request refilled: nothing comes back while the test runs.
			rateLimit: { perMinute: 1, burst: 6 },
			rateLimitStore: store,
			workLimit: false,
		});
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		const entry = {
			baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
			close: () =>
				new Promise<void>((resolve) => {
					server.closeAllConnections();
					server.close(() => resolve());
				}),
		};
		servers.push(entry);
		return entry;
	};

	const token = async () =>
		(
			await runtimes[0]!.runPromise(
				Effect.flatMap(TenantRepository, (tenants) => tenants.createAccount({ name: "Spread" })),
			)
		).token;

	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(async () => {
		for (const server of servers) await server.close();
		for (const runtime of runtimes) await runtime.dispose();
		await database?.drop();
	});

	it("serves a burst once in all, whichever process answers, one after another or at once", async () => {
		const [a, b] = [await start("postgres"), await start("postgres")];
		const list = (baseUrl: string, bearer: string) =>
			call(baseUrl, "/api/v1/platform/report/list", { token: bearer }).then((response) => response.status);

		const sequential = await token();
		const statuses: Array<number> = [];
		for (let index = 0; index < 10; index++)
			statuses.push(await list(index % 2 === 0 ? a.baseUrl : b.baseUrl, sequential));
		expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);

		const concurrent = await token();
		const all = await Promise.all(
			Array.from({ length: 20 }, (_, index) => list(index % 2 === 0 ? a.baseUrl : b.baseUrl, concurrent)),
		);
		expect(all.filter((status) => status === 200).length, "served at once across both").toBe(6);
		expect(all.filter((status) => status === 429).length).toBe(14);
	});

	it("with buckets kept per process, each process serves the whole burst (why the store is shared)", async () => {
		const [a, b] = [await start("memory"), await start("memory")];
		const bearer = await token();
		const served = async (baseUrl: string) => {
			let count = 0;
			for (let index = 0; index < 8; index++) {
				const response = await call(baseUrl, "/api/v1/platform/report/list", { token: bearer });
				if (response.status === 200) count++;
			}
			return count;
		};
		expect([await served(a.baseUrl), await served(b.baseUrl)]).toEqual([6, 6]);
	});
});
