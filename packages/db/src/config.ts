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
}

/** The one MikroORM configuration: explicit entities, committed TypeScript migrations and their snapshot. */
export const ormConfig = (input: OrmConfigInput): Options =>
	defineConfig({
		clientUrl: input.url,
		entities: [...entities],
		extensions: [Migrator],
		pool: { min: 0, max: input.poolSize ?? 10 },
		debug: input.debug ?? false,
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
