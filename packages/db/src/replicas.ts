import { ReportReads, type StorageError } from "@convolens/core";
import { Clock, Context, Effect, Layer, Metric } from "effect";
import pg from "pg";
import { cancellableQuery, Database, type QueryOptions, sqlState, statementSpan, toStorageError } from "./database.ts";

/**
 * Reports served from PostgreSQL streaming replicas (contract §9).
 *
 * Each report request reads ONE server. It is chosen when the request starts (round robin over the replicas not
 * marked down), and its first statement there reads the account's data version, which keys the result cache.
 * Every later read of the request goes to the same server, so its data is at least as new as that version: a
 * replica applies the primary's commits in order and never goes back. An answer may be cached under a version
 * older than its data (a wasted entry), never under a newer one (a wrong answer for every later request at that
 * version). What moves to the primary when a replica fails is always newer, so the same holds after a fallback.
 *
 * Ingest, erase, authentication and the rate limit use the primary only. After this process writes an account,
 * it keeps the account's data version as read on the primary after the commit, and a replica serves that
 * account's reports only once its own version of the account has reached it (read-your-writes within a process).
 */

/** The account's data version: the sum of its `data_version` rows (see `src/rollups/`). */
export const dataVersionSql =
	"SELECT coalesce(sum(version), 0)::text AS version FROM data_version WHERE account_id = $1";

type Query = Database["Service"]["query"];

/** The replica one report request reads, with the account's data version as that replica answered it. */
export interface PinnedReplica {
	readonly accountId: string;
	readonly version: string;
	readonly query: Query;
}

/** The replica of the current report request; absent (the default) means the primary. */
export const PinnedReplica = Context.Reference<PinnedReplica | undefined>("@convolens/db/PinnedReplica", {
	defaultValue: () => undefined,
});

/** A replica that failed is left alone this long before a request tries it again. */
const RETRY_AFTER_MS = 5_000;
/** Accounts whose last write this process remembers (least recently written go first). */
const MAX_WRITTEN_ACCOUNTS = 100_000;

const replicaReads = Metric.counter("convolens_replica_reads_total", {
	description:
		"Report requests by where they read (served: a replica; unavailable, behind: the primary) and statements " +
		"that failed on a replica and ran on the primary (failed)",
	incremental: true,
});

const count = (outcome: "served" | "unavailable" | "behind" | "failed") =>
	Metric.update(Metric.withAttributes(replicaReads, { outcome }), 1);

export class ReadReplicas extends Context.Service<
	ReadReplicas,
	{
		/** Notes that this process committed a write to the account (see the module comment). */
		readonly noteWrite: (accountId: string) => Effect.Effect<void>;
	}
>()("@convolens/db/ReadReplicas") {}

/** Connection fields of a URL, read the way MikroORM reads `DATABASE_URL` (see `ormConfig`). */
const connectionFields = (url: string) => {
	const parsed = new URL(url);
	return {
		host: decodeURIComponent(parsed.hostname),
		port: parsed.port === "" ? 5432 : Number(parsed.port),
		user: decodeURIComponent(parsed.username),
		password: decodeURIComponent(parsed.password),
		database: decodeURIComponent(parsed.pathname).replace(/^\//, ""),
	};
};

const messageOf = (error: StorageError) =>
	error.cause instanceof Error ? error.cause.message : String(error.cause ?? error.message);

interface Replica {
	/** Position in `DATABASE_REPLICA_URLS`, for logs: a URL holds a password. */
	readonly index: number;
	readonly pool: pg.Pool;
	readonly query: Query;
	downUntil: number;
}

/**
 * `ReadReplicas` and `ReportReads` for the given replica URLs: one pool per replica, with the primary pool's
 * settings (size, statement limit, parsers), closed with the layer.
 */
export const readReplicasLayer = (urls: ReadonlyArray<string>): Layer.Layer<ReadReplicas, never, Database> =>
	Layer.effectContext(
		Effect.gen(function* () {
			const primary = yield* Database;
			const replicas = yield* Effect.forEach(urls, (url, index) =>
				Effect.acquireRelease(
					Effect.sync((): Replica => {
						const pool = new pg.Pool({
							...primary.pool.options,
							...connectionFields(url),
							// A replica that does not answer costs a request this long before it reads the primary.
							connectionTimeoutMillis: 3_000,
						});
						// A replica going away must not take the process down: `pg` re-emits errors of idle clients on the
						// pool, and an `error` event without a listener throws. The statement in flight fails on its own.
						pool.on("error", () => undefined);
						pool.on("connect", (client) => client.on("error", () => undefined));
						const query: Query = <Row>(sql: string, params: ReadonlyArray<unknown> = [], options?: QueryOptions) =>
							Effect.tryPromise({
								try: async (signal) => (await cancellableQuery(pool, sql, params, signal, options)).rows as Array<Row>,
								catch: toStorageError("run a query on a read replica"),
							}).pipe(statementSpan(sql), Effect.annotateSpans({ "convolens.replica": index }));
						return { index, pool, query, downUntil: 0 };
					}),
					({ pool }) => Effect.promise(() => pool.end().catch(() => undefined)),
				),
			);

			const markDown = (replica: Replica, error: StorageError) =>
				Effect.gen(function* () {
					replica.downUntil = (yield* Clock.currentTimeMillis) + RETRY_AFTER_MS;
					yield* Effect.logWarning("read replica unavailable: reports read the primary", {
						replica: replica.index,
						error: messageOf(error),
					});
				});

			/** A replica's reads, each falling back to the primary (always newer) when it fails there. */
			const withFallback =
				(replica: Replica): Query =>
				<Row>(sql: string, params?: ReadonlyArray<unknown>, options?: QueryOptions) =>
					replica.query<Row>(sql, params, options).pipe(
						Effect.catch((error) =>
							Effect.gen(function* () {
								yield* count("failed");
								// A statement error (such as a conflict with recovery) leaves the replica usable.
								if (sqlState(error.cause) === "") yield* markDown(replica, error);
								else
									yield* Effect.logWarning("a statement failed on a read replica: it ran on the primary", {
										replica: replica.index,
										error: messageOf(error),
									});
								return yield* primary.query<Row>(sql, params, options);
							}),
						),
					);

			/** The account's data version as the primary has it after each write this process committed. */
			const written = new Map<string, bigint>();
			let next = 0;

			const choose = (accountId: string) =>
				Effect.gen(function* () {
					const now = yield* Clock.currentTimeMillis;
					const wrote = written.get(accountId);
					let outcome: "unavailable" | "behind" = "unavailable";
					for (let tried = 0; tried < replicas.length; tried++) {
						const replica = replicas[next++ % replicas.length]!;
						if (replica.downUntil > now) continue;
						const version = yield* replica
							.query<{ version: string }>(dataVersionSql, [accountId], { prepared: true })
							.pipe(
								Effect.map((rows) => rows[0]?.version ?? "0"),
								Effect.catch((error) => Effect.as(markDown(replica, error), undefined)),
							);
						if (version === undefined) continue;
						if (wrote !== undefined && BigInt(version) < wrote) {
							outcome = "behind";
							continue;
						}
						yield* count("served");
						return { accountId, version, query: withFallback(replica) } satisfies PinnedReplica;
					}
					yield* count(outcome);
					return undefined;
				});

			const noteWrite = (accountId: string) =>
				primary.query<{ version: string }>(dataVersionSql, [accountId], { prepared: true }).pipe(
					Effect.flatMap((rows) =>
						Effect.sync(() => {
							written.delete(accountId);
							if (written.size >= MAX_WRITTEN_ACCOUNTS) written.delete(written.keys().next().value!);
							written.set(accountId, BigInt(rows[0]?.version ?? "0"));
						}),
					),
					Effect.catch((error) =>
						Effect.logWarning("reading the data version after a write failed", { error: messageOf(error) }),
					),
				);

			return Context.make(ReadReplicas, ReadReplicas.of({ noteWrite })).pipe(
				Context.add(
					ReportReads,
					ReportReads.of({
						pin: (accountId, request) =>
							Effect.flatMap(choose(accountId), (replica) =>
								replica === undefined ? request : Effect.provideService(request, PinnedReplica, replica),
							),
					}),
				),
			);
		}),
	);

/**
 * `Database` for the report repositories and the cache's version read: `query` reads the request's pinned replica
 * when there is one, the primary otherwise. Everything else is the primary's.
 */
export const routedReadsLayer: Layer.Layer<Database, never, Database> = Layer.effect(
	Database,
	Effect.gen(function* () {
		const primary = yield* Database;
		const query: Query = <Row>(sql: string, params?: ReadonlyArray<unknown>, options?: QueryOptions) =>
			Effect.flatMap(PinnedReplica, (pinned) => (pinned?.query ?? primary.query)<Row>(sql, params, options));
		return Database.of({ ...primary, query });
	}),
);

/**
 * Tells the replica routing that the account changed, as a write through this process does: until a replica has
 * replayed the account's current version, its reports read the primary. A live report calls this when it learns of
 * another process's write, so the result it then sends is never older than the change that woke it. Nothing to do
 * without replicas.
 */
export const noteAccountChanged = (accountId: string) =>
	Effect.flatMap(Effect.serviceOption(ReadReplicas), (replicas) =>
		replicas._tag === "Some" ? replicas.value.noteWrite(accountId) : Effect.void,
	);
