import {
	averageOutput,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	cohortAverage,
	defineReport,
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
	output: averageOutput,
	run: cohortAverage("Reports.averageActionsPerConversation", (cohort) => cohort.activityMessages),
});
