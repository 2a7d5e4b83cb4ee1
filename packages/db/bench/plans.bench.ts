/**
 * What the plan cache mode costs and saves: `node bench/plans.bench.ts [--database bench_1000000]
 * [--account bench-main] [--rounds 4] [--batches 30]` (the report benchmark's data, in its embedded cluster under
 * `.data/bench-postgres`, or the database `DATABASE_URL` names). On one connection, after the same warm-up (batches of the small tenants over new
 * windows), it times full 22-report batches of the named account — a new window each, and one window repeated —
 * with `plan_cache_mode` = `auto` (PostgreSQL may switch a prepared statement to a generic plan after five runs)
 * and `force_custom_plan` (what the service sets), alternating the modes round by round so a busy machine weighs on
 * both alike. The result cache is off: every batch is computed. Run it on the benchmark's database.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateBatch, reports } from "@convolens/core";
import { Effect, ManagedRuntime } from "effect";
import { Database } from "../src/database.ts";
import { startEmbeddedPostgres } from "../src/embedded.ts";
import { makeDatabaseLayer } from "../src/layer.ts";

const { values } = parseArgs({
	options: {
		account: { type: "string", default: "bench-main" },
		database: { type: "string", default: "bench_1000000" },
		rounds: { type: "string", default: "4" },
		batches: { type: "string", default: "30" },
	},
});
const embedded = process.env.DATABASE_URL
	? undefined
	: await startEmbeddedPostgres({
			dataDir: path.join(fileURLToPath(new URL("../../..", import.meta.url)), ".data", "bench-postgres"),
		});
const url =
	process.env.DATABASE_URL ??
	(() => {
		const server = new URL(embedded!.url);
		server.pathname = `/${values.database}`;
		return server.toString();
	})();

const zones = ["UTC", "Europe/Berlin", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Asia/Kolkata"];
let windowIndex = 0;
/** A window not asked for before in this run. */
const nextWindow = () => {
	windowIndex++;
	return { periodDays: 1 + ((windowIndex * 37) % 365), timezone: zones[windowIndex % zones.length] };
};
const batchOf = (period: Record<string, unknown>) =>
	Object.fromEntries(
		reports.map((report) => {
			const shape = report.input.shape as Record<string, unknown>;
			if ("datasetIds" in shape) return [report.id, { datasetIds: ["ds_1"] }];
			if (!("periodDays" in shape)) return [report.id, {}];
			return [report.id, "botId" in shape ? { ...period, botId: "bot_01" } : period];
		}),
	);

const median = (samples: Array<number>) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;

/** Per statement text: the milliseconds of each execution on the main account, by mode. */
const perStatement = new Map<string, Record<string, Array<number>>>();
let recording: string | undefined;

/** Wraps the pool's connections so each statement's execution time is recorded while `recording` names a mode. */
const instrument = (pool: import("pg").Pool) => {
	const connect = pool.connect.bind(pool) as () => Promise<import("pg").PoolClient>;
	(pool as unknown as { connect: () => Promise<unknown> }).connect = async () => {
		const client = await connect();
		const marked = client as unknown as { __timed?: boolean; query: (...args: Array<unknown>) => Promise<unknown> };
		if (marked.__timed) return client;
		marked.__timed = true;
		const query = marked.query.bind(client);
		marked.query = async (...args: Array<unknown>) => {
			const started = performance.now();
			const result = await query(...args);
			const config = args[0] as { text?: string } | string;
			const text = typeof config === "string" ? config : config.text;
			if (recording !== undefined && text !== undefined) {
				const entry = perStatement.get(text) ?? {};
				const samples = entry[recording] ?? [];
				samples.push(performance.now() - started);
				entry[recording] = samples;
				perStatement.set(text, entry);
			}
			return result;
		};
		return client;
	};
};

const measure = async (mode: string) => {
	const runtime = ManagedRuntime.make(makeDatabaseLayer({ url, poolSize: 1, resultCache: false }));
	try {
		instrument(await runtime.runPromise(Effect.map(Database, (database) => database.pool)));
		const query = <Row>(sql: string, params: ReadonlyArray<unknown> = []) =>
			runtime.runPromise(Effect.flatMap(Database, (database) => database.query<Row>(sql, params)));
		await query(`SET plan_cache_mode = ${mode}`);
		const accounts = await query<{ id: string; name: string }>("SELECT id, name FROM account");
		const main = accounts.find((account) => account.name === values.account);
		if (main === undefined) throw new Error(`no account named ${values.account}`);
		// Warm-up: the connection serves the small tenants first, as a long-running server's do.
		for (const account of accounts.filter((entry) => entry.id !== main.id).slice(0, 6)) {
			for (let index = 0; index < 2; index++) {
				await runtime.runPromise(generateBatch(batchOf(nextWindow()), { accountId: account.id }));
			}
		}
		const timed = async (period: () => Record<string, unknown>) => {
			const samples: Array<number> = [];
			for (let index = 0; index < Number(values.batches); index++) {
				const started = performance.now();
				await runtime.runPromise(generateBatch(batchOf(period()), { accountId: main.id }));
				samples.push(performance.now() - started);
			}
			return median(samples);
		};
		recording = mode;
		const fresh = await timed(nextWindow);
		recording = undefined;
		const same = { periodDays: 30, timezone: "Europe/Berlin" };
		const repeated = await timed(() => same);
		const generic = await query<{ n: string }>(
			"SELECT coalesce(sum(generic_plans), 0)::text AS n FROM pg_prepared_statements",
		);
		return { fresh, repeated, genericPlans: Number(generic[0]?.n ?? 0) };
	} finally {
		await runtime.dispose();
	}
};

const results: Record<string, Array<{ fresh: number; repeated: number; genericPlans: number }>> = {
	auto: [],
	force_custom_plan: [],
};
for (let round = 0; round < Number(values.rounds); round++) {
	for (const mode of round % 2 === 0 ? ["auto", "force_custom_plan"] : ["force_custom_plan", "auto"]) {
		results[mode]!.push(await measure(mode));
	}
}
console.log("| plan_cache_mode | new window p50 (ms) | same window p50 (ms) | generic plans used |\n|---|---|---|---|");
for (const [mode, rounds] of Object.entries(results)) {
	const fresh = median(rounds.map((round) => round.fresh));
	const repeated = median(rounds.map((round) => round.repeated));
	const generic = rounds.map((round) => round.genericPlans).join(", ");
	console.log(`| ${mode} | ${fresh.toFixed(1)} | ${repeated.toFixed(1)} | ${generic} |`);
}

// The statements whose generic plan is slower than planning each run: their text and the two medians.
console.log("\n| statement | auto p50 (ms) | force_custom_plan p50 (ms) |\n|---|---|---|");
for (const [text, modes] of perStatement) {
	const auto = median(modes.auto ?? []);
	const custom = median(modes.force_custom_plan ?? []);
	const label = text.replace(/\s+/g, " ").trim().slice(0, 90);
	console.log(`| ${label} | ${auto.toFixed(2)} | ${custom.toFixed(2)} |`);
}
await embedded?.stop();
