import { assert, describe, it } from "@effect/vitest";
import { MikroORM } from "@mikro-orm/postgresql";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { ormConfig } from "../src/config.ts";
import { rollupEntities, serviceStateEntities } from "../src/entities/index.ts";
import { createTestDatabase, onCluster, type TestDatabase } from "../src/testing/index.ts";

/**
 * contract §2: every tenant table's primary key starts with `account_id` and every foreign key includes it, so the
 * schema can be distributed by account.
 */
describe("tenant schema rule", () => {
	let database: TestDatabase;
	let orm: MikroORM;

	beforeAll(async () => {
		database = await createTestDatabase();
		orm = await MikroORM.init(ormConfig({ url: database.url, poolSize: 1 }));
	});
	afterAll(async () => {
		await orm?.close(true);
		await database?.drop();
	});

	it("holds in the ORM metadata: PK (account_id, id) and account_id in every foreign key", () => {
		// Rollups and the service's own state (rate-limit buckets) are keyed by account first, checked below.
		const keyedTables = new Set<string>(
			[...rollupEntities, ...serviceStateEntities].map((entity) => entity.meta.tableName),
		);
		const tenantTables = [...orm.getMetadata().getAll().values()].filter(
			(meta) => meta.tableName !== "account" && !keyedTables.has(meta.tableName),
		);
		assert.strictEqual(tenantTables.length, 13);
		for (const meta of tenantTables) {
			const pkColumns = meta.primaryKeys.flatMap((key) => meta.properties[key]!.fieldNames);
			assert.deepStrictEqual(pkColumns, ["account_id", "id"], `${meta.tableName} primary key`);
			for (const prop of Object.values(meta.properties)) {
				if (prop.kind !== "m:1" && prop.kind !== "1:1") continue;
				assert.include(prop.fieldNames, "account_id", `${meta.tableName}.${prop.name} foreign key`);
				if (prop.targetMeta?.tableName !== "account") {
					assert.strictEqual(prop.fieldNames[0], "account_id", `${meta.tableName}.${prop.name} leads with account_id`);
					assert.deepStrictEqual(prop.referencedColumnNames, ["account_id", "id"]);
				}
			}
		}
	});

	it("holds for the rollup and service-state tables: their keys lead with account_id", () => {
		const rollups = [...orm.getMetadata().getAll().values()].filter((meta) =>
			[...rollupEntities, ...serviceStateEntities].some((entity) => entity.meta.tableName === meta.tableName),
		);
		assert.strictEqual(rollups.length, 17);
		for (const meta of rollups) {
			const pkColumns = meta.primaryKeys.flatMap((key) => meta.properties[key]!.fieldNames);
			assert.strictEqual(pkColumns[0], "account_id", `${meta.tableName} primary key`);
		}
	});

	it("holds in the migrated database: every constraint of a tenant table includes account_id", async () => {
		const client = new pg.Client({ connectionString: database.url });
		await client.connect();
		try {
			const { rows } = await client.query<{ table: string; type: string; name: string; columns: Array<string> }>(
				`SELECT rel.relname AS table, con.contype AS type, con.conname AS name,
					array_agg(att.attname::text ORDER BY key.ord) AS columns
				FROM pg_constraint con
				JOIN pg_class rel ON rel.oid = con.conrelid
				JOIN pg_namespace ns ON ns.oid = rel.relnamespace AND ns.nspname = 'public'
				CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS key(attnum, ord)
				JOIN pg_attribute att ON att.attrelid = rel.oid AND att.attnum = key.attnum
				WHERE con.contype IN ('p', 'f') AND rel.relname NOT IN ('account', 'mikro_orm_migrations')
				GROUP BY 1, 2, 3`,
			);
			const keyedTables = new Set<string>(
				[...rollupEntities, ...serviceStateEntities].map((entity) => entity.meta.tableName),
			);
			const tables = new Set(rows.map((row) => row.table));
			assert.strictEqual(tables.size, 30);
			const foreignKeys = rows.filter((row) => row.type === "f");
			assert.isAbove(foreignKeys.length, 11);
			for (const row of rows) {
				assert.strictEqual(row.columns[0], "account_id", `${row.table} ${row.name}`);
				if (row.type === "p" && !keyedTables.has(row.table)) {
					assert.deepStrictEqual(row.columns, ["account_id", "id"], row.name);
				}
			}
		} finally {
			await client.end();
		}
	});

	it.skipIf(onCluster())("has no pending schema change: the committed migrations match the entities", async () => {
		const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
		assert.strictEqual(diff.trim(), "");
	});
});
