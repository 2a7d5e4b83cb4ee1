import { StorageError } from "@convolens/core";
import { assert, describe, it } from "@effect/vitest";
import { Effect, Layer } from "effect";
import { afterAll, beforeAll } from "vitest";
import { Database, encodeParameters, instantParam, instantsParam } from "../src/database.ts";
import { makeDatabaseLayer } from "../src/layer.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

describe("Database", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(async () => {
		await database?.drop();
	});

	it.live("answers ping, and turns a failing statement into a StorageError without the driver's text", () =>
		Effect.gen(function* () {
			const { ping, query } = yield* Database;
			yield* ping;
			const error = yield* Effect.flip(query("SELECT * FROM no_such_table"));
			assert.instanceOf(error, StorageError);
			assert.notInclude(error.message, "no_such_table");
		}).pipe(Effect.provide(makeDatabaseLayer({ url: database.url, poolSize: 1 }))),
	);

	it.live("sends instants and arrays of them as text that PostgreSQL reads as the same timestamptz values", () =>
		Effect.gen(function* () {
			const { query, pool } = yield* Database;
			const instants = [
				new Date("2026-10-26T23:00:00.000Z"),
				new Date("2026-03-29T01:15:00.123Z"),
				new Date("1000-01-01T00:00:00.000Z"),
				new Date("1960-06-01T12:34:56.789Z"),
				new Date(Date.UTC(10000, 0, 2)),
				new Date(Date.UTC(275759, 0, 1)),
			];
			const encoded = encodeParameters([instants[0], [instants[0], null, ...instants], ["a", "b"], [null], [], 7]);
			assert.strictEqual(encoded[0], "2026-10-26T23:00:00.000Z");
			assert.strictEqual(
				encoded[1],
				"{2026-10-26T23:00:00.000Z,NULL,2026-10-26T23:00:00.000Z,2026-03-29T01:15:00.123Z,1000-01-01T00:00:00.000Z,1960-06-01T12:34:56.789Z,10000-01-02T00:00:00.000Z,275759-01-01T00:00:00.000Z}",
			);
			// Arrays that are not instants, and other values, go to the driver unchanged.
			assert.deepStrictEqual(encoded.slice(2), [["a", "b"], [null], [], 7]);
			// Read back as timestamptz, the encoded text and the driver's own formatting of the Dates are equal.
			const direct = yield* Effect.promise(() =>
				pool.query<{ epochs: Array<string> }>(
					"SELECT array(SELECT (extract(epoch FROM t) * 1000)::bigint::text FROM unnest($1::timestamptz[]) t) AS epochs",
					[instants],
				),
			);
			const rows = yield* query<{ epochs: Array<string>; one: string; same: boolean }>(
				`SELECT array(SELECT (extract(epoch FROM t) * 1000)::bigint::text FROM unnest($1::timestamptz[]) t) AS epochs,
					(extract(epoch FROM $2::timestamptz) * 1000)::bigint::text AS one, $1::timestamptz[] = $3::timestamptz[] AS same`,
				[instants, instants[4], instants],
			);
			assert.deepStrictEqual(
				rows[0]!.epochs,
				instants.map((instant) => String(instant.getTime())),
			);
			assert.deepStrictEqual(rows[0]!.epochs, direct.rows[0]!.epochs);
			assert.strictEqual(rows[0]!.one, String(Date.UTC(10000, 0, 2)));
			assert.isTrue(rows[0]!.same);
		}).pipe(Effect.provide(makeDatabaseLayer({ url: database.url, poolSize: 1 }))),
	);

	it.live("binds a repository's epoch-millisecond instants as timestamptz text PostgreSQL reads back exactly", () =>
		Effect.gen(function* () {
			const { query } = yield* Database;
			const times = [
				Date.parse("2026-10-26T23:00:00.000Z"),
				Date.parse("1960-06-01T12:34:56.789Z"),
				Date.UTC(10000, 0, 2),
				Date.UTC(-1, 0, 1),
			];
			assert.strictEqual(instantParam(times[0]!), "2026-10-26T23:00:00.000Z");
			assert.strictEqual(instantParam(times[2]!), "10000-01-02T00:00:00.000Z");
			assert.strictEqual(
				instantsParam([times[0]!, null, times[1]!]),
				"{2026-10-26T23:00:00.000Z,NULL,1960-06-01T12:34:56.789Z}",
			);
			// Before year 0 there is no ISO text PostgreSQL reads the same: the driver formats a Date instead.
			assert.instanceOf(instantParam(times[3]!), Date);
			const rows = yield* query<{ epochs: Array<string>; one: string }>(
				`SELECT array(SELECT (extract(epoch FROM t) * 1000)::bigint::text FROM unnest($1::timestamptz[]) t) AS epochs,
					(extract(epoch FROM $2::timestamptz) * 1000)::bigint::text AS one`,
				[instantsParam(times.slice(0, 3)), instantParam(times[1]!)],
			);
			assert.deepStrictEqual(rows[0]!.epochs, times.slice(0, 3).map(String));
			assert.strictEqual(rows[0]!.one, String(times[1]));
		}).pipe(Effect.provide(makeDatabaseLayer({ url: database.url, poolSize: 1 }))),
	);

	it.live("plans the service's statements without parallel workers; the raw-table scans keep the default", () =>
		Effect.gen(function* () {
			const workers = (layer: ReturnType<typeof makeDatabaseLayer>) =>
				Effect.gen(function* () {
					const { query } = yield* Database;
					const rows = yield* query<{ workers: string }>(
						"SELECT current_setting('max_parallel_workers_per_gather') AS workers",
					);
					return rows[0]!.workers;
				}).pipe(Effect.provide(layer));
			assert.strictEqual(yield* workers(makeDatabaseLayer({ url: database.url, poolSize: 1 })), "0");
			const defaults = yield* workers(makeDatabaseLayer({ url: database.url, poolSize: 1, analytics: "raw" }));
			assert.notStrictEqual(defaults, "0");
			assert.strictEqual(
				yield* workers(makeDatabaseLayer({ url: database.url, poolSize: 1, analytics: "raw", parallelQuery: false })),
				"0",
			);
		}),
	);

	it.live("prepares a statement once per connection and runs it by name, one name per text", () =>
		Effect.gen(function* () {
			const { query } = yield* Database;
			const prepared = () =>
				query<{ statement: string }>(
					"SELECT statement FROM pg_prepared_statements WHERE NOT from_sql ORDER BY prepare_time",
				);
			assert.deepStrictEqual(yield* prepared(), []);
			const double = "SELECT $1::int * 2 AS value";
			for (const value of [1, 2, 3]) {
				assert.deepStrictEqual(yield* query(double, [value], { prepared: true }), [{ value: value * 2 }]);
			}
			const triple = "SELECT $1::int * 3 AS value";
			assert.deepStrictEqual(yield* query(triple, [5], { prepared: true }), [{ value: 15 }]);
			// Unprepared statements leave nothing behind.
			assert.deepStrictEqual(yield* query("SELECT $1::int * 4 AS value", [1]), [{ value: 4 }]);
			assert.deepStrictEqual(
				(yield* prepared()).map((row) => row.statement),
				[double, triple],
			);
		}).pipe(Effect.provide(makeDatabaseLayer({ url: database.url, poolSize: 1 }))),
	);

	it.live("cancels a statement that outlives the server-side limit", () =>
		Effect.gen(function* () {
			const { query } = yield* Database;
			const started = Date.now();
			const error = yield* Effect.flip(query("SELECT pg_sleep(5)"));
			assert.instanceOf(error, StorageError);
			assert.isBelow(Date.now() - started, 4_000);
		}).pipe(Effect.provide(makeDatabaseLayer({ url: database.url, poolSize: 1, statementTimeoutMs: 300 }))),
	);

	it.live("stops the server's statement when the caller gives up, and goes on serving", () =>
		Effect.gen(function* () {
			const { query } = yield* Database;
			const started = Date.now();
			const outcome = yield* query("SELECT pg_sleep(30), 'report query' AS marker").pipe(
				Effect.timeoutOrElse({ duration: 200, orElse: () => Effect.succeed("timed out" as const) }),
			);
			assert.strictEqual(outcome, "timed out");
			assert.isBelow(Date.now() - started, 5_000);
			// The statement is gone from the server within moments, not after the 30 s it asked for.
			let running = 1;
			for (let attempt = 0; attempt < 50 && running > 0; attempt++) {
				yield* Effect.sleep(100);
				const rows = yield* query<{ running: number }>(
					"SELECT count(*)::int AS running FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'",
				);
				running = rows[0]?.running ?? -1;
			}
			assert.strictEqual(running, 0);
			// With one connection in the pool (the cancelled one is replaced), the next statement succeeds.
			const [row] = yield* query<{ answer: number }>("SELECT 42 AS answer");
			assert.strictEqual(row?.answer, 42);
			assert.isBelow(Date.now() - started, 10_000);
		}).pipe(Effect.provide(makeDatabaseLayer({ url: database.url, poolSize: 1, statementTimeoutMs: 60_000 }))),
	);

	it.live("fails to start with a StorageError when the server cannot be reached", () =>
		Effect.gen(function* () {
			const error = yield* Effect.flip(
				Layer.build(makeDatabaseLayer({ url: "postgres://nobody:secret@127.0.0.1:1/none" })).pipe(Effect.scoped),
			);
			assert.instanceOf(error, StorageError);
			assert.notInclude(error.message, "secret");
		}),
	);
});
