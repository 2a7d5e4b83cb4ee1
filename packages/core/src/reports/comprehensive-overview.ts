import { Effect } from "effect";
import { z } from "zod";
import { comprehensiveOverviewEntries, overviewEntry } from "./overview-entries.ts";
import { CATALOGUE_CREATED_AT, CATALOGUE_UPDATED_AT, defineReport, periodInput } from "./shared.ts";

/** Comprehensive Overview — 13 entries in contract order; definitions and list choices in `overview-entries.ts`. */
export const ComprehensiveOverview = defineReport({
	id: "clr3m5n8k000d08jqar7s8t4n",
	name: "Comprehensive Overview",
	description: "Ratings, users, conversations, messages and per-conversation averages with charts and top lists.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: z.object({ data: z.array(overviewEntry).length(13) }),
	run: (input, context) =>
		comprehensiveOverviewEntries(input, context).pipe(Effect.withSpan("Reports.comprehensiveOverview")),
});
