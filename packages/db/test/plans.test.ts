import { generateBatch, ReportIds } from "@convolens/core";
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
 * No plan cliffs. The report reads are prepared once per connection, and after five executions PostgreSQL may switch
 * a prepared statement to a generic plan, built without the parameters' values. On a connection that served small
 * accounts many times, every statement the large account then runs must do no more work than the plan a fresh
 * connection makes for the same values (compared in buffers touched, which do not depend on the machine's speed);
 * the rankings, whose generic plans were the measured cliffs, are never prepared at all.
 */
const now = new Date();

const periods: ReadonlyArray<Record<string, unknown>> = [
	{ periodDays: 7, timezone: "UTC" },
	{ periodDays: 30, timezone: "Europe/Berlin" },
	{ periodDays: 1, timezone: "Asia/Kathmandu", granularity: "hour" },
	{ periodDays: 90, timezone: "America/St_Johns", granularity: "week" },
	{ periodDays: 14, timezone: "Pacific/Chatham" },
	{ periodDays: 365, timezone: "Asia/Kolkata", granularity: "month" },
	{ periodDays: 3, timezone: "America/New_York" },
	{ periodDays: 60, timezone: "Australia/Lord_Howe" },
];

// Plans and buffers of a single PostgreSQL; a cluster's are the workers' (see the routing test instead).
describe.skipIf(onCluster())("prepared report statements on a long-running connection", () => {
	let database: TestDatabase;
	// One connection, so every statement below runs on the same backend and its plan cache.
	let runtime: ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;
	const accounts: Record<"small" | "large", string> = { small: "", large: "" };

	beforeAll(async () => {
		database = await createTestDatabase();
		runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 1, resultCache: false }));
		for (const [size, messages, contacts] of [
			["small", 200, 10],
			["large", 12_000, 400],
		] as const) {
			accounts[size] = await runtime.runPromise(
				Effect.gen(function* () {
					const account = yield* (yield* TenantRepository).createAccount({ name: size });
					const activity = generateActivity({ seed: messages, now, days: 120, messages, bots: 3, contacts });
					yield* loadBodies(account.id, activity.parents());
					yield* loadBodies(account.id, activity.events());
					return account.id;
				}),
			);
		}
		await runtime.runPromise(Effect.flatMap(Database, ({ query }) => query("ANALYZE")));
	}, 300_000);

	afterAll(async () => {
		await runtime?.dispose();
		await database?.drop();
	});

	/** The last execution of each named (prepared) statement while `recording`: its name, text and values. */
	const executions = new Map<string, { text: string; values: ReadonlyArray<unknown> }>();
	let recording = false;
	const record = (pool: pg.Pool) => {
		const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
		(pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
			const client = await connect();
			const marked = client as unknown as { recorded?: boolean; query: (...args: Array<unknown>) => unknown };
			if (!marked.recorded) {
				marked.recorded = true;
				const query = marked.query.bind(client);
				marked.query = (...args: Array<unknown>) => {
					const config = args[0] as { name?: string; text?: string; values?: ReadonlyArray<unknown> };
					if (recording && typeof config === "object" && config.name && config.text) {
						executions.set(config.name, { text: config.text, values: config.values ?? [] });
					}
					return query(...args);
				};
			}
			return client;
		};
	};

	/** Buffers a plan touched: the top node's counts include its children's. */
	const buffers = (explained: ReadonlyArray<Record<string, unknown>>) => {
		const [row] = explained as ReadonlyArray<{ "QUERY PLAN": Array<{ Plan: Record<string, number> }> }>;
		const plan = row!["QUERY PLAN"][0]!.Plan;
		return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
	};

	it("plans every execution with its own parameters, whatever the connection served before", async () => {
		const batches = async (accountId: string) => {
			for (const period of periods) {
				const results = await runtime.runPromise(generateBatch(fullBatch(period), { accountId }));
				// The batch really ran: the account-wide reports answered.
				expect(results[ReportIds.TotalMessages]?.ok).toBe(true);
			}
		};
		record(await runtime.runPromise(Effect.map(Database, (database) => database.pool)));
		await batches(accounts.small);
		await batches(accounts.small);
		recording = true;
		await batches(accounts.large);
		recording = false;

		const statements = await runtime.runPromise(
			Effect.flatMap(Database, ({ query }) =>
				query<{ statement: string; generic_plans: string; custom_plans: string }>(
					"SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements",
				),
			),
		);
		const executed = statements.filter((row) => Number(row.generic_plans) + Number(row.custom_plans) > 5);
		// The batch's reads are many statements, each run far more than five times on this connection.
		expect(executed.length).toBeGreaterThanOrEqual(10);
		// The rankings are planned at every execution: none of them is a prepared statement.
		expect(
			statements.filter((row) => /FROM contact_total|WITH activity AS/.test(row.statement)).map((row) => row.statement),
		).toEqual([]);

		// Each prepared statement the large account ran, executed again on the warmed connection (its cached plan,
		// generic or not) and on a fresh one (a plan for these values): the warmed one may not do more work.
		expect(executions.size).toBeGreaterThanOrEqual(10);
		const fresh = new pg.Client({ connectionString: database.url });
		await fresh.connect();
		try {
			const warmed = await runtime.runPromise(Effect.map(Database, (database) => database.pool));
			const client = await warmed.connect();
			try {
				for (const [name, { text, values }] of executions) {
					// EXECUTE takes its arguments as SQL, not as bound parameters: each value as a literal.
					const literal = (value: unknown): string => {
						if (value === null || value === undefined) return "NULL";
						if (Array.isArray(value)) {
							const items = value.map((item) =>
								item === null ? "NULL" : `"${String(item).replace(/["\\]/g, "\\$&")}"`,
							);
							return fresh.escapeLiteral(`{${items.join(",")}}`);
						}
						return fresh.escapeLiteral(String(value));
					};
					const args = values.length > 0 ? `(${values.map(literal).join(", ")})` : "";
					const cached = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE "${name}"${args}`);
					const planned = await fresh.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, [...values]);
					const [warm, cold] = [buffers(cached.rows), buffers(planned.rows)];
					expect(
						warm,
						`${text.replace(/\s+/g, " ").slice(0, 120)}: ${warm} buffers warmed, ${cold} fresh`,
					).toBeLessThanOrEqual(2 * cold + 32);
				}
			} finally {
				client.release();
			}
		} finally {
			await fresh.end();
		}
	});
});
