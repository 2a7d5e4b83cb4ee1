import { Effect } from "effect";
import { z } from "zod";
import {
	average,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	periodAt,
	periodCohorts,
	periodInput,
} from "./shared.ts";

/**
 * Average Actions per Conversation — over the conversations created in the window (the cohort), the mean number of their `activity` messages,
 * counting every message of those conversations whenever it was sent. Conversations with none count as 0; 2
 * decimals; 0 when the window has no conversations.
 */
export const AverageActionsPerConversation = defineReport({
	id: "clr3m5n8k000c08jq9q6r7s3m",
	name: "Average Actions per Conversation",
	description: "Mean number of activity messages per conversation created in the period.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: z.object({ value: z.number(), period: z.string() }),
	run: Effect.fn("Reports.averageActionsPerConversation")(function* (input, context) {
		const period = yield* periodAt(input, context, { breakdown: false });
		const { current: cohort } = yield* periodCohorts({ accountId: context.accountId }, period);
		return { value: average(cohort.activityMessages, cohort.conversations), period: period.label };
	}),
});
