/**
 * Report speed at scale, over HTTP:
 * `pnpm bench [--scales 1000000,10000000] [--requests 200] [--timezone Europe/Berlin] [--reload]`.
 *
 * For each scale it loads (once, timed; reused by later runs unless `--reload`) an account of N messages over 90 days
 * — N/10 conversations, min(100k, N/100) contacts, 50 bots — plus nine small tenants, through the ingest path. It
 * then serves the same database three times, in-process on loopback: the service as shipped (rollups and the
 * versioned result cache), the same service computing every request (cache off), and a raw-scan baseline (every
 * report query over the raw tables with their indexes, the way peers compute reports), and measures:
 *   - the full 22-report batch (periodDays 30, non-UTC timezone) and each report alone: p50/p95/p99;
 *   - full batches per second at concurrency 8;
 *   - ingest throughput in batches of 1,000 items, and afterwards that all three still answer identically.
 * Requests are sent from a client thread of its own (`bench/http-client.ts`; `--client inline` sends them from the
 * server's thread, as before). Prints a table and writes JSON under `bench-results/`. Data lives in `.data/bench-postgres` (or DATABASE_URL).
 */
import { mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { ReportIds, ReportTimeoutMs, reports, TenantRepository } from "@convolens/core";
import { seededRandom } from "@convolens/core/random";
import {
	citusWorkers,
	createClusterDatabase,
	Database,
	type DatabaseLayerServices,
	dropClusterDatabase,
	makeDatabaseLayer,
	runMigrations,
	startEmbeddedPostgres,
} from "@convolens/db";
import { generateActivity, generateResources, loadBodies, makeProgress } from "@convolens/db/seed";
import { Effect, Layer, ManagedRuntime } from "effect";
import pg from "pg";
import { silentLogger } from "../src/http/logger.ts";
import { createServer } from "../src/server.ts";
import { type Answer, type Exchange, exchange } from "./http-client.ts";

const { values } = parseArgs({
	options: {
		scales: { type: "string", default: "1000000" },
		requests: { type: "string", default: "200" },
		"baseline-requests": { type: "string", default: "10" },
		timezone: { type: "string", default: "Europe/Berlin" },
		seconds: { type: "string", default: "10" },
		reload: { type: "boolean", default: false },
		client: { type: "string", default: "thread" },
		warmup: { type: "string", default: "3000" },
		help: { type: "boolean", short: "h", default: false },
	},
});
if (values.help) {
	console.log(
		"npm run bench -- [--scales 1000000,10000000] [--requests 200] [--baseline-requests 10] [--timezone Europe/Berlin]\n" +
			"                 [--seconds 10] [--warmup 3000] [--reload] [--client thread|inline]",
	);
	process.exit(0);
}
if (values.client !== "thread" && values.client !== "inline") {
	console.error(`--client must be thread or inline, not ${values.client}`);
	process.exit(2);
}
const scales = values.scales.split(",").map((value) => Number(value.replaceAll("_", "")));
const requests = Number(values.requests);
const baselineRequests = Number(values["baseline-requests"]);
const timezone = values.timezone;
const INGEST_CLIENTS = 4;
/** Ingest batches sent before the timed ones (untimed). */
const INGEST_WARMUP_BATCHES = 20;
const repoRoot = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));

type Runtime = ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
	sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const summarize = (samples: Array<number>, failed = 0) => {
	const sorted = [...samples].sort((a, b) => a - b);
	return {
		n: sorted.length,
		failed,
		p50: percentile(sorted, 50),
		p95: percentile(sorted, 95),
		p99: percentile(sorted, 99),
	};
};

const ms = (value: number) => (Number.isNaN(value) ? "–" : value < 10 ? value.toFixed(2) : value.toFixed(1));

/** Requests go through the client thread (`bench/http-client.ts`), or run here with `--client inline`. */
const client = values.client === "thread" ? new Worker(new URL("./http-client.ts", import.meta.url)) : undefined;
const waiting = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
client?.on("message", (message: { id: number; answer?: Answer; error?: string }) => {
	const waiter = waiting.get(message.id);
	waiting.delete(message.id);
	if (message.answer) waiter?.resolve(message.answer);
	else waiter?.reject(new Error(message.error));
});
client?.unref();
let exchanges = 0;
const send = (request: Exchange): Promise<Answer> => {
	if (client === undefined) return exchange(request);
	const id = exchanges++;
	return new Promise((resolve, reject) => {
		waiting.set(id, { resolve, reject });
		client.postMessage({ id, exchange: request });
	});
};

/** The milliseconds one POST took, measured by the client. */
const timedPost = async (url: string, token: string, body: unknown) =>
	(await send({ url, token, body, keep: false })).elapsed;

const post = async (url: string, token: string, body: unknown) =>
	JSON.parse((await send({ url, token, body, keep: true })).text) as Record<string, unknown>;

/** Times `count` calls; a failed call is counted (and its first error printed), not timed, and the run goes on. */
const time = async (count: number, call: () => Promise<number>) => {
	const samples: Array<number> = [];
	let failed = 0;
	for (let index = 0; index < count; index++) {
		try {
			samples.push(await call());
		} catch (error) {
			if (failed++ === 0) console.error(`  request failed: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
	return summarize(samples, failed);
};

const serve = async (runtime: ManagedRuntime.ManagedRuntime<never, unknown>) => {
	const server = createServer({
		runtime: runtime as never,
		logger: silentLogger,
		rateLimit: false,
		// The raw-scan baseline's reports run for many seconds at 10M messages, on the same two cores.
		requestTimeoutMs: 600_000,
		authTimeoutMs: 60_000,
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

/** The scale's database; on a Citus coordinator, created on every node and distributed by the migrations. */
const ensureDatabase = async (serverUrl: string, name: string, reload: boolean) => {
	const workers = await citusWorkers(serverUrl);
	const admin = new pg.Client({ connectionString: serverUrl });
	await admin.connect();
	try {
		if (reload) {
			if (workers) await dropClusterDatabase(serverUrl, workers, name);
			else await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
		}
		const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
		if (exists.rowCount === 0) {
			if (workers) await createClusterDatabase(serverUrl, workers, name);
			else await admin.query(`CREATE DATABASE "${name}"`);
		}
	} finally {
		await admin.end();
	}
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	return url.toString();
};

/** The account named `bench-main` (loading it and nine small tenants first when the database has none). */
const ensureData = async (runtime: Runtime, scale: number) => {
	const existing = await runtime.runPromise(
		Database.use((database) => database.query<{ id: string }>("SELECT id FROM account WHERE name = 'bench-main'")),
	);
	if (existing[0]) return { accountId: existing[0].id, load: undefined };
	const now = new Date();
	const started = performance.now();
	const contacts = Math.min(100_000, Math.max(1_000, Math.round(scale / 100)));
	console.log(
		`loading ${scale.toLocaleString("en")} messages (${contacts.toLocaleString("en")} contacts, 50 bots, 90 days) + 9 small tenants…`,
	);
	const load = await runtime.runPromise(
		Effect.gen(function* () {
			const tenants = yield* TenantRepository;
			const main = yield* tenants.createAccount({ name: "bench-main", limits: { datasets: 10, files: 100 } });
			yield* loadBodies(
				main.id,
				generateResources({
					seed: 1,
					now,
					datasets: 3,
					recordsPerDataset: 1_000,
					skillsets: 2,
					abilities: 5,
					files: 10,
				}),
			);
			const activity = generateActivity({ seed: 1, now, days: 90, messages: scale, bots: 50, contacts });
			yield* loadBodies(main.id, activity.parents());
			const progress = makeProgress({ label: "  load", total: scale, unit: "messages" });
			const result = yield* loadBodies(main.id, activity.events(), {
				concurrency: 2,
				onProgress: ({ messages }) => progress.update(messages),
			});
			progress.finish(result.messages);
			for (let tenant = 1; tenant <= 9; tenant++) {
				const small = yield* tenants.createAccount({ name: `bench-small-${tenant}` });
				const smallActivity = generateActivity({
					seed: 100 + tenant,
					now,
					days: 90,
					messages: Math.max(2_000, Math.round(scale / 200)),
					bots: 5,
					contacts: 200,
				});
				yield* loadBodies(small.id, smallActivity.parents());
				yield* loadBodies(small.id, smallActivity.events(), { concurrency: 2 });
			}
			return { accountId: main.id, messages: result.messages, seconds: result.elapsedMs / 1000 };
		}),
	);
	// Everything: resources, parents, the main account's events and the nine tenants.
	const totalSeconds = (performance.now() - started) / 1000;
	return {
		accountId: load.accountId,
		load: { messages: load.messages, seconds: load.seconds, totalSeconds },
	};
};

/**
 * The raw-scan baseline stands for a peer's schema, which indexes messages by bot and time for its per-bot reports;
 * the service does without (its per-bot reads are rollups, and the index cost a quarter of its ingest throughput).
 * The index exists while the baseline is measured and is dropped before the ingest probe, which measures the
 * service's own schema.
 */
const BASELINE_INDEX = "bench_baseline_message_bot_idx";
const baselineIndex = async (url: string, present: boolean) => {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		const started = performance.now();
		// One command per query: Citus forwards a multi-command string to the workers, which refuse it.
		if (present) await client.query("SET maintenance_work_mem = '1GB'");
		await client.query(
			present
				? `CREATE INDEX IF NOT EXISTS ${BASELINE_INDEX} ON message (account_id, bot_id, created_at)`
				: `DROP INDEX IF EXISTS ${BASELINE_INDEX}`,
		);
		if (present) {
			const seconds = ((performance.now() - started) / 1000).toFixed(1);
			console.log(`  baseline index message (account_id, bot_id, created_at) ready (${seconds} s)`);
		}
	} finally {
		await client.end();
	}
};

const batchBody = (period: Record<string, unknown> = { periodDays: 30, timezone }) => {
	const bot = { ...period, botId: "bot_01" };
	return Object.fromEntries(
		reports.map((report) => {
			if (report.id === ReportIds.DatasetRecords) return [report.id, { datasetIds: ["ds_1", "ds_2", "ds_3"] }];
			if (report.id === ReportIds.TotalContacts) return [report.id, {}];
			const properties = (report.inputJsonSchema as { properties?: Record<string, unknown> }).properties ?? {};
			const needsBot = "botId" in properties;
			return [report.id, needsBot ? bot : period];
		}),
	) as Record<string, unknown>;
};

/** A dozen zones, the odd offsets included: +05:45, −03:30, +13:45 (Chatham in summer), half hours, DST. */
const zones = [
	"UTC",
	"Europe/Berlin",
	"America/New_York",
	"America/Los_Angeles",
	"Asia/Kathmandu",
	"America/St_Johns",
	"Pacific/Chatham",
	"Asia/Kolkata",
	"Australia/Adelaide",
	"Asia/Tokyo",
	"Europe/London",
	"America/Sao_Paulo",
];

/**
 * Windows as dashboards ask for them, each asked once: period lengths of 1–365 days (the usual 7, 14, 30 and 90
 * often), explicit dates, a dozen zones; hourly buckets for short windows, weekly for long ones.
 */
const newWindows = (seed: number) => {
	const random = seededRandom(seed);
	const seen = new Set<string>();
	const today = Date.now();
	return (): Record<string, unknown> => {
		for (;;) {
			const zone = zones[random.int(0, zones.length - 1)]!;
			const common = [7, 14, 30, 90];
			const days = random.next() < 0.4 ? common[random.int(0, common.length - 1)]! : random.int(1, 365);
			const granularity = days <= 3 && random.next() < 0.5 ? "hour" : days > 120 ? "week" : "day";
			let period: Record<string, unknown>;
			if (random.next() < 0.6) period = { periodDays: days, timezone: zone, granularity };
			else {
				const end = new Date(today - random.int(0, 60) * 86_400_000);
				const start = new Date(end.getTime() - (days - 1) * 86_400_000);
				const date = (value: Date) => value.toISOString().slice(0, 10);
				period = { startDate: date(start), endDate: date(end), timezone: zone, granularity };
			}
			const key = JSON.stringify(period);
			if (seen.has(key)) continue;
			seen.add(key);
			return period;
		}
	};
};

/** `count` calls, `concurrency` at a time; the milliseconds of each (a failure is counted, not timed). */
const timeConcurrently = async (count: number, concurrency: number, call: () => Promise<number>) => {
	const samples: Array<number> = [];
	let failed = 0;
	let left = count;
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (left-- > 0) {
				try {
					samples.push(await call());
				} catch (error) {
					if (failed++ === 0)
						console.error(`  request failed: ${error instanceof Error ? error.message : String(error)}`);
				}
			}
		}),
	);
	return summarize(samples, failed);
};

/** Calls per second of `call` by 8 clients back to back for `seconds`. */
const perSecond = async (seconds: number, call: () => Promise<unknown>) => {
	let completed = 0;
	const until = performance.now() + seconds * 1000;
	await Promise.all(
		Array.from({ length: 8 }, async () => {
			while (performance.now() < until) {
				await call();
				completed++;
			}
		}),
	);
	return completed / seconds;
};

const results: Array<Record<string, unknown>> = [];
const external = process.env.DATABASE_URL;
const embedded = external
	? undefined
	: await startEmbeddedPostgres({ dataDir: path.join(repoRoot, ".data", "bench-postgres") });
const serverUrl = external ?? embedded!.url;

try {
	for (const scale of scales) {
		const url = await ensureDatabase(serverUrl, `bench_${scale}`, values.reload);
		await runMigrations(url);
		const fast = ManagedRuntime.make(makeDatabaseLayer({ url, poolSize: 10 })) as Runtime;
		const computed = ManagedRuntime.make(makeDatabaseLayer({ url, poolSize: 10, resultCache: false })) as Runtime;
		// The baseline's reports may run far longer than the service's 10 s report limit: let them finish.
		const raw = ManagedRuntime.make(
			Layer.mergeAll(
				// A connection for every query of a batch: queued queries would time out waiting for one.
				makeDatabaseLayer({ url, poolSize: 40, analytics: "raw", statementTimeoutMs: 600_000, resultCache: false }),
				Layer.succeed(ReportTimeoutMs, 600_000),
			),
		) as Runtime;
		const { accountId, load } = await ensureData(fast, scale);
		const { token } = await fast.runPromise(
			Effect.gen(function* () {
				const tenants = yield* TenantRepository;
				return yield* tenants.createToken(accountId, { name: "bench", scopes: ["reports:read", "ingest:write"] });
			}),
		);
		await baselineIndex(url, true);
		const fastServer = await serve(fast as never);
		const computedServer = await serve(computed as never);
		const rawServer = await serve(raw as never);
		const body = batchBody();
		const generate = (base: string) => () => post(`${base}/api/v1/platform/report/generate`, token, body);
		const timedGenerate = (base: string) => () => timedPost(`${base}/api/v1/platform/report/generate`, token, body);

		// Warm both (plans, caches) before measuring.
		for (let index = 0; index < 5; index++) {
			await generate(fastServer.url)();
			await generate(computedServer.url)();
		}
		await generate(rawServer.url)();

		console.log(`\n${scale.toLocaleString("en")} messages: full batch of ${reports.length} reports, ${timezone}`);
		const fullFast = await time(requests, timedGenerate(fastServer.url));
		const fullComputed = await time(requests, timedGenerate(computedServer.url));
		const fullRaw = await time(baselineRequests, timedGenerate(rawServer.url));

		const perReport: Array<{
			id: string;
			name: string;
			fast: ReturnType<typeof summarize>;
			computed: ReturnType<typeof summarize>;
			raw: ReturnType<typeof summarize>;
		}> = [];
		for (const report of reports) {
			const single = (base: string) => () =>
				timedPost(`${base}/api/v1/platform/report/${report.id}/generate`, token, body[report.id]);
			perReport.push({
				id: report.id,
				name: report.name,
				fast: await time(requests, single(fastServer.url)),
				computed: await time(requests, single(computedServer.url)),
				raw: await time(Math.max(3, Math.round(baselineRequests / 2)), single(rawServer.url)),
			});
		}

		// Throughput: 8 clients sending full batches back to back.
		const seconds = Number(values.seconds);
		const throughput = async (base: string) => {
			let completed = 0;
			const until = performance.now() + seconds * 1000;
			await Promise.all(
				Array.from({ length: 8 }, async () => {
					while (performance.now() < until) {
						await timedGenerate(base)();
						completed++;
					}
				}),
			);
			return completed / seconds;
		};
		const batchesPerSecond = await throughput(fastServer.url);
		const computedBatchesPerSecond = await throughput(computedServer.url);

		// Scenarios of a long-running server (the service as shipped, result cache on). First a warm-up of mixed
		// requests across the accounts — full batches and single reports over new windows — so plan caches and
		// in-process caches are in the state a server reaches after days of dashboards.
		const tenantTokens = await fast.runPromise(
			Effect.gen(function* () {
				const { query } = yield* Database;
				const tenants = yield* TenantRepository;
				const rows = yield* query<{ id: string }>("SELECT id FROM account WHERE name LIKE 'bench-small-%'");
				const tokens: Array<string> = [];
				for (const row of rows) tokens.push((yield* tenants.createToken(row.id, { name: "bench" })).token);
				return tokens;
			}),
		);
		const warmupWindow = newWindows(scale + 7);
		const warmupRandom = seededRandom(scale + 11);
		const warmupCount = Number(values.warmup);
		const warmupStarted = performance.now();
		await timeConcurrently(warmupCount, 4, async () => {
			const who = warmupRandom.next() < 0.5 ? token : tenantTokens[warmupRandom.int(0, tenantTokens.length - 1)]!;
			const window = batchBody(warmupWindow());
			if (warmupRandom.next() < 0.5) {
				return timedPost(`${fastServer.url}/api/v1/platform/report/generate`, who, window);
			}
			const report = reports[warmupRandom.int(0, reports.length - 1)]!;
			// A small tenant has no datasets: its Dataset Records answers 404, as it should.
			return timedPost(`${fastServer.url}/api/v1/platform/report/${report.id}/generate`, who, window[report.id]).catch(
				() => 0,
			);
		});
		console.log(
			`  warm-up: ${warmupCount.toLocaleString("en")} mixed requests over new windows in ${((performance.now() - warmupStarted) / 1000).toFixed(1)} s`,
		);
		const scenarioWindow = newWindows(scale + 13);
		const newWindow = () =>
			timedPost(`${fastServer.url}/api/v1/platform/report/generate`, token, batchBody(scenarioWindow()));
		const newWindowBatch = await time(requests, newWindow);
		const newWindowPerSecond = await perSecond(Number(values.seconds), newWindow);

		// Write-then-poll: a live dashboard's cycle — a producer writes a few items (a conversation, three messages,
		// a rating), then the dashboard asks for its batch (30 days, the bench zone) again. Only the batch is timed.
		let writes = 0;
		const runId = Date.now().toString(36);
		const writeSome = () => {
			const id = `wp${runId}_${writes++}`;
			const at = Date.now();
			return post(`${fastServer.url}/api/v1/ingest`, token, {
				conversations: [{ id, botId: "bot_01", createdAt: at }],
				messages: ["user", "bot", "activity"].map((type, index) => ({
					id: `${id}_m${index}`,
					conversationId: id,
					type,
					tokens: 10 + index,
					createdAt: at + index,
					...(type === "activity" ? { action: { type: "tool", name: "search" } } : {}),
				})),
				ratings: [
					{ id: `${id}_r`, botId: "bot_01", conversationId: id, value: writes % 3 === 0 ? -1 : 1, createdAt: at + 3 },
				],
			});
		};
		const writeThenPoll = async () => {
			await writeSome();
			return timedPost(`${fastServer.url}/api/v1/platform/report/generate`, token, body);
		};
		const writeThenPollBatch = await time(requests, writeThenPoll);
		const writeThenPollPerSecond = await perSecond(Number(values.seconds), writeThenPoll);
		console.log(
			`  new window each request: p50 ${ms(newWindowBatch.p50)} ms, p95 ${ms(newWindowBatch.p95)} ms, ${newWindowPerSecond.toFixed(1)} batches/s at concurrency 8` +
				`\n  write-then-poll: p50 ${ms(writeThenPollBatch.p50)} ms, p95 ${ms(writeThenPollBatch.p95)} ms, ${writeThenPollPerSecond.toFixed(1)} batches/s at concurrency 8`,
		);

		// Fairness: a small tenant's cheap report (Total Conversations over a new window each time, so it is computed),
		// alone and while the large account floods with heavy batches (22 reports over 90 days in hourly buckets,
		// each ending on a different day, so none is answered from the cache) from 8 clients at once.
		const quietToken = tenantTokens[0]!;
		const quietWindow = newWindows(scale + 19);
		const cheap = () =>
			timedPost(
				`${fastServer.url}/api/v1/platform/report/${ReportIds.TotalConversations}/generate`,
				quietToken,
				quietWindow(),
			);
		const fairnessRequests = Math.max(20, Math.round(requests / 2));
		const alone = await time(fairnessRequests, cheap);
		let heavy = 0;
		const flood = { stop: false, served: 0, refused: 0 };
		const flooders = Array.from({ length: 8 }, async () => {
			while (!flood.stop) {
				const end = new Date(Date.now() - (heavy++ % 365) * 86_400_000);
				const start = new Date(end.getTime() - 89 * 86_400_000);
				const period = {
					startDate: start.toISOString().slice(0, 10),
					endDate: end.toISOString().slice(0, 10),
					granularity: "hour",
					timezone: zones[heavy % zones.length],
				};
				try {
					await timedPost(`${fastServer.url}/api/v1/platform/report/generate`, token, batchBody(period));
					flood.served++;
				} catch (error) {
					if (String(error).includes("answered 429")) flood.refused++;
					else throw error;
				}
			}
		});
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		const underFlood = await time(fairnessRequests, cheap);
		flood.stop = true;
		await Promise.all(flooders);
		console.log(
			`  fairness: a small tenant's cheap report p50 ${ms(alone.p50)} ms alone, ${ms(underFlood.p50)} ms (p95 ${ms(underFlood.p95)}) while the large account floods; ` +
				`flood served ${flood.served}, refused ${flood.refused} (429)`,
		);

		// Ingest: batches of 1,000 items through the HTTP endpoint, then both servers must still agree exactly.
		// ~100k messages of current activity are timed: ~10 s of traffic, long enough that a burst of autovacuum or a
		// checkpoint does not decide the figure. The first INGEST_WARMUP_BATCHES go untimed, as the reads' first
		// requests do: the writers' backends start cold (see `ormConfig`'s pool).
		const probe = generateActivity({
			seed: Date.now() % 100_000,
			now: new Date(),
			days: 2,
			messages: 100_000 + INGEST_WARMUP_BATCHES * 1_000,
			bots: 50,
			contacts: 500,
			batchItems: 1_000,
			idPrefix: `probe${Date.now().toString(36)}_`,
			// The account's own bots and (most active) contacts: each run adds conversations and messages, not bots.
			parentPrefix: "",
		});
		await baselineIndex(url, false);
		for (const parents of probe.parents()) await post(`${fastServer.url}/api/v1/ingest`, token, parents);
		// Four clients at once, as several producers would send: throughput, not one client's latency.
		const pending = probe.events()[Symbol.iterator]();
		const send = async (batches: number) => {
			let messages = 0;
			let left = batches;
			const take = () => (left-- > 0 ? pending.next() : ({ done: true } as const));
			await Promise.all(
				Array.from({ length: INGEST_CLIENTS }, async () => {
					for (let next = take(); !next.done; next = take()) {
						await timedPost(`${fastServer.url}/api/v1/ingest`, token, next.value);
						messages += next.value.messages?.length ?? 0;
					}
				}),
			);
			return messages;
		};
		await send(INGEST_WARMUP_BATCHES);
		const ingestStarted = performance.now();
		const ingested = await send(Number.POSITIVE_INFINITY);
		const ingestSeconds = (performance.now() - ingestStarted) / 1000;
		// The service (its cache now stale: the ingest moved the data version), the computing service, the baseline.
		const afterFast = await generate(fastServer.url)();
		const afterComputed = await generate(computedServer.url)();
		const afterRaw = await generate(rawServer.url)();
		const exact =
			JSON.stringify(afterFast) === JSON.stringify(afterRaw) &&
			JSON.stringify(afterComputed) === JSON.stringify(afterRaw);
		for (const [id, entry] of [...Object.entries(afterFast), ...Object.entries(afterRaw)]) {
			if (entry && typeof entry === "object" && "error" in entry)
				console.error(`  ${id} answered an error: ${JSON.stringify(entry)}`);
		}
		if (!exact) {
			for (const id of Object.keys(afterFast)) {
				if (JSON.stringify(afterFast[id]) !== JSON.stringify(afterRaw[id])) console.error(`  ${id} differs (service)`);
				if (JSON.stringify(afterComputed[id]) !== JSON.stringify(afterRaw[id]))
					console.error(`  ${id} differs (computed)`);
			}
		}

		const ratio = (raw: number, value: number) => `${(raw / value).toFixed(1)}×`;
		console.log(
			"\n| report | repeated p50 | p95 | p99 | computed p50 | p95 | p99 | raw scan p50 | raw ÷ computed |\n|---|---|---|---|---|---|---|---|---|",
		);
		const line = (
			name: string,
			cached: ReturnType<typeof summarize>,
			fresh: ReturnType<typeof summarize>,
			raw: ReturnType<typeof summarize>,
		) => {
			const failures = cached.failed + fresh.failed + raw.failed;
			return `| ${name} | ${ms(cached.p50)} | ${ms(cached.p95)} | ${ms(cached.p99)} | ${ms(fresh.p50)} | ${ms(fresh.p95)} | ${ms(fresh.p99)} | ${ms(raw.p50)} | ${ratio(raw.p50, fresh.p50)} |${failures > 0 ? ` ${failures} failed` : ""}`;
		};
		console.log(line("**full batch**", fullFast, fullComputed, fullRaw));
		for (const row of perReport) console.log(line(row.name, row.fast, row.computed, row.raw));
		const minutes = (total: number) => `${Math.floor(total / 60)} min ${Math.round(total % 60)} s`;
		console.log(
			`\nthroughput (concurrency 8): ${batchesPerSecond.toFixed(1)} full batches/s repeated (result cache), ${computedBatchesPerSecond.toFixed(1)} computed` +
				`\ningest over HTTP: ${Math.round(ingested / ingestSeconds).toLocaleString("en")} messages/s (${ingested.toLocaleString("en")} messages in batches of 1,000 items, ${INGEST_CLIENTS} clients)` +
				(load
					? `\ninitial load: ${load.messages.toLocaleString("en")} messages at ${Math.round(load.messages / load.seconds).toLocaleString("en")}/s; everything (resources, parents, events, 9 tenants) in ${minutes(load.totalSeconds)}`
					: "") +
				`\nafter ingest, the service, the computing service and the raw scan answer identically: ${exact ? "yes" : "NO"}`,
		);
		results.push({
			scale,
			timezone,
			requests,
			baselineRequests,
			fullBatch: {
				rollups: fullFast,
				computed: fullComputed,
				raw: fullRaw,
				ratio: fullRaw.p50 / fullFast.p50,
				computedRatio: fullRaw.p50 / fullComputed.p50,
			},
			perReport,
			batchesPerSecond,
			computedBatchesPerSecond,
			newWindow: { ...newWindowBatch, perSecond: newWindowPerSecond, warmup: warmupCount },
			writeThenPoll: { ...writeThenPollBatch, perSecond: writeThenPollPerSecond },
			fairness: { alone, underFlood, floodServed: flood.served, floodRefused: flood.refused },
			ingestMessagesPerSecond: ingested / ingestSeconds,
			initialLoad: load,
			exactAfterIngest: exact,
		});
		for (const { server } of [fastServer, computedServer, rawServer]) {
			await new Promise((resolve) => server.close(resolve));
		}
		await fast.dispose();
		await computed.dispose();
		await raw.dispose();
		if (!exact) process.exitCode = 1;
	}
	type Summary = { p50: number; p95: number };
	type Result = {
		scale: number;
		fullBatch: { rollups: Summary; computed: Summary; ratio: number; computedRatio: number };
		batchesPerSecond: number;
		computedBatchesPerSecond: number;
		newWindow: Summary & { perSecond: number };
		writeThenPoll: Summary & { perSecond: number };
		fairness: { alone: Summary; underFlood: Summary; floodServed: number };
		ingestMessagesPerSecond: number;
		initialLoad?: { totalSeconds: number };
	};
	const measured = results as Array<Result>;
	for (const result of measured.slice(1)) {
		const first = measured[0]!;
		console.log(
			`\nfull batch p50 at ${result.scale.toLocaleString("en")} vs ${first.scale.toLocaleString("en")} messages: ` +
				`${(result.fullBatch.rollups.p50 / first.fullBatch.rollups.p50).toFixed(2)}× repeated, ` +
				`${(result.fullBatch.computed.p50 / first.fullBatch.computed.p50).toFixed(2)}× computed`,
		);
	}
	// The targets, judged on the largest scale measured, for repeated requests (answered by the result cache while
	// the data is unchanged) and for computed ones (every request computed); a missed one says by how much.
	const largest = measured.at(-1);
	const smallest = measured[0];
	if (largest && smallest) {
		// A near miss shows two decimals, so "missed by 1.0×" never reads as met.
		const missedBy = (factor: number) => `missed by ${factor.toFixed(factor < 1.1 ? 2 : 1)}×`;
		const atMost = (value: number, limit: number) => (value <= limit ? "met" : missedBy(value / limit));
		const atLeast = (value: number, limit: number) => (value >= limit ? "met" : missedBy(limit / value));
		const both = (
			target: string,
			repeated: number,
			computed: number,
			shown: (value: number) => string,
			judge: (value: number) => string,
		): Array<[string, string, string]> => [
			[`${target} (repeated)`, shown(repeated), judge(repeated)],
			[`${target} (computed)`, shown(computed), judge(computed)],
		];
		const rows: Array<[string, string, string]> = [
			...both("full batch p50 ≤ 15 ms", largest.fullBatch.rollups.p50, largest.fullBatch.computed.p50, ms, (v) =>
				atMost(v, 15),
			),
			...both("full batch p95 ≤ 40 ms", largest.fullBatch.rollups.p95, largest.fullBatch.computed.p95, ms, (v) =>
				atMost(v, 40),
			),
			...both(
				"≥ 100× the raw scan",
				largest.fullBatch.ratio,
				largest.fullBatch.computedRatio,
				(v) => `${v.toFixed(1)}×`,
				(v) => atLeast(v, 100),
			),
			...both(
				"≥ 150 full batches/s at concurrency 8",
				largest.batchesPerSecond,
				largest.computedBatchesPerSecond,
				(v) => v.toFixed(1),
				(v) => atLeast(v, 150),
			),
			["new window each request p50 ≤ 20 ms", ms(largest.newWindow.p50), atMost(largest.newWindow.p50, 20)],
			["new window each request p95 ≤ 50 ms", ms(largest.newWindow.p95), atMost(largest.newWindow.p95, 50)],
			[
				"≥ 80 new-window batches/s at concurrency 8",
				largest.newWindow.perSecond.toFixed(1),
				atLeast(largest.newWindow.perSecond, 80),
			],
			["write-then-poll p50 ≤ 15 ms", ms(largest.writeThenPoll.p50), atMost(largest.writeThenPoll.p50, 15)],
			[
				"≥ 150 write-then-poll batches/s at concurrency 8",
				largest.writeThenPoll.perSecond.toFixed(1),
				atLeast(largest.writeThenPoll.perSecond, 150),
			],
			[
				"a tenant's p50 under another's flood ≤ 2× alone",
				`${ms(largest.fairness.underFlood.p50)} vs ${ms(largest.fairness.alone.p50)}`,
				atMost(largest.fairness.underFlood.p50 / largest.fairness.alone.p50, 2),
			],
			[
				"the flooding tenant still served",
				String(largest.fairness.floodServed),
				largest.fairness.floodServed > 0 ? "met" : "missed",
			],
			[
				"ingest ≥ 20,000 messages/s",
				Math.round(largest.ingestMessagesPerSecond).toLocaleString("en"),
				atLeast(largest.ingestMessagesPerSecond, 20_000),
			],
		];
		if (largest !== smallest) {
			rows.push(
				...both(
					`p50 at ${largest.scale.toLocaleString("en")} within 1.3× of ${smallest.scale.toLocaleString("en")}`,
					largest.fullBatch.rollups.p50 / smallest.fullBatch.rollups.p50,
					largest.fullBatch.computed.p50 / smallest.fullBatch.computed.p50,
					(v) => `${v.toFixed(2)}×`,
					(v) => atMost(v, 1.3),
				),
				...(
					[
						["new window", largest.newWindow.p50 / smallest.newWindow.p50],
						["write-then-poll", largest.writeThenPoll.p50 / smallest.writeThenPoll.p50],
					] as const
				).map(([scenario, factor]): [string, string, string] => [
					`${scenario} p50 at ${largest.scale.toLocaleString("en")} within 1.3× of ${smallest.scale.toLocaleString("en")}`,
					`${factor.toFixed(2)}×`,
					atMost(factor, 1.3),
				]),
			);
		}
		if (largest.initialLoad) {
			const minutes = largest.initialLoad.totalSeconds / 60;
			rows.push([
				`load of ${largest.scale.toLocaleString("en")} messages + 9 tenants < 15 min`,
				`${minutes.toFixed(1)} min`,
				atMost(minutes, 15),
			]);
		}
		console.log(
			`\ntargets (${largest.scale.toLocaleString("en")} messages)\n| target | measured | status |\n|---|---|---|`,
		);
		for (const [target, value, status] of rows) console.log(`| ${target} | ${value} | ${status} |`);
	}
	const outDir = path.join(repoRoot, "bench-results");
	await mkdir(outDir, { recursive: true });
	const file = path.join(outDir, `reports-${new Date().toISOString().replaceAll(":", "-")}.json`);
	await writeFile(
		file,
		`${JSON.stringify({ machine: { cpus: (await import("node:os")).cpus().length }, client: values.client, results }, null, 2)}\n`,
	);
	console.log(`\nwritten ${path.relative(repoRoot, file)}`);
} finally {
	await embedded?.stop();
}
