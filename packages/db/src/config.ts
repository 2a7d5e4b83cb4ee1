import path from "node:path";
import { fileURLToPath } from "node:url";
import { Migrator } from "@mikro-orm/migrations";
import { defineConfig, type Options } from "@mikro-orm/postgresql";
import { entities } from "./entities/index.ts";
import { migrations } from "./migrations/index.ts";

export const migrationsDir = path.resolve(fileURLToPath(new URL("./migrations", import.meta.url)));

export interface OrmConfigInput {
	readonly url: string;
	/** Connections in the pool (default 10). */
	readonly poolSize?: number;
	readonly debug?: boolean;
	/**
	 * Server-side limit per statement, in ms (none by default). The service sets one: report queries whose caller
	 * gives up are cancelled (`cancellableQuery`), and this bounds any statement whose cancel could not be delivered.
	 */
	readonly statementTimeoutMs?: number;
	/**
	 * Whether PostgreSQL may run a statement with parallel workers (off by default). The service's statements read
	 * a few hundred rollup rows or write one batch: starting workers costs more than it saves — a 0.5 ms rollup read
	 * planned in parallel took 31–40 ms on two cores, once a table outgrew the planner's threshold. Scans of the raw
	 * tables (the benchmark's baseline) keep PostgreSQL's default.
	 */
	readonly parallelQuery?: boolean;
}

/** The one MikroORM configuration: explicit entities, committed TypeScript migrations and their snapshot. */
export const ormConfig = (input: OrmConfigInput): Options =>
	defineConfig({
		clientUrl: input.url,
		entities: [...entities],
		extensions: [Migrator],
		// Connections stay open once made: a new PostgreSQL backend starts with empty caches and maps shared buffers
		// page by page as it touches them. Recycling idle ones (the pool's 10 s default) made every burst of writes
		// after a pause run on cold backends: 10–11k against 14–15k messages/s on the 10M account
		// (docs/performance.md). Idle connections do not keep the process alive.
		pool: { min: 0, max: input.poolSize ?? 10, idleTimeoutMillis: 0 },
		// An unreachable server fails readiness and requests within seconds instead of hanging them.
		driverOptions: {
			connectionTimeoutMillis: 10_000,
			allowExitOnIdle: true,
			...(input.statementTimeoutMs ? { statement_timeout: input.statementTimeoutMs } : {}),
			...(input.parallelQuery ? {} : { options: "-c max_parallel_workers_per_gather=0" }),
		},
		debug: input.debug ?? false,
		// The rollup triggers and their functions are written by hand in `src/rollups.ts` (applied by a migration);
		// schema diffs must neither drop nor try to recreate them.
		schemaGenerator: { ignoreTriggers: true, ignoreRoutines: true },
		migrations: {
			path: migrationsDir,
			pathTs: migrationsDir,
			glob: "Migration*.ts",
			migrationsList: migrations.map((migration) => ({ name: migration.name, class: migration })),
			emit: "ts",
			tableName: "mikro_orm_migrations",
			snapshot: true,
			snapshotName: ".snapshot-convolens",
			// The committed snapshot describes the committed migrations; running them must not rewrite it.
			snapshotOnMigrate: false,
			silent: true,
			allOrNothing: true,
		},
	});
