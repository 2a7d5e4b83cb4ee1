import { Effect } from "effect";
import { z } from "zod";
import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	periodAt,
	periodInput,
	slicedCounts,
	standardFromCounts,
	standardOutputFields,
} from "./shared.ts";

/**
 * Total Ratings — every rating created in the period counts in `value` (including value 0, which is neither a
 * thumbs up nor a thumbs down); `thumbsUp` / `thumbsDown` are the current window's ratings above / below 0.
 */
export const TotalRatings = defineReport({
	id: "clr3m5n8k000008jq7h9e5b1a",
	name: "Total Ratings",
	description: "All ratings created in the period, with the thumbs up and thumbs down among them.",
	category: "quality",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: z.object({ ...standardOutputFields, thumbsUp: z.number(), thumbsDown: z.number() }),
	run: Effect.fn("Reports.totalRatings")(function* (input, context) {
		const period = yield* periodAt(input, context);
		const counts = yield* slicedCounts(context.accountId, period);
		return {
			...standardFromCounts(period, counts, (slice) => slice.ratings),
			thumbsUp: counts.current.thumbsUp,
			thumbsDown: counts.current.thumbsDown,
		};
	}),
});
