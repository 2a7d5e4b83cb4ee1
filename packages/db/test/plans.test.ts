import { generateBatch, ReportIds, reports } from "@convolens/core";
import { Effect, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database } from "../src/database.ts";
import { type DatabaseLayerServices, makeDatabaseLayer, TenantRepository } from "../src/layer.ts";
import { generateActivity } from "../src/seed/generate.ts";
import { loadBodies } from "../src/seed/load.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

/**
 * No plan cliffs: the report reads are prepared once per connection, and after five executions PostgreSQL may switch
 * a prepared statement to a generic plan built without the parameters' values — for the contact ranking of a large
 * account an order of magnitude slower than the plan a fresh connection makes. A long-running server's connections
 * must plan every execution for its own account and window, as a fresh connection does: on one connection that
 * served a small account many times, the large account's statements still get custom plans only.
 */
const now = new Date();

/** Every report of the catalogue with one period input (bot reports on the account's first bot). */
const fullBatch = (period: Record<string, unknown>) =>
	Object.fromEntries(
		reports.map((report) => {
			const shape = report.input.shape as Record<string, unknown>;
			if ("datasetIds" in shape) return [report.id, { datasetIds: ["dataset_1"] }];
			if (!("periodDays" in shape)) return [report.id, {}];
			return [report.id, "botId" in shape ? { ...period, botId: "bot_01" } : period];
		}),
	);

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

describe("prepared report statements on a long-running connection", () => {
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

	it("plans every execution with its own parameters, whatever the connection served before", async () => {
		const batches = async (accountId: string) => {
			for (const period of periods) {
				const results = await runtime.runPromise(generateBatch(fullBatch(period), { accountId }));
				// The batch really ran: the account-wide reports answered.
				expect(results[ReportIds.TotalMessages]?.ok).toBe(true);
			}
		};
		await batches(accounts.small);
		await batches(accounts.small);
		await batches(accounts.large);

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
		const generic = statements.filter((row) => Number(row.generic_plans) > 0).map((row) => row.statement);
		expect(generic).toEqual([]);
	});
});
