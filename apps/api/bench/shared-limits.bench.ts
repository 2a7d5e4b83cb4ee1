/**
 * What the shared limits cost a request: `node bench/shared-limits.bench.ts [--requests 4000] [--rounds 3]`.
 * Serves one database (a throw-away embedded PostgreSQL, or a new database on `DATABASE_URL`) three ways — no
 * limits, limits kept in the process, limits kept in PostgreSQL (the rate limit's bucket, and for reports the
 * account's work lease) — and times two cheap authenticated calls sequentially and at concurrency 8: `report/list`
 * (reads nothing but the token; only the rate limit applies) and one cached report (Total Messages, answered from
 * the result cache after the first call; rate limit and report work apply). The servers alternate round by round so
 * that a drift of the machine hits them alike. Prints p50/p95 and requests per second of each.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { TenantRepository } from "@convolens/core";
import { makeDatabaseLayer, runMigrations, startEmbeddedPostgres } from "@convolens/db";
import { Effect, ManagedRuntime } from "effect";
import pg from "pg";
import { silentLogger } from "../src/http/logger.ts";
import type { AppRuntime } from "../src/runtime.ts";
import { createServer } from "../src/server.ts";

const { values } = parseArgs({
	options: {
		requests: { type: "string", default: "4000" },
		rounds: { type: "string", default: "3" },
		help: { type: "boolean", short: "h", default: false },
	},
});
if (values.help) {
	console.log("node bench/shared-limits.bench.ts [--requests 4000] [--rounds 3]");
	process.exit(0);
}
const requests = Number(values.requests);
const rounds = Number(values.rounds);

const dir = await mkdtemp(path.join(tmpdir(), "convolens-rate-bench-"));
const embedded = process.env.DATABASE_URL
	? undefined
	: await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), ephemeral: true });
const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
const name = `convolens_rate_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
await runMigrations(url.toString());
const runtime: AppRuntime = ManagedRuntime.make(makeDatabaseLayer({ url: url.toString(), poolSize: 10 }));

const variants = ["off", "memory", "postgres"] as const;
const servers = await Promise.all(
	variants.map(async (variant) => {
		const server = createServer({
			runtime,
			logger: silentLogger,
			// Far above what the run sends: every request is taken from the bucket and served.
			rateLimit: variant === "off" ? false : { perMinute: 10_000_000, burst: 10_000_000 },
			rateLimitStore: variant === "memory" ? "memory" : "postgres",
			workLimit: variant === "off" ? false : { capacity: 200, queueMs: 2_000 },
		});
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		return { variant, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
	}),
);

try {
	const { token } = await runtime.runPromise(
		Effect.flatMap(TenantRepository, (tenants) => tenants.createAccount({ name: "rate bench" })),
	);
	const report = "clr3m5n8k000608jq3k0l1m7g"; // Total Messages
	const calls = {
		list: (base: string) =>
			fetch(`${base}/api/v1/platform/report/list`, { headers: { authorization: `Bearer ${token}` } }),
		"cached report": (base: string) =>
			fetch(`${base}/api/v1/platform/report/${report}/generate`, {
				method: "POST",
				headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
				body: "{}",
			}),
	};
	const percentile = (sorted: ReadonlyArray<number>, p: number) =>
		sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
	console.log("| call | limits | p50 ms | p95 ms | requests/s at concurrency 8 (per round) |");
	console.log("|---|---|---|---|---|");
	for (const [label, send] of Object.entries(calls)) {
		const call = async (base: string) => {
			const started = performance.now();
			const response = await send(base);
			await response.arrayBuffer();
			if (!response.ok) throw new Error(`${base} answered ${response.status}`);
			return performance.now() - started;
		};
		const samples = new Map<string, Array<number>>(variants.map((variant) => [variant, []]));
		const rates = new Map<string, Array<number>>(variants.map((variant) => [variant, []]));
		for (let round = 0; round < rounds; round++) {
			for (const { variant, base } of servers) {
				for (let index = 0; index < 200; index++) await call(base); // warm-up
				for (let index = 0; index < requests / rounds; index++) samples.get(variant)!.push(await call(base));
				const started = performance.now();
				let sent = 0;
				await Promise.all(
					Array.from({ length: 8 }, async () => {
						while (sent < requests / rounds) {
							sent++;
							await call(base);
						}
					}),
				);
				rates.get(variant)!.push((sent / (performance.now() - started)) * 1000);
			}
		}
		for (const variant of variants) {
			const sorted = [...samples.get(variant)!].sort((a, b) => a - b);
			const perRound = rates
				.get(variant)!
				.map((rate) => rate.toFixed(0))
				.join(", ");
			console.log(
				`| ${label} | ${variant} | ${percentile(sorted, 50).toFixed(3)} | ${percentile(sorted, 95).toFixed(3)} | ${perRound} |`,
			);
		}
	}
} finally {
	for (const { server } of servers) {
		server.closeAllConnections();
		server.close();
	}
	await runtime.dispose();
	await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
	await admin.end();
	await embedded?.stop();
	await rm(dir, { recursive: true, force: true });
}
