import type { ActivityCounts, BotActivity, ContactActivity, ConversationCohort } from "@convolens/core";
import { activity, cohort } from "../rollups/families.ts";
import { type Family, type PropertyName, propertyName } from "../rollups/family.ts";

/**
 * SQL fragments and conversions shared by the repository layers. Slice boundaries are always bound as parameter `$2`
 * (`timestamptz[]`): a row's slice is `width_bucket(created_at, $2)` (1-based) and `withinSlices` keeps rows inside
 * `[boundaries[0], boundaries[last])`, so every bucket is one of the slices.
 */
export const sliceOf = "width_bucket(created_at, $2::timestamptz[])";

export const withinSlices =
	"created_at >= ($2::timestamptz[])[1] AND created_at < ($2::timestamptz[])[cardinality($2::timestamptz[])]";

/** Counts and sums come back cast to `float8` (exact up to 2^53); absent means 0. */
export const toNumber = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/** One count per slice, zero-filled, from rows of `{ slice, value }` (slices 1-based). */
export const perSlice = (
	slices: number,
	rows: ReadonlyArray<{ readonly slice: number | null; readonly value: unknown }>,
) => {
	const counts = Array.from({ length: slices }, () => 0);
	for (const row of rows) if (row.slice !== null) counts[row.slice - 1] = toNumber(row.value);
	return counts;
};

/**
 * A family's counters from a report row (columns named as in the table; absent means 0), named as properties
 * (`user_messages` → `userMessages`): all of them, or `counters`, each named without `prefix`.
 */
const countersFromRow = <Counter extends string, Read extends Counter = Counter, Prefix extends string = "">(
	of: Family<Counter>,
	row: Readonly<Partial<Record<Counter, unknown>>>,
	counters: ReadonlyArray<Read> = of.counters as ReadonlyArray<Read>,
	prefix: Prefix = "" as Prefix,
) =>
	Object.fromEntries(counters.map((column) => [propertyName(column.slice(prefix.length)), toNumber(row[column])])) as {
		[C in Read as C extends `${Prefix}${infer Name}` ? PropertyName<Name> : never]: number;
	};

/**
 * `value` as a `T` that has exactly `value`'s fields: a counter decoded that the report type does not name is a
 * type error here, not a field travelling unseen in the report's objects.
 */
const exactly =
	<T>() =>
	<V extends T>(value: V & Record<Exclude<keyof V, keyof T>, never>): T =>
		value;

export type ActivityCounter = (typeof activity.counters)[number];

/** Columns of an activity-counts row, as both the raw-table and the rollup queries name them. */
export type CountsRow = { readonly slice: number } & { readonly [C in ActivityCounter]?: unknown };

export const countsFromRow = (row: CountsRow): ActivityCounts =>
	exactly<ActivityCounts>()(countersFromRow(activity, row));

type CohortCounter = (typeof cohort.counters)[number];
type DepthCounter = Extract<CohortCounter, `depth_${string}`>;
const depthCounters = cohort.counters.filter((column): column is DepthCounter => column.startsWith("depth_"));
const sumCounters = cohort.counters.filter(
	(column): column is Exclude<CohortCounter, DepthCounter> => !column.startsWith("depth_"),
);

/**
 * A cohort from its summary row (columns as both cohort queries name them); no row means an empty cohort. The
 * `depth_*` counters are the histogram (`userMessageDepth`), the others the cohort's sums.
 */
const cohortFromRow = (row: Readonly<Record<string, unknown>> = {}): ConversationCohort =>
	exactly<ConversationCohort>()({
		...countersFromRow(cohort, row, sumCounters),
		userMessageDepth: exactly<ConversationCohort["userMessageDepth"]>()(
			countersFromRow(cohort, row, depthCounters, "depth_"),
		),
	});

/** One cohort per slice, empty where no row came back, from rows carrying their (1-based) `slice`. */
export const cohortsPerSlice = (
	slices: number,
	rows: ReadonlyArray<Readonly<Record<string, unknown>> & { readonly slice: number | null }>,
): Array<ConversationCohort> => {
	const cohorts = Array.from({ length: slices }, () => cohortFromRow());
	for (const row of rows)
		if (row.slice !== null && row.slice >= 1 && row.slice <= slices) cohorts[row.slice - 1] = cohortFromRow(row);
	return cohorts;
};

/** A ranked bot from its row (id, name, created_at and the three metrics), as both ranking queries return it. */
export const botActivityFromRow = (row: Readonly<Record<string, unknown>>): BotActivity => ({
	id: String(row.id),
	name: (row.name as string | null) ?? null,
	createdAt: new Date(row.created_at as Date),
	conversations: toNumber(row.conversations),
	messages: toNumber(row.messages),
	tokens: toNumber(row.tokens),
});

/** A ranked contact from its row: the bot fields plus email and nick. */
export const contactActivityFromRow = (row: Readonly<Record<string, unknown>>): ContactActivity => ({
	...botActivityFromRow(row),
	email: (row.email as string | null) ?? null,
	nick: (row.nick as string | null) ?? null,
});
