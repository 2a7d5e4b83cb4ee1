import type pg from "pg";
import {
	contactDayPartSql,
	contactDaysToRebuildSql,
	DATA_VERSION_SHARDS,
	maintenanceTriggers,
	rollupStatements,
} from "./rollups/index.ts";

/**
 * Who keeps the rollups, packed contact days, contact numbers and data versions exact.
 *
 * - `triggers` (a single PostgreSQL, the default): the statement-level triggers of `src/rollups/`, for every
 *   write path, by hand included.
 * - `statements` (a database without those triggers — Citus, whose workers cannot read a trigger's transition
 *   tables): the ingest and the erase run the same statements themselves (`rollupStatements`), in the same
 *   transaction, with `new_rows`/`old_rows` read as a subquery over the written rows of one account. Every statement
 *   then names one account, so a distributed database routes it to one shard group. Writes by hand bypass it:
 *   `npm run cli -- recount` recomputes an account after them.
 *
 * The mode is read from the database (are the triggers there?), so one code base serves both.
 */
export type Maintenance = "triggers" | "statements";

/** The mode of the database `client` is connected to: `statements` when the rollup triggers are absent. */
export const maintenanceOf = async (client: pg.ClientBase): Promise<Maintenance> => {
	const [name, table] = maintenanceTriggers[0]!;
	const { rows } = await client.query<{ present: boolean }>(
		"SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = $1 AND tgrelid = to_regclass($2)) AS present",
		[name, table],
	);
	return rows[0]?.present ? "triggers" : "statements";
};

/** Drops every maintenance trigger: the database then needs `statements` maintenance (tests; the Citus schema). */
export const dropMaintenanceTriggersSql = maintenanceTriggers.map(
	([name, table]) => `DROP TRIGGER IF EXISTS ${name} ON ${table}`,
);

export type SourceTable = keyof typeof rollupStatements;

/**
 * A trigger statement made standalone: each read of `rows` (`new_rows` or `old_rows`) becomes a subquery over the
 * written rows, `source`. Not a CTE: Citus pulls the result of an INSERT … SELECT over a CTE to the coordinator and
 * sends it back (two round trips and an intermediate result), while the same statement over a subquery filtered by
 * the account is routed to the account's shard as a whole. The trigger texts read the rows only as
 * `FROM <rows> [alias]`.
 */
const standalone = (sql: string, rows: "new_rows" | "old_rows", source: string) => {
	const text = sql.trim().replace(/;$/, "");
	const reads = new RegExp(`FROM ${rows}\\b(\\s+(?!GROUP\\b|WHERE\\b|ORDER\\b)[a-z_]\\w*)?`, "g");
	const inlined = text.replace(
		reads,
		(_, alias: string | undefined) => `FROM (${source}) ${alias?.trim() ?? `AS ${rows}`}`,
	);
	if (new RegExp(`\\b${rows}\\b`).test(inlined.replaceAll(`AS ${rows}`, ""))) {
		throw new Error(`maintenance: a read of ${rows} that is not FROM ${rows} [alias]: ${text.slice(0, 200)}`);
	}
	return inlined;
};

/** `$1` the account, `$2` the ids: the stored rows the statements read. */
const rowsOf = (table: SourceTable) => `SELECT * FROM ${table} WHERE account_id = $1 AND id = ANY($2::text[])`;

const statementsFor = (table: SourceTable, event: "insert" | "delete") =>
	rollupStatements[table][event]
		// Marks for the conversation update triggers, which do not exist in this mode.
		.filter((sql) => !sql.trim().startsWith("PERFORM "))
		.map((sql) => standalone(sql, event === "insert" ? "new_rows" : "old_rows", rowsOf(table)));

const prepared = {
	insert: new Map<SourceTable, ReadonlyArray<string>>(),
	delete: new Map<SourceTable, ReadonlyArray<string>>(),
};
const cached = (table: SourceTable, event: "insert" | "delete") => {
	let statements = prepared[event].get(table);
	if (!statements) {
		statements = statementsFor(table, event);
		prepared[event].set(table, statements);
	}
	return statements;
};

/** Counts rows of `table` just inserted into the rollups (run after the insert, in its transaction). */
export const maintainInserted = async (
	client: pg.ClientBase,
	accountId: string,
	table: SourceTable,
	ids: ReadonlyArray<string>,
) => {
	if (ids.length === 0) return;
	for (const sql of cached(table, "insert")) await client.query(sql, [accountId, ids]);
	if (table === "conversation") await contactDaysInserted(client, accountId, ids);
};

/** Counts rows of `table` about to be deleted out of the rollups (run before the delete, in its transaction). */
export const maintainDeleting = async (
	client: pg.ClientBase,
	accountId: string,
	table: SourceTable,
	ids: ReadonlyArray<string>,
) => {
	if (ids.length === 0) return;
	for (const sql of cached(table, "delete")) await client.query(sql, [accountId, ids]);
};

const rebuildDay = "SELECT convolens_contact_day_rebuild($1, $2)";

/** A transaction's packed-day part, then the rebuild of any day past its most parts (`contactDaysToRebuildSql`). */
const contactDaysInserted = async (client: pg.ClientBase, accountId: string, ids: ReadonlyArray<string>) => {
	const source = `SELECT * FROM conversation WHERE account_id = $1 AND id = ANY($2::text[])`;
	// The part is named by the transaction, read here rather than in the statement a distributed database pushes down.
	const { rows: xact } = await client.query<{ part: string }>("SELECT pg_current_xact_id()::text AS part");
	await client.query(standalone(contactDayPartSql("$3::bigint"), "new_rows", source), [accountId, ids, xact[0]!.part]);
	const { rows } = await client.query<{ day: Date }>(standalone(contactDaysToRebuildSql, "new_rows", source), [
		accountId,
		ids,
	]);
	for (const { day } of rows) await client.query(rebuildDay, [accountId, day]);
};

/** The UTC days of conversations about to be deleted that have a contact: rebuild them after the delete. */
export const contactDaysOfConversations = async (
	client: pg.ClientBase,
	accountId: string,
	ids: ReadonlyArray<string>,
): Promise<ReadonlyArray<Date>> => {
	if (ids.length === 0) return [];
	const { rows } = await client.query<{ day: Date }>(
		`SELECT DISTINCT date_bin('1 day', created_at, timestamptz '2000-01-01 00:00:00+00') AS day FROM conversation
		WHERE account_id = $1 AND id = ANY($2::text[]) AND contact_id IS NOT NULL ORDER BY 1`,
		[accountId, ids],
	);
	return rows.map((row) => row.day);
};

/** Rebuilds the packed contacts of `days` from the conversations left (after a delete). */
export const rebuildContactDays = async (client: pg.ClientBase, accountId: string, days: ReadonlyArray<Date>) => {
	for (const day of days) await client.query(rebuildDay, [accountId, day]);
};

/**
 * Serialises the account's writing transactions (taken first in each, held to its end). The statements of one
 * transaction lock rollup rows table after table — contact slots for its conversations, then for its messages —
 * and two transactions whose conversations and messages fall in each other's slots lock them in opposite orders.
 * A single PostgreSQL finds such a deadlock at once and the ingest retries it; on Citus the distributed deadlock
 * detector takes seconds and four concurrent writers of one account deadlocked past every retry (the benchmark's
 * ingest probe answered 503). One writer per account at a time removes the cycle; other accounts are unaffected.
 */
export const lockAccountWriters = (client: pg.ClientBase, accountId: string) =>
	client.query("SELECT pg_advisory_xact_lock(hashtext('account_writers'), hashtext($1))", [accountId]);

/** Moves the account's data version (once per writing transaction), as the `data_version` triggers do. */
export const bumpDataVersion = (client: pg.ClientBase, accountId: string) =>
	client.query(
		`INSERT INTO data_version AS t (account_id, shard, version)
		VALUES ($1, (pg_backend_pid() % ${DATA_VERSION_SHARDS})::smallint, 1)
		ON CONFLICT (account_id, shard) DO UPDATE SET version = t.version + 1`,
		[accountId],
	);

/**
 * Reserves `count` contact numbers of the account (the `contact_numbered` trigger's work): returns the first. A
 * contact that then turns out a duplicate leaves its number unused, which only costs a gap in the packed days.
 */
export const reserveContactNumbers = async (client: pg.ClientBase, accountId: string, count: number) => {
	const { rows } = await client.query<{ last: number }>(
		`INSERT INTO contact_counter AS t (account_id, last) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET last = t.last + EXCLUDED.last RETURNING t.last`,
		[accountId, count],
	);
	return rows[0]!.last - count + 1;
};
