import {
	AccountRepository,
	ActivityRepository,
	IngestRepository,
	makeMemo,
	makeResultStore,
	ResultCache,
	type StorageError,
	TenantRepository,
} from "@convolens/core";
import { Effect, Layer } from "effect";
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
		/**
		 * Report results kept across requests, keyed by each account's data version (see `@convolens/core`'s
		 * `ResultCache`): how many whole requests and how many repository calls (least recently used go first), or
		 * `false` to compute every request. Default 256 requests and 4,096 calls.
		 */
		readonly resultCache?: false | { readonly requests?: number; readonly calls?: number };
	},
): Layer.Layer<DatabaseLayerServices, StorageError> =>
	Layer.mergeAll(
		options.analytics === "raw" ? activityRepositoryLayer : rollupActivityRepositoryLayer,
		options.analytics === "raw" ? accountRepositoryLayer : rollupAccountRepositoryLayer,
		tenantRepositoryLayer,
		ingestRepositoryLayer,
		options.resultCache === false ? Layer.empty : resultCacheLayer(options.resultCache ?? {}),
	).pipe(
		// The raw-table scans keep PostgreSQL's parallel workers unless told otherwise; the rollup reads do without.
		Layer.provideMerge(
			databaseLayer({ ...options, parallelQuery: options.parallelQuery ?? options.analytics === "raw" }),
		),
	);

/** The account's data version: the sum of its `data_version` rows (see `src/rollups.ts`). */
const resultCacheLayer = (sizes: { readonly requests?: number; readonly calls?: number }) =>
	Layer.effect(
		ResultCache,
		Effect.gen(function* () {
			const { query } = yield* Database;
			return {
				dataVersion: (accountId: string) =>
					Effect.map(
						query<{ version: string }>(
							"SELECT coalesce(sum(version), 0)::text AS version FROM data_version WHERE account_id = $1",
							[accountId],
							{ prepared: true },
						),
						(rows) => rows[0]?.version ?? "0",
					),
				requests: makeResultStore(sizes.requests ?? 256),
				calls: makeResultStore(sizes.calls ?? 4_096),
				running: makeMemo({ keep: false }),
			};
		}),
	);

export { AccountRepository, ActivityRepository, Database, IngestRepository, TenantRepository };
