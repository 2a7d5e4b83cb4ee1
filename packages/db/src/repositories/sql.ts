import type { ActivityCounts, BotActivity, ContactActivity, ConversationCohort } from "@convolens/core";

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

/** Columns of an activity-counts row, as both the raw-table and the rollup queries name them. */
export interface CountsRow {
	readonly slice: number;
	readonly conversations: unknown;
	readonly messages: unknown;
	readonly user_messages: unknown;
	readonly bot_messages: unknown;
	readonly activity_messages: unknown;
	readonly tokens: unknown;
	readonly ratings: unknown;
	readonly thumbs_up: unknown;
	readonly thumbs_down: unknown;
}

export const countsFromRow = (row: CountsRow): ActivityCounts => ({
	conversations: toNumber(row.conversations),
	messages: toNumber(row.messages),
	userMessages: toNumber(row.user_messages),
	botMessages: toNumber(row.bot_messages),
	activityMessages: toNumber(row.activity_messages),
	tokens: toNumber(row.tokens),
	ratings: toNumber(row.ratings),
	thumbsUp: toNumber(row.thumbs_up),
	thumbsDown: toNumber(row.thumbs_down),
});

/** A cohort from its summary row (columns as both cohort queries name them); no row means an empty cohort. */
export const cohortFromRow = (row: Readonly<Record<string, unknown>> = {}): ConversationCohort => ({
	conversations: toNumber(row.conversations),
	messages: toNumber(row.messages),
	userMessages: toNumber(row.user_messages),
	botMessages: toNumber(row.bot_messages),
	activityMessages: toNumber(row.activity_messages),
	tokens: toNumber(row.tokens),
	userMessageDepth: {
		zero: toNumber(row.depth_zero),
		one: toNumber(row.depth_one),
		twoToThree: toNumber(row.depth_two_to_three),
		fourToTen: toNumber(row.depth_four_to_ten),
		elevenOrMore: toNumber(row.depth_eleven_or_more),
	},
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
