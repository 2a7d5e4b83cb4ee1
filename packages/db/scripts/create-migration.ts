/**
 * Generates the next migration from the difference between the entities and the committed snapshot:
 * `node scripts/create-migration.ts [name]`. It applies the existing migrations to a throw-away embedded
 * PostgreSQL first, so the diff is computed against a real schema.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MikroORM } from "@mikro-orm/postgresql";
import { ormConfig } from "../src/config.ts";
import { startEmbeddedPostgres } from "../src/embedded.ts";

const dir = await mkdtemp(path.join(tmpdir(), "convolens-migration-"));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), ephemeral: true });
try {
	const orm = await MikroORM.init({
		...ormConfig({ url: server.url }),
		migrations: { ...ormConfig({ url: server.url }).migrations, snapshotOnMigrate: false },
	});
	try {
		await orm.migrator.up();
		const result = await orm.migrator.create(undefined, false, false, process.argv[2]);
		console.log(result.fileName ? `created ${result.fileName}` : "schema is up to date; no migration created");
	} finally {
		await orm.close();
	}
} finally {
	await server.stop();
	await rm(dir, { recursive: true, force: true });
}
