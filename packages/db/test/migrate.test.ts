import pg from "pg";
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import { runMigrations } from "../src/migrate.ts";
import { migrations } from "../src/migrations/index.ts";
import { createTestDatabase, onCluster, type TestDatabase } from "../src/testing/index.ts";

describe.skipIf(onCluster())("runMigrations", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
		// Start from an empty database rather than the migrated template.
		const client = new pg.Client({ connectionString: database.url });
		await client.connect();
		await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
		await client.end();
	});
	afterAll(async () => {
		await database?.drop();
	});

	it("applies each migration once when several processes migrate at the same time", async () => {
		const runs = await Promise.all([
			runMigrations(database.url),
			runMigrations(database.url),
			runMigrations(database.url),
		]);
		const applied = runs.flat();
		assert.deepStrictEqual(
			applied,
			migrations.map((migration) => migration.name),
		);
		assert.deepStrictEqual(await runMigrations(database.url), []);
		const client = new pg.Client({ connectionString: database.url });
		await client.connect();
		try {
			const { rows } = await client.query("SELECT count(*)::int AS n FROM mikro_orm_migrations");
			assert.strictEqual(rows[0].n, migrations.length);
		} finally {
			await client.end();
		}
	});
});
