/**
 * Write and read throughput against a throw-away embedded PostgreSQL (or `DATABASE_URL`):
 * `node bench/ingest.bench.ts [messages=200000] [--statements]`. Prints a table. `--statements` drops the rollup
 * triggers after migrating, so the ingest keeps the rollups by its own statements (as on Citus; `src/maintenance.ts`).
 *
 * - ingest: 10,000-item requests (conversations with their messages) through the ingest repository, one writer
 *   and then two concurrent writers;
 * - bulk: `copyRows` straight into the tables;
 * - reports: the repository aggregates over the loaded data (90 daily slices, one account).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
	AccountRepository,
	ActivityRepository,
	IngestRepository,
	parseIngestBatch,
	TenantRepository,
} from "@convolens/core";
import { Effect, ManagedRuntime } from "effect";
import pg from "pg";
import { copyRows } from "../src/bulk.ts";
import { startEmbeddedPostgres } from "../src/embedded.ts";
import { makeDatabaseLayer } from "../src/layer.ts";
import { dropMaintenanceTriggersSql } from "../src/maintenance.ts";
import { runMigrations } from "../src/migrate.ts";
import { databaseUrl } from "../src/testing/urls.ts";

const args = process.argv.slice(2);
const statements = args.includes("--statements");
const totalMessages = Number(args.find((arg) => !arg.startsWith("--")) ?? 200_000);
const DAY = 86_400_000;
const now = Date.parse("2026-06-01T12:00:00Z");
const rows: Array<{ step: string; items: number; ms: number }> = [];
const timed = async <A>(step: string, items: number, work: () => Promise<A>) => {
	const started = performance.now();
	const result = await work();
	rows.push({ step, items, ms: performance.now() - started });
	return result;
};

const dir = await mkdtemp(path.join(tmpdir(), "convolens-bench-"));
const server = process.env.DATABASE_URL
	? { url: process.env.DATABASE_URL, stop: async () => {} }
	: await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), ephemeral: true });
const name = `convolens_bench_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = databaseUrl(server.url, name);
await runMigrations(url);
if (statements) {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	for (const sql of dropMaintenanceTriggersSql) await client.query(sql);
	await client.end();
}
console.log(`rollup maintenance: ${statements ? "ingest statements" : "triggers"}`);
const runtime = ManagedRuntime.make(makeDatabaseLayer({ url, poolSize: 4 }));
const run = <A, E>(
	effect: Effect.Effect<A, E, IngestRepository | TenantRepository | ActivityRepository | AccountRepository>,
) => runtime.runPromise(effect);

try {
	const account = await run(TenantRepository.use((tenants) => tenants.createAccount({ name: "bench" })));
	await run(
		IngestRepository.use((ingest) =>
			Effect.flatMap(
				parseIngestBatch({
					bots: Array.from({ length: 20 }, (_, i) => ({ id: `bot-${i}`, createdAt: now - 100 * DAY })),
					contacts: Array.from({ length: 5_000 }, (_, i) => ({ id: `contact-${i}`, createdAt: now - 100 * DAY })),
				}),
				(batch) => ingest.ingest(account.id, batch),
			),
		),
	);

	/** A 10,000-item body: 1,000 conversations with 9 messages each. */
	const body = (writer: string, n: number) => {
		const conversations = Array.from({ length: 1_000 }, (_, i) => ({
			id: `${writer}-c${n}-${i}`,
			createdAt: now - ((n * 1_000 + i) % 90) * DAY - i * 1_000,
			botId: `bot-${i % 20}`,
			contactId: `contact-${(n * 1_000 + i) % 5_000}`,
		}));
		const messages = conversations.flatMap((conversation, i) =>
			Array.from({ length: 9 }, (_, m) => ({
				id: `${conversation.id}-m${m}`,
				conversationId: conversation.id,
				createdAt: conversation.createdAt + m * 30_000,
				type: m % 3 === 0 ? "user" : m % 3 === 1 ? "bot" : "activity",
				tokens: (i * 7 + m) % 300,
				action: m % 3 === 2 ? { type: "tool", name: `action-${m}` } : null,
			})),
		);
		return { conversations, messages };
	};
	const ingestBodies = (writer: string, count: number) =>
		run(
			IngestRepository.use((ingest) =>
				Effect.forEach(
					Array.from({ length: count }, (_, n) => n),
					(n) => Effect.flatMap(parseIngestBatch(body(writer, n)), (batch) => ingest.ingest(account.id, batch)),
					{ discard: true },
				),
			),
		);
	const perRequestMessages = 9_000;
	await timed("validation only (items)", 5 * 10_000, () =>
		run(Effect.forEach([0, 1, 2, 3, 4], (n) => parseIngestBatch(body("v", n)), { discard: true })),
	);
	const requests = Math.max(1, Math.round(totalMessages / 2 / perRequestMessages));
	await timed("ingest, 1 writer (messages)", requests * perRequestMessages, () => ingestBodies("a", requests));
	await timed("ingest, 2 writers (messages)", requests * perRequestMessages, () =>
		Promise.all([ingestBodies("b", Math.ceil(requests / 2)), ingestBodies("c", Math.floor(requests / 2))]),
	);
	const pool = new pg.Pool({ connectionString: url, max: 2 });
	const bulkConversations = Array.from({ length: 50_000 }, (_, i) => [
		account.id,
		`bulk-c${i}`,
		new Date(now - (i % 90) * DAY),
		`bot-${i % 20}`,
		`contact-${i % 5_000}`,
	]);
	await timed("copyRows conversation", bulkConversations.length, () =>
		copyRows(pool, "conversation", ["account_id", "id", "created_at", "bot_id", "contact_id"], bulkConversations),
	);
	const bulkMessages = Array.from({ length: totalMessages }, (_, i) => [
		account.id,
		`bulk-m${i}`,
		new Date(now - (i % 90) * DAY - (i % 1000) * 1000),
		`bulk-c${i % 50_000}`,
		`bot-${(i % 50_000) % 20}`,
		`contact-${(i % 50_000) % 5_000}`,
		i % 2 === 0 ? "user" : "bot",
		i % 300,
	]);
	await timed("copyRows message", bulkMessages.length, () =>
		copyRows(
			pool,
			"message",
			["account_id", "id", "created_at", "conversation_id", "bot_id", "contact_id", "type", "tokens"],
			bulkMessages,
		),
	);
	await pool.query("ANALYZE");
	await pool.end();

	const dayStart = Date.parse("2026-06-02T00:00:00Z");
	const boundaries = Array.from({ length: 91 }, (_, i) => dayStart - (90 - i) * DAY);
	const range = { start: boundaries[0]!, end: boundaries[90]! };
	const scope = { accountId: account.id };
	const stored = totalMessages + requests * perRequestMessages * 2;
	await timed("countsBySlice, 90 days", stored, () =>
		run(ActivityRepository.use((repository) => repository.countsBySlice(scope, boundaries))),
	);
	await timed("countsBySlice, 90 days, one bot", stored, () =>
		run(ActivityRepository.use((repository) => repository.countsBySlice({ ...scope, botId: "bot-3" }, boundaries))),
	);
	await timed("activeContacts, 90 days", stored, () =>
		run(ActivityRepository.use((repository) => repository.activeContacts(scope, boundaries))),
	);
	await timed("conversationCohorts, 30 days and the 30 before", stored, () =>
		run(
			ActivityRepository.use((repository) =>
				repository.conversationCohorts(scope, [boundaries[30]!, boundaries[60]!, boundaries[90]!]),
			),
		),
	);
	await timed("topActions, 90 days", stored, () =>
		run(ActivityRepository.use((repository) => repository.topActions(scope, range, 10))),
	);
	await timed("topContacts by tokens, 90 days", stored, () =>
		run(ActivityRepository.use((repository) => repository.topContacts(account.id, range, "tokens", 20))),
	);
	await timed("contactsCreated, 90 days", 5_000, () =>
		run(AccountRepository.use((repository) => repository.contactsCreated(account.id, boundaries))),
	);

	console.log(`\n${"step".padEnd(36)}${"items".padStart(10)}${"ms".padStart(10)}${"items/s".padStart(12)}`);
	for (const row of rows) {
		const rate =
			row.step.startsWith("ingest") || row.step.startsWith("copyRows") || row.step.startsWith("validation")
				? Math.round((row.items / row.ms) * 1000)
				: "";
		console.log(
			`${row.step.padEnd(36)}${String(row.items).padStart(10)}${row.ms.toFixed(0).padStart(10)}${String(rate).padStart(12)}`,
		);
	}
} finally {
	await runtime.dispose();
	await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
	await admin.end();
	await server.stop();
	await rm(dir, { recursive: true, force: true });
}
