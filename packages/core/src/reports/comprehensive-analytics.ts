import { Effect } from "effect";
import { z } from "zod";
import { comprehensiveAnalyticsEntries, overviewEntry } from "./overview-entries.ts";
import { CATALOGUE_CREATED_AT, CATALOGUE_UPDATED_AT, defineReport, periodInput } from "./shared.ts";

/**
 * Comprehensive Analytics — the Overview's 13 entries plus Total Tokens (tokens of messages sent in the window),
 * whose list holds the top 20 bots and then the top 20 contacts by tokens.
 */
export const ComprehensiveAnalytics = defineReport({
	id: "gpv2an25fuhe2k6v6ckv85v8",
	name: "Comprehensive Analytics",
	description: "The Comprehensive Overview plus token usage with the top bots and contacts by tokens.",
	category: "performance",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: z.object({ data: z.array(overviewEntry).length(14) }),
	run: (input, context) =>
		comprehensiveAnalyticsEntries(input, context).pipe(Effect.withSpan("Reports.comprehensiveAnalytics")),
});
