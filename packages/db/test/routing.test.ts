import { generateBatch, IngestRepository, ReportIds } from "@convolens/core";
import { Effect, ManagedRuntime } from "effect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../src/database.ts";
import { type DatabaseLayerServices, makeDatabaseLayer, TenantRepository } from "../src/layer.ts";
import { generateActivity } from "../src/seed/generate.ts";
import { loadBodies } from "../src/seed/load.ts";
import { createTestDatabase, onCluster, type TestDatabase } from "../src/testing/index.ts";
import { fullBatch } from "./support.ts";

/**
 * On a Citus cluster every statement one account's request runs is a router query: Citus sends it to the one shard
 * group that holds the account, whatever the cluster's size. Every statement of a full report batch (several
 * windows and zones), of ingest batches (new rows, updates, late events) and of an erase is recorded as the pool
 * sends it, then explained with its own parameters: each distributed scan in its plan must have exactly one task.
 */
const now = new Date();

const periods: ReadonlyArray<Record<string, unknown>> = [
	{ periodDays: 7, timezone: "UTC" },
	{ periodDays: 1, timezone: "Asia/Kathmandu", granularity: "hour" },
	{ periodDays: 90, timezone: "America/St_Johns", granularity: "week" },
	{ periodDays: 365, timezone: "Asia/Kolkata", granularity: "month" },
];

/** Statements that are not reads or writes of a table: transaction control and settings. */
const control = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|RESET|LOCK)\b/i;

interface PlanNode {
	readonly "Node Type"?: string;
	readonly "Custom Plan Provider"?: string;
	readonly "Distributed Query"?: { readonly Job?: { readonly "Task Count"?: number } };
	readonly Plans?: ReadonlyArray<PlanNode>;
	readonly [key: string]: unknown;
}

/** Task counts of every Citus scan anywhere in a plan (subplans and CTEs included). */
const citusTasks = (node: unknown, found: Array<number> = []): Array<number> => {
	if (Array.isArray(node)) for (const item of node) citusTasks(item, found);
	else if (node !== null && typeof node === "object") {
		const plan = node as PlanNode;
		// "Citus INSERT ... SELECT" pulls its rows to the coordinator (from a scan of its own, counted below, or from
		// the bound values) and sends them on by their key: one account's rows to one shard.
		const provider = plan["Custom Plan Provider"];
		if (provider === "Citus INSERT ... SELECT") found.push(1);
		else if (provider?.startsWith("Citus")) found.push(plan["Distributed Query"]?.Job?.["Task Count"] ?? Number.NaN);
		for (const value of Object.values(plan)) if (typeof value === "object") citusTasks(value, found);
	}
	return found;
};

/** `text` with each `$n` replaced by its value as a literal (arrays in their text form). */
const withLiterals = (text: string, values: ReadonlyArray<unknown>) => {
	const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
	const literal = (value: unknown): string => {
		if (value === null || value === undefined) return "NULL";
		if (Array.isArray(value)) {
			const items = value.map((item) => (item === null ? "NULL" : `"${String(item).replace(/["\\]/g, "\\$&")}"`));
			return quote(`{${items.join(",")}}`);
		}
		return quote(value instanceof Date ? value.toISOString() : String(value));
	};
	return text.replace(/\$(\d+)(?!\d)/g, (_, index: string) => literal(values[Number(index) - 1]));
};

describe.runIf(onCluster())("routing on a Citus cluster", () => {
	let database: TestDatabase;
	let runtime: ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;
	const accounts: Array<string> = [];
	/** Each statement text sent while `recording`, with the task counts of its plan or the error explaining it. */
	const plans = new Map<string, ReadonlyArray<number> | Error>();
	let recording = false;
	let explainer: pg.Client;

	/** Explains a statement as it is sent (before it runs: an erase's statements read rows it then deletes). */
	let explaining: Promise<void> = Promise.resolve();
	const explain = (text: string, values: ReadonlyArray<unknown>) => {
		// One explaining connection, so one statement at a time.
		explaining = explaining.then(() => explainNow(text, values));
		return explaining;
	};
	const explainNow = async (text: string, values: ReadonlyArray<unknown>) => {
		if (plans.has(text)) return;
		plans.set(text, []);
		// Citus cannot EXPLAIN (though it executes) an INSERT … SELECT through the coordinator with bound parameters:
		// those are explained with the values written into the text.
		const explained = await explainer
			.query(`EXPLAIN (FORMAT JSON) ${text}`, [...values])
			.catch(() => explainer.query(`EXPLAIN (FORMAT JSON) ${withLiterals(text, values)}`))
			.catch((cause: Error) => cause);
		plans.set(text, explained instanceof Error ? explained : citusTasks(explained.rows[0]["QUERY PLAN"]));
	};

	/** Records every statement the pool's clients send while `recording` (the last parameters per text). */
	const record = (pool: pg.Pool) => {
		const wrap = (client: pg.PoolClient) => {
			const marked = client as unknown as { recorded?: boolean; query: (...args: Array<unknown>) => unknown };
			if (marked.recorded) return client;
			marked.recorded = true;
			const query = marked.query.bind(client);
			marked.query = (...args: Array<unknown>) => {
				const [first, second] = args as [unknown, unknown];
				const config =
					typeof first === "string"
						? { text: first, values: Array.isArray(second) ? second : [] }
						: ((first ?? {}) as { text?: string; values?: ReadonlyArray<unknown> });
				if (recording && config.text && !control.test(config.text) && typeof args.at(-1) !== "function") {
					return explain(config.text, config.values ?? []).then(() => query(...args));
				}
				return query(...args);
			};
			return client;
		};
		// The ORM connects with a callback, the repositories with a promise: both get wrapped clients.
		const connect = pool.connect.bind(pool) as (callback?: unknown) => unknown;
		(pool as unknown as { connect: (callback?: unknown) => unknown }).connect = (callback?: unknown) => {
			if (typeof callback === "function") {
				return connect((error: unknown, client: pg.PoolClient | undefined, done: unknown) =>
					callback(error, client && wrap(client), done),
				);
			}
			return (connect() as Promise<pg.PoolClient>).then(wrap);
		};
	};

	beforeAll(async () => {
		database = await createTestDatabase();
		explainer = new pg.Client({ connectionString: database.url });
		await explainer.connect();
		runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4, resultCache: false }));
		record(await runtime.runPromise(Effect.map(Database, (database) => database.pool)));
		// Two accounts, so a statement that forgot its account filter would need both shard groups.
		for (const seed of [1, 2]) {
			accounts.push(
				await runtime.runPromise(
					Effect.gen(function* () {
						const account = yield* (yield* TenantRepository).createAccount({ name: `routing ${seed}` });
						const activity = generateActivity({ seed, now, days: 60, messages: 400, bots: 2, contacts: 30 });
						yield* loadBodies(account.id, activity.parents());
						yield* loadBodies(account.id, activity.events());
						return account.id;
					}),
				),
			);
		}
	}, 300_000);

	afterAll(async () => {
		await runtime?.dispose();
		await explainer?.end();
		await database?.drop();
	});

	it("sends every statement of a report batch, an ingest and an erase to one shard", async () => {
		const [accountId] = accounts as [string];
		recording = true;
		for (const period of periods) {
			const results = await runtime.runPromise(generateBatch(fullBatch(period), { accountId }));
			expect(results[ReportIds.TotalMessages]?.ok, "the batch answered").toBe(true);
		}
		// Ingest again: the same parents (updates), then new and late events; then erase a little of everything.
		const again = generateActivity({ seed: 3, now, days: 30, messages: 150, bots: 2, contacts: 10 });
		await runtime.runPromise(loadBodies(accountId, again.parents()));
		await runtime.runPromise(loadBodies(accountId, again.events()));
		await runtime.runPromise(loadBodies(accountId, again.events()));
		const ids = await runtime.runPromise(
			Effect.flatMap(Database, ({ query }) =>
				query<{ kind: string; id: string }>(
					`(SELECT 'conversations' AS kind, id FROM conversation WHERE account_id = $1 ORDER BY id LIMIT 3)
					UNION ALL (SELECT 'contacts', id FROM contact WHERE account_id = $1 ORDER BY id LIMIT 2)
					UNION ALL (SELECT 'messages', id FROM message WHERE account_id = $1 ORDER BY id DESC LIMIT 3)
					UNION ALL (SELECT 'ratings', id FROM rating WHERE account_id = $1 ORDER BY id LIMIT 2)
					UNION ALL (SELECT 'bots', id FROM bot WHERE account_id = $1 ORDER BY id DESC LIMIT 1)`,
					[accountId],
				),
			),
		);
		const request: Record<string, Array<string>> = {};
		for (const { kind, id } of ids) request[kind] = [...(request[kind] ?? []), id];
		expect(Object.keys(request).sort(), "the erase names every kind").toEqual(
			["bots", "contacts", "conversations", "messages", "ratings"].sort(),
		);
		const erased = await runtime.runPromise(
			Effect.flatMap(IngestRepository, (ingest) => ingest.erase(accountId, request)),
		);
		expect(erased, "the erase removed rows").toBeTruthy();
		recording = false;

		const texts = [...plans.keys()];
		const writes = texts.filter((text) => /^\s*(WITH\b[\s\S]*)?(INSERT|UPDATE|DELETE)\b/i.test(text));
		expect(texts.length, "statements recorded").toBeGreaterThanOrEqual(30);
		expect(writes.length, "writes recorded").toBeGreaterThanOrEqual(10);

		const short = (text: string) => text.replace(/\s+/g, " ").slice(0, 160);
		const failed = [...plans].filter(([, plan]) => plan instanceof Error);
		expect(
			failed.map(([text, error]) => `${short(text)} → ${(error as Error).message}`),
			"statements Citus could not plan",
		).toEqual([]);
		const spread = [...plans].filter(([, tasks]) => (tasks as Array<number>).some((count) => count !== 1));
		expect(
			spread.map(([text, tasks]) => `${short(text)} → tasks ${(tasks as Array<number>).join(", ")}`),
			"statements that reach more than one shard",
		).toEqual([]);
		// What Citus does not plan reads no table: the transaction's id, the account's writer lock, or a call of the
		// packed-day rebuild function, whose statements each name the account (it runs on the coordinator and routes
		// each of them).
		const local = [...plans].filter(([, tasks]) => (tasks as Array<number>).length === 0).map(([text]) => short(text));
		expect(local.length, "statements Citus did not plan").toBeLessThan(texts.length / 10);
		for (const text of local) {
			expect(text).toMatch(/^SELECT (pg_current_xact_id\(\)|convolens_contact_day_rebuild\(|pg_advisory_xact_lock\()/);
		}
	}, 300_000);
});
