import { generateBatch, ReportIds, ResultCache } from "@convolens/core";
import { Effect, ManagedRuntime } from "effect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseLayerServices, makeDatabaseLayer, TenantRepository } from "../src/layer.ts";
import { dataVersionTables } from "../src/rollups/index.ts";
import { generateActivity, generateResources } from "../src/seed/generate.ts";
import { loadBodies } from "../src/seed/load.ts";
import { createTestDatabase, onCluster, type TestDatabase } from "../src/testing/index.ts";

/**
 * The result cache is exact only if the data version moves with every committed write to an account's data and
 * with nothing else; these tests hold the triggers to that, table by table, and the cache to it end to end.
 */
const now = new Date("2026-11-24T10:07:00Z");

describe("data version", () => {
	let database: TestDatabase;
	let runtime: ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;
	let uncached: ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;
	let client: pg.Client;
	let accountId: string;
	let otherId: string;

	const versionOf = async (account: string) => {
		const result = await client.query<{ version: string }>(
			"SELECT coalesce(sum(version), 0)::text AS version FROM data_version WHERE account_id = $1",
			[account],
		);
		return BigInt(result.rows[0]?.version ?? "0");
	};

	const load = (account: string, seed: number, prefix = "") =>
		Effect.gen(function* () {
			yield* loadBodies(
				account,
				generateResources({ seed, now, datasets: 2, recordsPerDataset: 5, skillsets: 2, abilities: 3, files: 2 }),
			);
			const activity = generateActivity({
				seed,
				now,
				days: 5,
				messages: 600,
				bots: 3,
				contacts: 20,
				idPrefix: prefix,
				batchItems: 200,
			});
			yield* loadBodies(account, activity.parents());
			yield* loadBodies(account, activity.events(), { concurrency: 3 });
		});

	beforeAll(async () => {
		database = await createTestDatabase();
		runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4 }));
		uncached = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 2, resultCache: false }));
		[accountId, otherId] = await runtime.runPromise(
			Effect.gen(function* () {
				const tenants = yield* TenantRepository;
				const account = yield* tenants.createAccount({ name: "Versioned" });
				const other = yield* tenants.createAccount({ name: "Bystander" });
				yield* load(account.id, 7);
				yield* load(other.id, 8);
				return [account.id, other.id] as const;
			}),
		);
		client = new pg.Client({ connectionString: database.url });
		await client.connect();
	}, 300_000);

	afterAll(async () => {
		await client?.end();
		await runtime?.dispose();
		await uncached?.dispose();
		await database?.drop();
	});

	it.skipIf(onCluster())(
		"moves with every insert, update and delete of every table a report reads, and only the writer's account",
		async () => {
			// Leaves first, so a delete's cascade takes as little as possible with it.
			const order = ["message", "rating", "record", "ability", "file", "conversation", "contact", "bot", "dataset"];
			const tables = dataVersionTables.map(([table]) => table).filter((table) => table !== "account");
			expect([...order, "skillset"].sort()).toEqual([...tables].sort());
			for (const table of [...order, "skillset"]) {
				const row = await client.query(`SELECT id FROM "${table}" WHERE account_id = $1 ORDER BY id LIMIT 1`, [
					accountId,
				]);
				const id = row.rows[0]?.id as string | undefined;
				expect(id, `${table} has a row to write`).toBeDefined();
				const other = await versionOf(otherId);
				const steps = [
					`UPDATE "${table}" SET account_id = account_id WHERE account_id = $1 AND id = $2`,
					`CREATE TEMP TABLE kept AS SELECT * FROM "${table}" WHERE account_id = $1 AND id = $2`,
					`DELETE FROM "${table}" WHERE account_id = $1 AND id = $2`,
					`INSERT INTO "${table}" SELECT * FROM kept WHERE account_id = $1 AND id = $2`,
				];
				for (const step of steps) {
					const before = await versionOf(accountId);
					await client.query(step, [accountId, id]);
					const after = await versionOf(accountId);
					if (step.startsWith("CREATE")) expect(after, `${table}: a read`).toBe(before);
					else expect(after, `${table}: ${step.split(" ")[0]}`).toBeGreaterThan(before);
				}
				await client.query("DROP TABLE kept");
				expect(await versionOf(otherId), `${table}: the other account`).toBe(other);
			}
			const before = await versionOf(accountId);
			await client.query("UPDATE account SET name = name WHERE id = $1", [accountId]);
			expect(await versionOf(accountId), "account limits and settings").toBeGreaterThan(before);
		},
	);

	it("stays put for a rolled-back write and for reports", async () => {
		const before = await versionOf(accountId);
		await client.query("BEGIN");
		await client.query("DELETE FROM message WHERE account_id = $1", [accountId]);
		await client.query("ROLLBACK");
		await runtime.runPromise(
			generateBatch({ [ReportIds.TotalMessages]: {}, [ReportIds.ComprehensiveOverview]: {} }, { accountId }),
		);
		expect(await versionOf(accountId)).toBe(before);
	});

	it("moves once per committed transaction at least, with concurrent writers of one account", async () => {
		const before = await versionOf(accountId);
		const writers = 6;
		await runtime.runPromise(
			Effect.forEach(
				Array.from({ length: writers }, (_, index) => index),
				(index) => load(accountId, 100 + index, `w${index}_`),
				{ concurrency: writers },
			),
		);
		const shards = await client.query<{ n: number }>(
			"SELECT count(*)::int AS n FROM data_version WHERE account_id = $1",
			[accountId],
		);
		expect(shards.rows[0]!.n).toBeGreaterThan(1);
		expect(await versionOf(accountId)).toBeGreaterThanOrEqual(before + BigInt(writers));
	});

	it.skipIf(onCluster())("keeps cached answers exact: a report after a write sees it", async () => {
		const requests = {
			[ReportIds.TotalMessages]: { periodDays: 7, timezone: "Asia/Kathmandu" },
			[ReportIds.ActiveContacts]: { periodDays: 7, timezone: "Asia/Kathmandu" },
			[ReportIds.ComprehensiveAnalytics]: { periodDays: 7, timezone: "Asia/Kathmandu" },
			[ReportIds.DatasetRecords]: { datasetIds: ["ds_1", "ds_2"] },
		};
		const cache = await runtime.runPromise(ResultCache);
		expect(cache).toBeDefined();
		const ask = (on: typeof runtime) => on.runPromise(generateBatch(requests, { accountId }));
		const first = await ask(runtime);
		const cachedEntries = cache!.requests.size();
		expect(await ask(runtime)).toBe(first);
		expect(cache!.requests.size()).toBe(cachedEntries);
		await runtime.runPromise(load(accountId, 300, "late_"));
		const afterWrite = await ask(runtime);
		expect(afterWrite).not.toBe(first);
		expect(JSON.stringify(afterWrite)).not.toBe(JSON.stringify(first));
		expect(JSON.stringify(afterWrite)).toBe(JSON.stringify(await ask(uncached)));
		// An erase, too.
		await client.query("DELETE FROM record WHERE account_id = $1 AND dataset_id = 'ds_1'", [accountId]);
		const afterErase = await ask(runtime);
		expect(JSON.stringify(afterErase)).not.toBe(JSON.stringify(afterWrite));
		expect(JSON.stringify(afterErase)).toBe(JSON.stringify(await ask(uncached)));
	});
});
