import {
	AccountRepository,
	ActivityRepository,
	IngestRepository,
	type StorageError,
	TenantRepository,
} from "@convolens/core";
import { Layer } from "effect";
import { Database, type DatabaseOptions, databaseLayer } from "./database.ts";
import { accountRepositoryLayer } from "./repositories/account.ts";
import { rollupAccountRepositoryLayer } from "./repositories/account-rollup.ts";
import { activityRepositoryLayer } from "./repositories/activity.ts";
import { rollupActivityRepositoryLayer } from "./repositories/activity-rollup.ts";
import { ingestRepositoryLayer } from "./repositories/ingest.ts";
import { tenantRepositoryLayer } from "./repositories/tenant.ts";

export type DatabaseLayerServices =
	| Database
	| ActivityRepository
	| AccountRepository
	| TenantRepository
	| IngestRepository;

/**
 * Everything the service needs from PostgreSQL: the repositories of `@convolens/core` and `Database` (readiness
 * `ping`, the MikroORM instance). One pool per layer; the ORM is closed when the layer is released. Migrations are
 * not run here (see `runMigrations`).
 */
export const makeDatabaseLayer = (
	options: DatabaseOptions & {
		/**
		 * `rollups` (default): reports read the trigger-maintained rollups where they apply. `raw`: every report
		 * query scans the activity tables — the baseline the benchmark compares against, and a cross-check in tests.
		 */
		readonly analytics?: "rollups" | "raw";
	},
): Layer.Layer<DatabaseLayerServices, StorageError> =>
	Layer.mergeAll(
		options.analytics === "raw" ? activityRepositoryLayer : rollupActivityRepositoryLayer,
		options.analytics === "raw" ? accountRepositoryLayer : rollupAccountRepositoryLayer,
		tenantRepositoryLayer,
		ingestRepositoryLayer,
	).pipe(Layer.provideMerge(databaseLayer(options)));

export { AccountRepository, ActivityRepository, Database, IngestRepository, TenantRepository };
