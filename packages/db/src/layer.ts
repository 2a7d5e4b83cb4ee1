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
import { dataVersionSql, PinnedReplica, ReadReplicas, readReplicasLayer, routedReadsLayer } from "./replicas.ts";
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
		/**
		 * PostgreSQL streaming replicas that serve report requests (`DATABASE_REPLICA_URLS`); ingest, erase and
		 * everything else use `url`, the primary. See `src/replicas.ts`.
		 */
		readonly replicaUrls?: ReadonlyArray<string>;
	},
): Layer.Layer<DatabaseLayerServices, StorageError> => {
	const reads = Layer.mergeAll(
		options.analytics === "raw" ? activityRepositoryLayer : rollupActivityRepositoryLayer,
		options.analytics === "raw" ? accountRepositoryLayer : rollupAccountRepositoryLayer,
		options.resultCache === false ? Layer.empty : resultCacheLayer(options.resultCache ?? {}),
	);
	const replicaUrls = options.replicaUrls ?? [];
	const services =
		replicaUrls.length === 0
			? Layer.mergeAll(reads, tenantRepositoryLayer, ingestRepositoryLayer)
			: Layer.mergeAll(
					reads.pipe(Layer.provide(routedReadsLayer)),
					tenantRepositoryLayer,
					notingWritesLayer.pipe(Layer.provide(ingestRepositoryLayer)),
				).pipe(Layer.provideMerge(readReplicasLayer(replicaUrls)));
	return services.pipe(
		// The raw-table scans keep PostgreSQL's parallel workers unless told otherwise; the rollup reads do without.
		Layer.provideMerge(
			databaseLayer({ ...options, parallelQuery: options.parallelQuery ?? options.analytics === "raw" }),
		),
	);
};

/** Ingest and erase as they are, each followed by `ReadReplicas.noteWrite` once committed (read-your-writes). */
const notingWritesLayer = Layer.effect(
	IngestRepository,
	Effect.gen(function* () {
		const writes = yield* IngestRepository;
		const { noteWrite } = yield* ReadReplicas;
		return IngestRepository.of({
			ingest: (accountId, batch) => Effect.tap(writes.ingest(accountId, batch), () => noteWrite(accountId)),
			erase: (accountId, request) => Effect.tap(writes.erase(accountId, request), () => noteWrite(accountId)),
		});
	}),
);

/**
 * The cache, keyed by the account's data version as read on the server the request reads (with replicas, the one
 * `PinnedReplica` names, which read it first: see `src/replicas.ts`).
 */
const resultCacheLayer = (sizes: { readonly requests?: number; readonly calls?: number }) =>
	Layer.effect(
		ResultCache,
		Effect.gen(function* () {
			const { query } = yield* Database;
			return {
				dataVersion: (accountId: string) =>
					Effect.flatMap(PinnedReplica, (pinned) =>
						pinned?.accountId === accountId
							? Effect.succeed(pinned.version)
							: Effect.map(
									query<{ version: string }>(dataVersionSql, [accountId], { prepared: true }),
									(rows) => rows[0]?.version ?? "0",
								),
					),
				requests: makeResultStore(sizes.requests ?? 256),
				calls: makeResultStore(sizes.calls ?? 4_096),
				running: makeMemo({ keep: false }),
			};
		}),
	);

export { AccountRepository, ActivityRepository, Database, IngestRepository, TenantRepository };
