import { MikroORM } from "@mikro-orm/postgresql";
import { ormConfig } from "./config.ts";

/** Applies every pending committed migration to the database at `url`; returns the names applied. */
export const runMigrations = async (url: string): Promise<ReadonlyArray<string>> => {
	const orm = await MikroORM.init(ormConfig({ url, poolSize: 1 }));
	try {
		const applied = await orm.migrator.up();
		return applied.map((migration) => migration.name);
	} finally {
		await orm.close(true);
	}
};
