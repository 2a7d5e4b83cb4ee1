/**
 * Load with a fault: `pnpm --filter @convolens/api load:fault [durationSeconds=75]`.
 *
 * Starts its own embedded PostgreSQL in a temporary directory, migrates it, seeds a small account, and serves the API
 * in-process on 127.0.0.1. Eight workers then run a bounded mix of report batches and ingest requests (client-side
 * timeout on every request; ingest retried with the very same IDs until acknowledged). Part-way through, PostgreSQL
 * is stopped and, a few seconds later, started again on the same data directory and port; the API keeps running.
 *
 * Printed at the end: requests, errors by code, p50/p99 latency per phase, how requests behaved during the outage
 * and how soon the API recovered, and the data check — every ingest item acknowledged with 200 is stored exactly once
 * (counted by ID in SQL). Exits 1 when the data check fails, when a request hung past its client timeout during the
 * outage, or when the API did not recover.
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ReportIds, TenantRepository } from "@convolens/core";
import { Database, makeDatabaseLayer, runMigrations, startEmbeddedPostgres } from "@convolens/db";
import { ManagedRuntime } from "effect";
import type { Logger } from "../src/http/logger.ts";
import type { AppRuntime } from "../src/runtime.ts";
import { closeGracefully, createServer } from "../src/server.ts";

const durationMs = Number(process.argv[2] ?? 75) * 1_000;
if (!Number.isFinite(durationMs) || durationMs < 30_000) {
	process.stderr.write("usage: load-with-fault.ts [durationSeconds ≥ 30]\n");
	process.exit(2);
}
const WORKERS = 8;
/** Client-side limit of one HTTP attempt. */
const CLIENT_TIMEOUT_MS = 8_000;
/** PostgreSQL goes down this far into the run, for this long. */
const OUTAGE_AT_MS = Math.round(durationMs * 0.4);
const OUTAGE_MS = 10_000;
/** An ingest batch is retried (same IDs) for at most this long after the load phase ends. */
const RETRY_GRACE_MS = 30_000;
const DAY_MS = 86_400_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) =>
	process.stdout.write(`[${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);

const startedAt = performance.now();
const dataDir = await mkdtemp(path.join(tmpdir(), "convolens-load-fault-"));
let database = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg") });
const port = database.port;
const url = database.url;
log(`PostgreSQL on 127.0.0.1:${port}`);
await runMigrations(url);

/** Server log lines by level; 5xx other than 503/504 are counted as unexpected. */
const serverLog = { errors: 0, warnings: 0 };
const quietLogger: Logger = {
	debug: () => {},
	info: () => {},
	warn: () => void serverLog.warnings++,
	error: () => void serverLog.errors++,
};
const runtime: AppRuntime = ManagedRuntime.make(makeDatabaseLayer({ url, poolSize: 10 }));
const account = await runtime.runPromise(TenantRepository.use((tenants) => tenants.createAccount({ name: "Load" })));
const server = createServer({ runtime, logger: quietLogger, rateLimit: false, requestTimeoutMs: 15_000 });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
log(`API on ${baseUrl}`);

// ---------------------------------------------------------------------------------------------------------------
// Requests and what they measured

type Phase = "before" | "outage" | "after";
let phase: Phase = "before";

interface Attempt {
	readonly op: "report" | "ingest";
	readonly phase: Phase;
	readonly startedMs: number;
	readonly latencyMs: number;
	/** HTTP status, or 0 when no response arrived. */
	readonly status: number;
	/** Wire code of an error response, or the client-side failure (CLIENT_TIMEOUT, NETWORK). */
	readonly code: string;
}

const attempts: Array<Attempt> = [];

const request = async (op: Attempt["op"], pathname: string, body: unknown) => {
	const attemptPhase = phase;
	const started = performance.now();
	let status = 0;
	let code = "OK";
	let json: unknown;
	try {
		const response = await fetch(`${baseUrl}${pathname}`, {
			method: "POST",
			headers: { authorization: `Bearer ${account.token}`, "content-type": "application/json" },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
		});
		status = response.status;
		json = await response.json();
		if (status !== 200) code = String((json as { code?: unknown }).code ?? `HTTP_${status}`);
	} catch (error) {
		code = error instanceof Error && error.name === "TimeoutError" ? "CLIENT_TIMEOUT" : "NETWORK";
	}
	const latencyMs = performance.now() - started;
	attempts.push({
		op,
		phase: attemptPhase === phase ? attemptPhase : "outage",
		startedMs: started - startedAt,
		latencyMs,
		status,
		code,
	});
	return { status, code, json };
};

// ---------------------------------------------------------------------------------------------------------------
// Seed: a small account, through the API itself

const now = Date.now();
const at = (daysAgo: number, minute: number) => new Date(now - daysAgo * DAY_MS - minute * 60_000).toISOString();
const seedBody = {
	contacts: Array.from({ length: 30 }, (_, index) => ({ id: `seed-c${index}`, name: `Contact ${index}` })),
	bots: [{ id: "bot-1" }, { id: "bot-2" }, { id: "bot-3" }],
	datasets: [{ id: "ds-1" }, { id: "ds-2" }],
	records: Array.from({ length: 200 }, (_, index) => ({ id: `seed-r${index}`, datasetId: `ds-${(index % 2) + 1}` })),
	conversations: Array.from({ length: 300 }, (_, index) => ({
		id: `seed-cv${index}`,
		botId: `bot-${(index % 3) + 1}`,
		contactId: `seed-c${index % 30}`,
		createdAt: at(index % 30, index),
	})),
	messages: Array.from({ length: 1_500 }, (_, index) => ({
		id: `seed-m${index}`,
		conversationId: `seed-cv${index % 300}`,
		type: ["user", "bot", "activity"][index % 3],
		tokens: 10 + (index % 50),
		...(index % 3 === 2 ? { action: { type: "tool", name: `tool-${index % 7}` } } : {}),
		createdAt: at((index % 300) % 30, index % 300),
	})),
	ratings: Array.from({ length: 120 }, (_, index) => ({
		id: `seed-rt${index}`,
		value: index % 4 === 0 ? -1 : 1,
		botId: `bot-${(index % 3) + 1}`,
		conversationId: `seed-cv${index}`,
		createdAt: at(index % 30, index),
	})),
};
const seeded = await request("ingest", "/api/v1/ingest", seedBody);
if (seeded.status !== 200 || (seeded.json as { errors: Array<unknown> }).errors.length > 0) {
	throw new Error(`seeding failed: ${JSON.stringify(seeded.json).slice(0, 500)}`);
}
attempts.length = 0;
log("seeded: 30 contacts, 3 bots, 300 conversations, 1,500 messages, 120 ratings, 200 records");

// ---------------------------------------------------------------------------------------------------------------
// Workers

const reportInputs: Record<string, unknown> = {
	[ReportIds.TotalRatings]: { periodDays: 30 },
	[ReportIds.TotalContacts]: {},
	[ReportIds.ActiveContacts]: { periodDays: 30 },
	[ReportIds.TotalMessages]: { periodDays: 7, granularity: "hour" },
	[ReportIds.BotStats]: { botId: "bot-1", periodDays: 30 },
	[ReportIds.BotPerformance]: { botId: "bot-2", periodDays: 14 },
	[ReportIds.BotConversationQuality]: { botId: "bot-3" },
	[ReportIds.Alerts]: {},
	[ReportIds.DatasetRecords]: { datasetIds: ["ds-1", "ds-2"] },
	[ReportIds.ComprehensiveOverview]: { periodDays: 30 },
};
const reportIds = Object.keys(reportInputs);

/** IDs of every item the API acknowledged with 200, per table. */
const acknowledged = { conversation: new Set<string>(), message: new Set<string>(), rating: new Set<string>() };
const ingestOutcome = { batches: 0, acknowledged: 0, firstTry: 0, afterRetry: 0, gaveUp: 0, retries: 0, duplicates: 0 };

const loadEndsAt = startedAt + durationMs;

const ingestBatch = async (worker: number, sequence: number) => {
	const prefix = `w${worker}-${sequence}`;
	const conversationId = `${prefix}-cv`;
	const body = {
		conversations: [{ id: conversationId, botId: `bot-${(sequence % 3) + 1}`, contactId: `seed-c${sequence % 30}` }],
		messages: Array.from({ length: 8 }, (_, index) => ({
			id: `${prefix}-m${index}`,
			conversationId,
			type: index % 2 === 0 ? "user" : "bot",
			tokens: 5 + index,
		})),
		ratings: [{ id: `${prefix}-rt`, value: sequence % 5 === 0 ? -1 : 1, conversationId }],
	};
	ingestOutcome.batches++;
	for (let attempt = 1; ; attempt++) {
		const result = await request("ingest", "/api/v1/ingest", body);
		if (result.status === 200) {
			const answer = result.json as { errors: Array<unknown>; duplicates: Record<string, number> };
			if (answer.errors.length > 0) throw new Error(`ingest rejected items: ${JSON.stringify(answer.errors)}`);
			acknowledged.conversation.add(conversationId);
			for (const message of body.messages) acknowledged.message.add(message.id);
			acknowledged.rating.add(`${prefix}-rt`);
			ingestOutcome.acknowledged++;
			ingestOutcome.duplicates += Object.values(answer.duplicates).reduce((sum, count) => sum + count, 0);
			if (attempt === 1) ingestOutcome.firstTry++;
			else ingestOutcome.afterRetry++;
			return;
		}
		if (result.status >= 400 && result.status < 500) {
			throw new Error(`ingest answered ${result.status} ${JSON.stringify(result.json)}`);
		}
		if (performance.now() > loadEndsAt + RETRY_GRACE_MS) {
			ingestOutcome.gaveUp++;
			return;
		}
		ingestOutcome.retries++;
		await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)));
	}
};

const reportBatch = async (sequence: number) => {
	const chosen = Object.fromEntries(
		Array.from({ length: 4 }, (_, index) => reportIds[(sequence * 3 + index * 5) % reportIds.length]!).map((id) => [
			id,
			reportInputs[id],
		]),
	);
	await request("report", "/api/v1/platform/report/generate", chosen);
};

const worker = async (index: number) => {
	for (let sequence = 0; performance.now() < loadEndsAt; sequence++) {
		if (sequence % 5 < 3) await reportBatch(sequence + index);
		else await ingestBatch(index, sequence);
		// A little think time keeps the mix bounded (~8 requests in flight at most).
		await sleep(5);
	}
};

// ---------------------------------------------------------------------------------------------------------------
// The fault: stop PostgreSQL, wait, start it again on the same directory and port

const outage = { stoppedAtMs: 0, restartedAtMs: 0, firstSuccessAfterRestartMs: Number.NaN };

const fault = async () => {
	await sleep(OUTAGE_AT_MS - (performance.now() - startedAt));
	log("stopping PostgreSQL");
	phase = "outage";
	outage.stoppedAtMs = performance.now() - startedAt;
	await database.stop();
	log("PostgreSQL stopped");
	await sleep(OUTAGE_MS);
	log("starting PostgreSQL again");
	database = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port });
	outage.restartedAtMs = performance.now() - startedAt;
	phase = "after";
	log("PostgreSQL is back");
};

log(
	`load: ${WORKERS} workers for ${durationMs / 1000} s; PostgreSQL down at ${OUTAGE_AT_MS / 1000} s for ${OUTAGE_MS / 1000} s`,
);
await Promise.all([fault(), ...Array.from({ length: WORKERS }, (_, index) => worker(index))]);
log("load finished");

// ---------------------------------------------------------------------------------------------------------------
// Data check: every acknowledged item stored exactly once

const dataCheck: Array<{ table: string; acknowledged: number; stored: number; storedTwice: number; missing: number }> =
	[];
for (const [table, ids] of Object.entries(acknowledged)) {
	const rows = await runtime.runPromise(
		Database.use((db) =>
			db.query<{ id: string; n: number }>(
				`SELECT id, count(*)::int AS n FROM "${table}" WHERE account_id = $1 AND id = ANY($2) GROUP BY id`,
				[account.id, [...ids]],
			),
		),
	);
	const counts = new Map(rows.map((row) => [row.id, row.n]));
	dataCheck.push({
		table,
		acknowledged: ids.size,
		stored: rows.length,
		storedTwice: rows.filter((row) => row.n > 1).length,
		missing: [...ids].filter((id) => !counts.has(id)).length,
	});
}
const dataOk = dataCheck.every((row) => row.missing === 0 && row.storedTwice === 0 && row.acknowledged > 0);

// The API reflects the stored data after the restart (reports read what SQL counts).
const afterRestart = await request("report", "/api/v1/platform/report/generate", {
	[ReportIds.TotalRatings]: { periodDays: 30 },
});

await closeGracefully(server);
await runtime.dispose();
await database.stop();
await rm(dataDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------------------------
// Report

const percentile = (values: ReadonlyArray<number>, p: number) => {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(1)} ms`);
const table = (rows: ReadonlyArray<Record<string, string | number>>) => {
	const columns = Object.keys(rows[0] ?? {});
	const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells: ReadonlyArray<string>) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
	return [
		line(columns),
		`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
		...rows.map((row) => line(columns.map((column) => String(row[column])))),
	].join("\n");
};

const firstSuccess = attempts.find((attempt) => attempt.status === 200 && attempt.startedMs >= outage.restartedAtMs);
outage.firstSuccessAfterRestartMs = firstSuccess ? firstSuccess.startedMs + firstSuccess.latencyMs : Number.NaN;
const duringOutage = attempts.filter((attempt) => attempt.phase === "outage");
const outageHung = duringOutage.filter((attempt) => attempt.code === "CLIENT_TIMEOUT").length;
const unexpected = attempts.filter(
	(attempt) => attempt.status >= 500 && attempt.code !== "SERVICE_UNAVAILABLE" && attempt.code !== "TIMEOUT",
).length;
const lateFailures = attempts.filter(
	(attempt) =>
		attempt.phase === "after" && attempt.startedMs > outage.firstSuccessAfterRestartMs && attempt.status !== 200,
).length;
const recovered = !Number.isNaN(outage.firstSuccessAfterRestartMs) && afterRestart.status === 200;

const byPhase = (["before", "outage", "after"] as const).map((name): Record<string, string | number> => {
	const inPhase = attempts.filter((attempt) => attempt.phase === name);
	const latencies = inPhase.map((attempt) => attempt.latencyMs);
	return {
		phase: name,
		requests: inPhase.length,
		ok: inPhase.filter((attempt) => attempt.status === 200).length,
		errors: inPhase.filter((attempt) => attempt.status !== 200).length,
		p50: ms(percentile(latencies, 50)),
		p99: ms(percentile(latencies, 99)),
		max: ms(Math.max(...latencies)),
	};
});
const allLatencies = attempts.map((attempt) => attempt.latencyMs);
byPhase.push({
	phase: "all",
	requests: attempts.length,
	ok: attempts.filter((attempt) => attempt.status === 200).length,
	errors: attempts.filter((attempt) => attempt.status !== 200).length,
	p50: ms(percentile(allLatencies, 50)),
	p99: ms(percentile(allLatencies, 99)),
	max: ms(Math.max(...allLatencies)),
});

const codes = new Map<string, number>();
for (const attempt of attempts) {
	const key = `${attempt.status === 0 ? "—" : attempt.status} ${attempt.code}`;
	codes.set(key, (codes.get(key) ?? 0) + 1);
}

const out = [
	"",
	`Load with a fault — ${WORKERS} workers, ${durationMs / 1000} s, client timeout ${CLIENT_TIMEOUT_MS / 1000} s, PostgreSQL stopped at ${(outage.stoppedAtMs / 1000).toFixed(1)} s and back at ${(outage.restartedAtMs / 1000).toFixed(1)} s`,
	"",
	"Requests by phase (report batches of 4 reports, ingest batches of 10 items; every HTTP attempt counted):",
	table(byPhase),
	"",
	"Responses by status and code:",
	table(
		[...codes.entries()].sort((a, b) => b[1] - a[1]).map(([key, count]) => ({ "status code": key, requests: count })),
	),
	"",
	"Outage and recovery:",
	table([
		{ measure: "requests during the outage", value: duringOutage.length },
		{
			measure: "… answered 503 SERVICE_UNAVAILABLE",
			value: duringOutage.filter((attempt) => attempt.code === "SERVICE_UNAVAILABLE").length,
		},
		{ measure: "… slowest answer", value: ms(Math.max(...duringOutage.map((attempt) => attempt.latencyMs))) },
		{ measure: "… hung past the client timeout", value: outageHung },
		{
			measure: "first 200 after the restart",
			value: Number.isNaN(outage.firstSuccessAfterRestartMs)
				? "never"
				: `${((outage.firstSuccessAfterRestartMs - outage.restartedAtMs) / 1000).toFixed(2)} s after PostgreSQL was back`,
		},
		{ measure: "failures after that first 200", value: lateFailures },
		{ measure: "5xx other than 503/504", value: unexpected },
		{ measure: "server error log lines (one per 5xx)", value: serverLog.errors },
	]),
	"",
	"Ingest (retried with the same IDs until acknowledged):",
	table([
		{
			batches: ingestOutcome.batches,
			acknowledged: ingestOutcome.acknowledged,
			"first try": ingestOutcome.firstTry,
			"after retry": ingestOutcome.afterRetry,
			retries: ingestOutcome.retries,
			"duplicates on retry": ingestOutcome.duplicates,
			"gave up": ingestOutcome.gaveUp,
		},
	]),
	"",
	"Data check (acknowledged IDs counted in SQL):",
	table(dataCheck),
	"",
	`Data check: ${dataOk ? "PASS — every acknowledged item is stored exactly once" : "FAIL"}`,
	`Outage: ${outageHung === 0 ? "PASS — no request hung" : `FAIL — ${outageHung} requests hung`}`,
	`Recovery: ${recovered ? "PASS — the API recovered without a restart" : "FAIL"}`,
	"",
];
process.stdout.write(out.join("\n"));
process.exit(dataOk && outageHung === 0 && recovered ? 0 : 1);
