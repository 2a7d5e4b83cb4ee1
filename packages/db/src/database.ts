import { createHash } from "node:crypto";
import { StorageError } from "@convolens/core";
import { MikroORM } from "@mikro-orm/postgresql";
import { Context, Effect, Layer } from "effect";
import pg from "pg";
import { ormConfig } from "./config.ts";
import { createStatisticsKeeper, type StatisticsKeeper } from "./statistics.ts";

export interface DatabaseOptions {
	readonly url: string;
	/** Connections in the pool (default 10). */
	readonly poolSize?: number;
	/** Server-side limit per statement (default 60 s). */
	readonly statementTimeoutMs?: number;
	/** Parallel workers allowed (default off; see `OrmConfigInput.parallelQuery`). */
	readonly parallelQuery?: boolean;
}

/**
 * The PostgreSQL connection of the process: the MikroORM instance and the `pg` pool underneath it, which the
 * repositories use for aggregate SQL and bulk writes. Driver failures surface as `StorageError` only.
 */
export class Database extends Context.Service<
	Database,
	{
		readonly orm: MikroORM;
		readonly pool: pg.Pool;
		/** Readiness: one round trip to the server. */
		readonly ping: Effect.Effect<void, StorageError>;
		/** Runs one parameterised statement; rows come back as the driver parses them. */
		readonly query: <Row>(
			sql: string,
			params?: ReadonlyArray<unknown>,
			options?: QueryOptions,
		) => Effect.Effect<Array<Row>, StorageError>;
		/** Runs `work` in a transaction on one connection, retrying serialization failures and deadlocks. */
		readonly transaction: <A>(work: (client: pg.PoolClient) => Promise<A>) => Effect.Effect<A, StorageError>;
		/** Writers report inserted rows here so planner statistics keep up with bursts (see `statistics.ts`). */
		readonly statistics: StatisticsKeeper;
	}
>()("@convolens/db/Database") {}

export interface QueryOptions {
	/**
	 * Prepare the statement once per connection and execute it by name afterwards: no parse or plan per call, and
	 * after five calls PostgreSQL may keep a generic plan. Only for texts from a bounded set (the reads of the
	 * reports), since every connection keeps each one for its lifetime.
	 */
	readonly prepared?: boolean;
}

/**
 * `query` for the reads of the reports: a bounded set of texts, each prepared once per connection (see
 * `QueryOptions.prepared`).
 */
export const preparedQuery =
	(database: { readonly query: Database["Service"]["query"] }) =>
	<Row>(sql: string, params: ReadonlyArray<unknown>) =>
		database.query<Row>(sql, params, { prepared: true });

/** A prepared statement's name: a digest of its text, so equal texts share it and different texts never do. */
const statementNames = new Map<string, string>();
const statementName = (sql: string) => {
	let name = statementNames.get(sql);
	if (name === undefined) {
		// The texts are a bounded set; the bound only guards against a caller that breaks that rule.
		if (statementNames.size >= 10_000) statementNames.clear();
		name = `q${createHash("sha1").update(sql).digest("base64url")}`;
		statementNames.set(sql, name);
	}
	return name;
};

/** 0000-01-01 and 9999-12-31T23:59:59.999Z: the instants whose ISO-8601 form has a plain four-digit year. */
const ISO_MIN = -62_167_219_200_000;
const ISO_MAX = 253_402_300_799_999;

/**
 * The texts of recent instants: the reads of a batch send the same boundaries again and again (each day's start,
 * its slots), and `toISOString` costs ~0.3 µs.
 */
const instantTexts = new Map<number, string>();

/** An instant (epoch milliseconds) as PostgreSQL reads a `timestamptz`: ISO-8601 in UTC (a five-digit year as PostgreSQL writes it). */
const instantText = (time: number): string | undefined => {
	let text = instantTexts.get(time);
	if (text !== undefined) return text;
	if (time >= ISO_MIN && time <= ISO_MAX) text = new Date(time).toISOString();
	else if (time > ISO_MAX && time < 8.64e15) text = new Date(time).toISOString().replace(/^\+0*/, "");
	else return undefined;
	if (instantTexts.size >= 65_536) instantTexts.clear();
	instantTexts.set(time, text);
	return text;
};

/**
 * A repository's time parameter: an instant in epoch milliseconds, written as the `timestamptz` text the statement
 * binds (the one conversion between the period's instants and SQL). Instants before year 0 go to the driver as a
 * `Date`.
 */
export const instantParam = (time: number): string | Date => instantText(time) ?? new Date(time);

/** Instants in epoch milliseconds (or nulls) as one `timestamptz[]` parameter, e.g. slice boundaries. */
export const instantsParam = (times: ReadonlyArray<number | null>): string | ReadonlyArray<Date | null> => {
	let text = "{";
	for (let index = 0; index < times.length; index++) {
		const time = times[index] as number | null;
		const element = time === null ? "NULL" : instantText(time);
		if (element === undefined) return times.map((each) => (each === null ? null : new Date(each)));
		text += index === 0 ? element : `,${element}`;
	}
	return `${text}}`;
};

/** An array of instants (and nulls) as an array literal; `undefined` for any other array. */
const instantsText = (values: ReadonlyArray<unknown>): string | undefined => {
	let text = "{";
	let instants = 0;
	for (let index = 0; index < values.length; index++) {
		const value = values[index];
		let element: string | undefined;
		if (value === null) element = "NULL";
		else if (value instanceof Date) {
			element = instantText(value.getTime());
			instants++;
		}
		if (element === undefined) return undefined;
		text += index === 0 ? element : `,${element}`;
	}
	return instants === 0 ? undefined : `${text}}`;
};

/**
 * The statement's parameters with instants (and arrays of them) written as text here: the driver formats a `Date`
 * as local time with `padStart`s and quotes and escapes every element of an array, ~3 µs per instant — a computed
 * report batch sends ~1,500 of them (slice boundaries and the ranges of `coverSpan`). Both forms are the same
 * `timestamptz` values; anything else (and instants before year 0) goes to the driver unchanged.
 */
export const encodeParameters = (params: ReadonlyArray<unknown>): Array<unknown> => {
	const values = new Array<unknown>(params.length);
	for (let index = 0; index < params.length; index++) {
		const value = params[index];
		values[index] =
			value instanceof Date
				? (instantText(value.getTime()) ?? value)
				: Array.isArray(value) && value.length > 0
					? (instantsText(value) ?? value)
					: value;
	}
	return values;
};

/** SQLSTATEs after which the whole transaction can simply run again. */
const retryableCodes = new Set([
	"40001", // serialization_failure
	"40P01", // deadlock_detected
	"23503", // foreign_key_violation: a parent erased by a concurrent request between check and insert
]);

export const sqlState = (cause: unknown) =>
	typeof cause === "object" && cause !== null && "code" in cause ? String((cause as { code: unknown }).code) : "";

export const toStorageError = (action: string) => (cause: unknown) =>
	new StorageError({ message: `The database could not ${action}`, cause });

const MAX_ATTEMPTS = 5;

/** Runs `work` inside BEGIN/COMMIT on a dedicated client; retries retryable failures with a short jittered back-off. */
export const runTransaction = async <A>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<A>): Promise<A> => {
	for (let attempt = 1; ; attempt++) {
		const client = await pool.connect();
		let broken = false;
		try {
			await client.query("BEGIN");
			const result = await work(client);
			await client.query("COMMIT");
			return result;
		} catch (cause) {
			await client.query("ROLLBACK").catch(() => {
				broken = true;
			});
			if (attempt >= MAX_ATTEMPTS || !retryableCodes.has(sqlState(cause))) throw cause;
		} finally {
			client.release(broken);
		}
		await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20 * attempt));
	}
};

/** What `pg` offers for a protocol-level cancel request, beyond its typings. */
interface CancellingClient {
	readonly connection: { on(event: "error", listener: () => void): void };
	cancel(target: pg.PoolClient, query: unknown): void;
}

/**
 * One statement on a pooled connection that the server stops as soon as `signal` aborts — a report timing out, or
 * its HTTP client going away — instead of running on until the statement limit. The cancel is a protocol cancel
 * request on a connection of its own (so it never waits for a free pooled one). A cancel can land after the
 * statement has finished, so a connection that was sent one is closed rather than reused: it can never stop a later
 * statement. The statement limit stays the backstop when the cancel cannot be delivered.
 */
export const cancellableQuery = async (
	pool: pg.Pool,
	sql: string,
	params: ReadonlyArray<unknown>,
	signal: AbortSignal,
	options: QueryOptions = {},
): Promise<pg.QueryResult> => {
	if (signal.aborted) throw signal.reason;
	const client = await pool.connect();
	if (signal.aborted) {
		client.release();
		throw signal.reason;
	}
	let running = true;
	let discard = false;
	const cancel = () => {
		if (!running) return;
		discard = true;
		try {
			const canceller = new pg.Client(pool.options) as unknown as CancellingClient;
			canceller.connection.on("error", () => {});
			canceller.cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
		} catch {
			// Undeliverable: the statement limit ends the statement instead.
		}
	};
	signal.addEventListener("abort", cancel, { once: true });
	try {
		const values = encodeParameters(params);
		return await (options.prepared
			? client.query({ name: statementName(sql), text: sql, values })
			: client.query(sql, values));
	} catch (cause) {
		// A statement error (with a SQLSTATE) leaves the connection usable; anything else, such as a lost
		// connection, does not.
		if (sqlState(cause) === "") discard = true;
		throw cause;
	} finally {
		running = false;
		signal.removeEventListener("abort", cancel);
		client.release(discard);
	}
};

const acquire = (options: DatabaseOptions) =>
	Effect.tryPromise({
		try: async () => {
			const orm = await MikroORM.init(
				ormConfig({
					url: options.url,
					poolSize: options.poolSize,
					statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
					...(options.parallelQuery === undefined ? {} : { parallelQuery: options.parallelQuery }),
				}),
			);
			const pool = await orm.em.getConnection().getNativeClient();
			return { orm, pool, statistics: createStatisticsKeeper(pool) };
		},
		catch: toStorageError("connect"),
	});

/**
 * A span per SQL statement (contract §11), named `db.query`, with the statement's text (whitespace collapsed, at
 * most 1,000 characters) and never its parameters, which hold tenant data.
 */
export const statementSpan =
	(sql: string) =>
	<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
		Effect.withSpan(effect, "db.query", {
			kind: "client",
			attributes: { "db.system.name": "postgresql", "db.query.text": sql.replace(/\s+/g, " ").trim().slice(0, 1_000) },
		});

/** The `Database` service; the ORM (and its pool) is closed when the layer is released. */
export const databaseLayer = (options: DatabaseOptions): Layer.Layer<Database, StorageError> =>
	Layer.effect(
		Database,
		Effect.gen(function* () {
			const { orm, pool, statistics } = yield* Effect.acquireRelease(acquire(options), ({ orm, statistics }) =>
				Effect.promise(async () => {
					await statistics.settle();
					await orm.close(true);
				}),
			);
			const query = <Row>(sql: string, params: ReadonlyArray<unknown> = [], options?: QueryOptions) =>
				Effect.tryPromise({
					try: async (signal) => (await cancellableQuery(pool, sql, params, signal, options)).rows as Array<Row>,
					catch: toStorageError("run a query"),
				}).pipe(statementSpan(sql));
			return Database.of({
				orm,
				pool,
				statistics,
				query,
				ping: Effect.tryPromise({ try: () => pool.query("SELECT 1"), catch: toStorageError("be reached") }).pipe(
					Effect.asVoid,
				),
				transaction: (work) =>
					Effect.tryPromise({ try: () => runTransaction(pool, work), catch: toStorageError("complete a write") }).pipe(
						Effect.withSpan("db.transaction", { kind: "client", attributes: { "db.system.name": "postgresql" } }),
					),
			});
		}),
	);
