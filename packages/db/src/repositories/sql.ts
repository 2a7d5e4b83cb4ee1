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
