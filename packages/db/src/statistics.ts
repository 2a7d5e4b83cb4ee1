import type pg from "pg";

/**
 * Keeps the planner's statistics in step with fast-growing tables.
 *
 * Why: PostgreSQL checks each foreign key with a plan it caches per connection. Planned while the parent table was
 * nearly empty, that plan is a sequential scan, and it stays cached until the table is next analysed; an ingest
 * burst into a fresh database (the demo seed, a new tenant's backfill) then checks every message against every
 * conversation — quadratic, measured at 9 s for one 9,000-message request instead of 0.1 s. Autovacuum analyses
 * eventually, but not within a burst.
 *
 * What: writers report how many rows they inserted per table; once a table has grown by half since its last
 * analysis (and by at least `minimumRows`), it is analysed on a separate connection, one table at a time, without
 * holding up the writer. `ANALYZE` does not block inserts, and it invalidates the cached plans as it commits.
 */
export interface StatisticsKeeper {
	readonly noteInserts: (table: string, rows: number) => void;
	/** Waits for any analysis in flight (before the pool closes). */
	readonly settle: () => Promise<void>;
}

export const createStatisticsKeeper = (pool: pg.Pool, options: { readonly minimumRows?: number } = {}) => {
	const minimumRows = options.minimumRows ?? 500;
	const rowsAtLastAnalysis = new Map<string, number>();
	const insertedSince = new Map<string, number>();
	const inFlight = new Map<string, Promise<void>>();
	let closed = false;

	const analyse = (table: string) => {
		insertedSince.set(table, 0);
		const run = (async () => {
			try {
				await pool.query(`ANALYZE ${table}`);
				const { rows } = await pool.query<{ reltuples: number }>(
					"SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = $1::regclass",
					[table],
				);
				rowsAtLastAnalysis.set(table, Math.max(0, Number(rows[0]?.reltuples ?? 0)));
			} catch {
				// Statistics are an optimisation; the next burst tries again.
			} finally {
				inFlight.delete(table);
			}
		})();
		inFlight.set(table, run);
	};

	const keeper: StatisticsKeeper = {
		noteInserts: (table, rows) => {
			if (closed || rows <= 0) return;
			const since = (insertedSince.get(table) ?? 0) + rows;
			insertedSince.set(table, since);
			if (inFlight.has(table)) return;
			if (since >= minimumRows && since >= 0.5 * (rowsAtLastAnalysis.get(table) ?? 0)) analyse(table);
		},
		settle: async () => {
			closed = true;
			await Promise.allSettled([...inFlight.values()]);
		},
	};
	return keeper;
};
