/**
 * The SQL primitives every rollup statement is built from: time buckets, the per-bot scope, the additive upsert and
 * the trigger scaffolding. Upserts are ordered by key so concurrent writers lock rollup rows in the same order.
 */

/** 15-minute slot of an instant; every current UTC offset is a multiple of 15 minutes. */
export const SLOT_MINUTES = 15;
export const slot = (column: string) => `date_bin('15 minutes', ${column}, timestamptz '2000-01-01 00:00:00+00')`;
export const utcDay = (column: string) => `date_bin('1 day', ${column}, timestamptz '2000-01-01 00:00:00+00')`;

/** Each row counts once for the whole account (`''`) and once for its bot, when it has one. */
export const scopes = (alias: string, botColumn = "bot_id") =>
	`CROSS JOIN LATERAL (VALUES (''::varchar), (${alias}.${botColumn})) AS scope(bot_key)`;

/** Adds the selected counters to the rows of `table` with the same keys (inserting the rows missing). */
export const upsert = (table: string, keys: ReadonlyArray<string>, columns: ReadonlyArray<string>, select: string) => `
	INSERT INTO ${table} AS t (${[...keys, ...columns].join(", ")})
	${select}
	ON CONFLICT (${keys.join(", ")}) DO UPDATE SET
		${columns.map((column) => `${column} = t.${column} + EXCLUDED.${column}`).join(",\n\t\t")};`;

/** ` AND <alias>.account_id = <account>` when the rows' one account is known, so Citus routes the update. */
export const sameAccount = (alias: string, account: string | undefined) =>
	account === undefined ? "" : ` AND ${alias}.account_id = ${account}`;

/** `1, 2, …, n`: the positions of a select's first `n` columns. */
export const positions = (n: number) => Array.from({ length: n }, (_, index) => index + 1).join(", ");

/** Rows of `source` with a column `sign` (1 inserted, -1 deleted). */
export const signed = (source: string, sign: 1 | -1) => `(SELECT x.*, ${sign} AS sign FROM ${source} x)`;

/** The old rows counted out and the new rows counted in, as one signed source. */
export const oldAndNew = `(${signed("old_rows", -1).slice(1, -1)} UNION ALL ${signed("new_rows", 1).slice(1, -1)})`;

/** Skips an update of conversation counters alone (see `conversationCountersSql` in `message.ts`). */
export const skipCounting = "\tIF current_setting('convolens.counting', true) = 'on' THEN RETURN NULL; END IF;";

export const fn = (name: string, statements: ReadonlyArray<string>) =>
	`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
${statements.join("\n")}
	RETURN NULL;
END
$fn$;`;

export const trigger = (name: string, table: string, event: "INSERT" | "DELETE" | "UPDATE", fnName: string) => {
	const referencing =
		event === "INSERT"
			? "REFERENCING NEW TABLE AS new_rows"
			: event === "DELETE"
				? "REFERENCING OLD TABLE AS old_rows"
				: "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows";
	return `CREATE TRIGGER ${name} AFTER ${event} ON ${table} ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION ${fnName}();`;
};

/**
 * The body of an UPDATE trigger that counts the old rows out and the new rows in (`unsigned` given a source and its
 * sign), skipped when no row changed a column in `columns` (a key changed counts as changed): the rollups of a
 * message, rating or contact edited by hand stay exact, and an edit of other columns costs one scan of the
 * transition tables.
 */
export const updateSql = (
	columns: ReadonlyArray<string>,
	unsigned: (source: string, sign: 1 | -1) => ReadonlyArray<string>,
): ReadonlyArray<string> => [
	`\tIF NOT EXISTS (SELECT 1 FROM old_rows o LEFT JOIN new_rows n ON n.account_id = o.account_id AND n.id = o.id
		WHERE n.id IS NULL OR (${columns.map((column) => `o.${column}`).join(", ")}) IS DISTINCT FROM (${columns.map((column) => `n.${column}`).join(", ")})) THEN
		RETURN NULL;
	END IF;`,
	...unsigned("old_rows", -1),
	...unsigned("new_rows", 1),
];
