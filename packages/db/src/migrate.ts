import { MikroORM } from "@mikro-orm/postgresql";
import pg from "pg";
import { ormConfig } from "./config.ts";

/** Any constant shared by every process that migrates a Convolens database. */
const MIGRATION_LOCK_KEY = 7_020_611_300;

/**
 * Applies every pending committed migration to the database at `url`; returns the names applied. Processes that
 * start together (several service replicas, the service and `cli migrate`) take turns through a PostgreSQL advisory
 * lock, so each migration runs once.
 */
export const runMigrations = async (url: string): Promise<ReadonlyArray<string>> => {
	const lock = new pg.Client({ connectionString: url });
	await lock.connect();
	try {
		await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
		const orm = await MikroORM.init(ormConfig({ url, poolSize: 1 }));
		try {
			const applied = await orm.migrator.up();
			return applied.map((migration) => migration.name);
		} finally {
			await orm.close(true);
		}
	} finally {
		// Ending the session releases the lock too, should the unlock itself fail.
		await lock.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
		await lock.end();
	}
};
