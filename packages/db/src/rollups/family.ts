import { positions, scopes, slot, upsert, utcDay } from "./sql.ts";

/**
 * The shape of a rollup family's description (`families.ts`) and the statements derived from it. A family is a set
 * of counters over keys; each source table it reads contributes some of the counters, each derived from the
 * source's rows by an aggregate. The statements add the aggregates of written rows to the family's tables: rows
 * inserted count in, rows deleted count out.
 */

/** The tables that read rollups are fed by. */
export type Source = "message" | "conversation" | "rating" | "contact";

/** Names a column of the rows a statement reads (`m.type`, or `type` where the rows have no alias). */
export type Ref = (column: string) => string;

/** How one counter follows from source rows: the number of rows (those `where` holds for), or a column's sum. */
export type Aggregate =
	| { readonly kind: "count"; readonly where?: (ref: Ref) => string }
	| { readonly kind: "sum"; readonly column: string };

export const count = (where?: (ref: Ref) => string): Aggregate =>
	where === undefined ? { kind: "count" } : { kind: "count", where };
export const sum = (column: string): Aggregate => ({ kind: "sum", column });

/** What one source adds to a family: some of its counters, from the source rows `where` holds for. */
interface Contribution<Counter extends string> {
	readonly counters: Partial<Record<Counter, Aggregate>>;
	readonly where?: (ref: Ref) => string;
	/** Skips the keys whose counters sum to zero (rows counted in and out by one statement). */
	readonly dropZero?: boolean;
}

/**
 * How a family's rows are keyed, which fixes its tables:
 * - `scoped`: `<name>_slot` (15-minute slots) and `<name>_day` (UTC days), per account and bot scope (`bot_key`:
 *   `''` for the whole account, else the bot), then `keys`;
 * - `contact-slot`: `contact_slot`, per account, slot and contact;
 * - `contact-total`: `contact_total` (all time, with the `*_scale` of each counter) and `contact_activity_day`, per
 *   account and contact;
 * - `account`: `<name>_slot` and `<name>_day` per account.
 */
type Grain = "scoped" | "contact-slot" | "contact-total" | "account";

export interface Family<Counter extends string = string> {
	readonly name: string;
	readonly grain: Grain;
	/** Keys after the grain's, each with the expression that derives it from a source row. */
	readonly keys: ReadonlyArray<{ readonly column: string; readonly from: (ref: Ref) => string }>;
	/** The counters, in table order. */
	readonly counters: ReadonlyArray<Counter>;
	readonly sources: Partial<Record<Source, Contribution<Counter>>>;
}

export const family = <const Counter extends string>(description: Family<Counter>) => description;

/**
 * A column's property name (`user_messages` → `userMessages`): how the entities and the decoded report rows name a
 * counter; MikroORM's default naming strategy maps it back to the column.
 */
export type PropertyName<S extends string> = S extends `${infer Head}_${infer Tail}`
	? `${Head}${Capitalize<PropertyName<Tail>>}`
	: S;
export const propertyName = <S extends string>(column: S) =>
	column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()) as PropertyName<S>;

/**
 * The rows a statement reads: `from` (a source and its alias, if any), `alias`, how columns are named, and how the
 * rows count: `''` in, `'-'` out, or `'column'` by their own `sign` column (1 or -1).
 */
export interface Rows {
	readonly from: string;
	readonly alias: string;
	readonly ref: Ref;
	readonly sign: "" | "-" | "column";
}

const sign = (value: 1 | -1) => (value === 1 ? "" : "-");

/** Rows read under `alias` (columns named `<alias>.<column>`), counted with `value`. */
export const aliased = (source: string, alias: string, value: 1 | -1): Rows => ({
	from: `${source} ${alias}`,
	alias,
	ref: (column) => `${alias}.${column}`,
	sign: sign(value),
});
/** Rows read without an alias, counted with `value`. */
export const bare = (source: string, value: 1 | -1): Rows => ({
	from: source,
	alias: "",
	ref: (column) => column,
	sign: sign(value),
});
/** Rows that carry their own `sign` column, read under `alias`; `prefixed` names columns with it. */
export const signedRows = (source: string, alias: string, prefixed = true): Rows => ({
	from: `${source} ${alias}`,
	alias,
	ref: prefixed ? (column) => `${alias}.${column}` : (column) => column,
	sign: "column",
});

/** The SQL of an aggregate over `rows`. */
export const aggregateSql = (aggregate: Aggregate, rows: Rows) => {
	const { ref } = rows;
	const filter = aggregate.kind === "count" && aggregate.where ? ` FILTER (WHERE ${aggregate.where(ref)})` : "";
	if (rows.sign === "column") {
		if (aggregate.kind === "sum") return `sum(${ref("sign")} * ${ref(aggregate.column)})`;
		return filter ? `coalesce(sum(${ref("sign")})${filter}, 0)` : `sum(${ref("sign")})`;
	}
	return aggregate.kind === "sum"
		? `${rows.sign}coalesce(sum(${ref(aggregate.column)}), 0)`
		: `${rows.sign}count(*)${filter}`;
};

/** Bit length of a non-negative count (0 for 0): the magnitude the ranking bound is indexed by. */
export const contactTotalScale = (value: string) =>
	`CASE WHEN ${value} > 0 THEN floor(log(2, (${value})::numeric))::int + 1 ELSE 0 END`;

const contactTotalKeys = ["account_id", "contact_id"];

/**
 * `contact_total` keeps, beside each value, its `*_scale` (bit length): the indexed column. A new value rarely
 * changes its scale, so most updates leave every index untouched (HOT updates), while the index still finds every
 * contact whose value reaches a threshold (value ≥ T implies scale ≥ scale(T)).
 */
const contactTotalUpsert = (columns: ReadonlyArray<string>, select: string) => `
	INSERT INTO contact_total AS t (${[...contactTotalKeys, ...columns, ...columns.map((column) => `${column}_scale`)].join(", ")})
	SELECT s.*, ${columns.map((column) => contactTotalScale(`s.${column}`)).join(", ")}
	FROM (${select}) AS s(${[...contactTotalKeys, ...columns].join(", ")})
	ON CONFLICT (${contactTotalKeys.join(", ")}) DO UPDATE SET
		${columns
			.flatMap((column) => [
				`${column} = t.${column} + EXCLUDED.${column}`,
				`${column}_scale = ${contactTotalScale(`t.${column} + EXCLUDED.${column}`)}`,
			])
			.join(",\n\t\t")};`;

/** The statements that add `rows` of `source` to the tables of `of`, in key order of the grain. */
export const familySql = <Counter extends string>(
	of: Family<Counter>,
	source: Source,
	rows: Rows,
): ReadonlyArray<string> => {
	const contribution = of.sources[source];
	if (contribution === undefined) throw new Error(`rollups: ${of.name} has no counters from ${source}`);
	const { ref } = rows;
	const counted = of.counters.flatMap((counter) => {
		const aggregate = contribution.counters[counter];
		return aggregate === undefined ? [] : [[counter, aggregateSql(aggregate, rows)] as const];
	});
	const columns = counted.map(([column]) => column);
	const values = counted.map(([, sql]) => sql).join(", ");
	const having = contribution.dropZero ? ` HAVING sum(${ref("sign")}) <> 0` : "";
	const where = (conditions: ReadonlyArray<string>) => {
		const all = contribution.where ? [...conditions, contribution.where(ref)] : conditions;
		return all.length === 0 ? "" : `\n\t\tWHERE ${all.join(" AND ")}`;
	};
	const grouped = (n: number) => `\n\t\tGROUP BY ${positions(n)}${having} ORDER BY ${positions(n)}`;
	switch (of.grain) {
		case "scoped": {
			const extra = of.keys.map((key) => key.column);
			const select = (bucket: (column: string) => string) =>
				`SELECT ${[ref("account_id"), "scope.bot_key", bucket(ref("created_at")), ...of.keys.map((key) => key.from(ref))].join(", ")}, ${values}
		FROM ${rows.from} ${scopes(rows.alias)}${where(["scope.bot_key IS NOT NULL"])}${grouped(3 + extra.length)}`;
			return [
				upsert(`${of.name}_slot`, ["account_id", "bot_key", "slot", ...extra], columns, select(slot)),
				upsert(`${of.name}_day`, ["account_id", "bot_key", "day", ...extra], columns, select(utcDay)),
			];
		}
		case "contact-slot":
			return [
				upsert(
					"contact_slot",
					["account_id", "slot", "contact_id"],
					columns,
					`SELECT ${ref("account_id")}, ${slot(ref("created_at"))}, ${ref("contact_id")}, ${values}
		FROM ${rows.from}${where([`${ref("contact_id")} IS NOT NULL`])}${grouped(3)}`,
				),
			];
		case "contact-total": {
			const select = (day: boolean) =>
				`SELECT ${ref("account_id")}, ${ref("contact_id")}${day ? `, ${utcDay(ref("created_at"))}` : ""}, ${values}
		FROM ${rows.from}${where([`${ref("contact_id")} IS NOT NULL`])}${grouped(day ? 3 : 2)}`;
			return [
				contactTotalUpsert(columns, select(false)),
				upsert("contact_activity_day", ["account_id", "contact_id", "day"], columns, select(true)),
			];
		}
		case "account": {
			const select = (bucket: (column: string) => string) =>
				`SELECT ${ref("account_id")}, ${bucket(ref("created_at"))}, ${values} FROM ${rows.from}${where([])}${grouped(2)}`;
			return [
				upsert(`${of.name}_slot`, ["account_id", "slot"], columns, select(slot)),
				upsert(`${of.name}_day`, ["account_id", "day"], columns, select(utcDay)),
			];
		}
	}
};
