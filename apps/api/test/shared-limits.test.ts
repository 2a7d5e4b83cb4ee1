import type { AddressInfo } from "node:net";
import { TenantRepository } from "@convolens/core";
import { acquireLease, makeDatabaseLayer, releaseLease, renewLeases } from "@convolens/db";
import { createTestDatabase, type TestDatabase } from "@convolens/db/testing";
import { Effect, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeaseKeeper, type LeaseKeeper } from "../src/http/shared-leases.ts";
import { createSharedWorkLimiter } from "../src/http/work-limit.ts";
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

/**
 * An account's report work in flight is bounded across API processes: two limiters, each with its own runtime and
 * pool over one database (what two processes share), and leases in `limit_lease`.
 */
describe("an account's report work across API processes", () => {
	let database: TestDatabase;
	const runtimes: Array<AppRuntime> = [];
	const keepers: Array<LeaseKeeper> = [];

	const process = (ttlMs = 60_000) => {
		const runtime: AppRuntime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 2 }));
		runtimes.push(runtime);
		const keeper = createLeaseKeeper(
			{
				acquire: (lease) => runtime.runPromise(acquireLease(lease)),
				renew: (accountId, ids, expiresAtMs) => runtime.runPromise(renewLeases(accountId, ids, expiresAtMs)),
				release: (accountId, id) => runtime.runPromise(releaseLease(accountId, id)),
			},
			{ ttlMs, renewEveryMs: 60_000 },
		);
		keepers.push(keeper);
		return { keeper, limiter: createSharedWorkLimiter({ capacity: 4, queueMs: 300 }, keeper) };
	};

	const account = async () =>
		(
			await runtimes[0]!.runPromise(
				Effect.flatMap(TenantRepository, (tenants) => tenants.createAccount({ name: "Busy" })),
			)
		).id;

	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(async () => {
		for (const keeper of keepers) keeper.close();
		for (const runtime of runtimes) await runtime.dispose();
		await database?.drop();
	});

	it("refuses work that does not fit beside another process's, and admits it once that is released", async () => {
		const [a, b] = [process(), process()];
		const accountId = await account();
		const held = await a.limiter.admit(accountId, 3);
		expect(held.admitted).toBe(true);
		// One more unit fits beside the three; two do not, and after the queue time the request is refused.
		const small = await b.limiter.admit(accountId, 1);
		expect(small.admitted).toBe(true);
		expect((await b.limiter.admit(accountId, 2)).admitted).toBe(false);
		// Another account is counted on its own.
		expect((await b.limiter.admit(await account(), 4)).admitted).toBe(true);

		if (held.admitted) held.release();
		if (small.admitted) small.release();
		// Release is asynchronous: the waiting request retries within its queue time and gets the room.
		const waited = await b.limiter.admit(accountId, 4);
		expect(waited.admitted).toBe(true);
		if (waited.admitted) waited.release();
	});

	it("admits a request larger than the whole budget when it runs alone", async () => {
		const { limiter } = process();
		const accountId = await account();
		const huge = await limiter.admit(accountId, 50);
		expect(huge.admitted).toBe(true);
		expect((await limiter.admit(accountId, 1)).admitted).toBe(false);
		if (huge.admitted) huge.release();
	});

	it("forgets the work of a process that stopped renewing once its leases expire", async () => {
		// Its leases live 1.5 s, longer than the other's 300 ms queue time.
		const dead = process(1_500);
		const alive = process();
		const accountId = await account();
		expect((await dead.limiter.admit(accountId, 4)).admitted).toBe(true);
		dead.keeper.close();
		expect((await alive.limiter.admit(accountId, 1)).admitted).toBe(false);
		await new Promise((resolve) => setTimeout(resolve, 1_600));
		expect((await alive.limiter.admit(accountId, 4)).admitted).toBe(true);
	});
});
