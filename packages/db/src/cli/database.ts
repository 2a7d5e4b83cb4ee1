import * as Console from "effect/Console";
import * as Effect from "effect/Effect";
import type { DatabaseLayerServices } from "../layer.ts";

/**
 * The database modules (MikroORM, pg, embedded PostgreSQL, the generator, `@convolens/core`) load only when a command runs, so
 * `--help` and usage errors answer without them.
 */
const loadModules = () =>
	Promise.all([
		import("../layer.ts"),
		import("../migrate.ts"),
		import("../service-database.ts"),
		import("../seed/demo.ts"),
		import("../seed/generate.ts"),
		import("../seed/load.ts"),
		import("../recount.ts"),
		import("../repositories/tenant-listing.ts"),
		import("@convolens/core"),
	]).then(([layer, migrate, service, demo, generate, load, recount, listing, core]) => ({
		...layer,
		...migrate,
		...service,
		...demo,
		...generate,
		...load,
		...recount,
		...listing,
		TenantRepository: core.TenantRepository,
	}));

export type Modules = Awaited<ReturnType<typeof loadModules>>;

/**
 * Runs `program` against the service's database (`DATABASE_URL`, or the embedded cluster). With `migrate: true`
 * pending migrations are applied first (what `migrate` does, and what the commands that create data do, so they
 * work on a fresh embedded cluster); the other commands act on accounts that exist, hence on a schema that does,
 * and skip the migrator's start-up.
 */
export const withDatabase = <A, E>(
	options: { readonly migrate: boolean },
	program: (modules: Modules) => Effect.Effect<A, E, DatabaseLayerServices>,
) =>
	Effect.gen(function* () {
		const modules = yield* Effect.promise(loadModules);
		const service = yield* Effect.acquireRelease(
			Effect.promise(() => modules.openServiceDatabase()),
			(opened) => Effect.promise(() => opened.stop()),
		);
		yield* Console.error(`database: ${service.source}`);
		if (options.migrate) {
			const applied = yield* Effect.promise(() => modules.runMigrations(service.url));
			if (applied.length > 0) yield* Console.error(`migrations applied: ${applied.join(", ")}`);
		}
		return yield* program(modules).pipe(Effect.provide(modules.makeDatabaseLayer({ url: service.url })));
	}).pipe(Effect.scoped);
