import {
	averageOutput,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	cohortAverage,
	defineReport,
	periodInput,
} from "./shared.ts";

/**
 * Average Bot Messages per Conversation — over the conversations created in the window (the cohort), the mean number of their `bot` messages,
 * counting every message of those conversations whenever it was sent. Conversations with none count as 0; 2
 * decimals; 0 when the window has no conversations.
 */
export const AverageBotMessagesPerConversation = defineReport({
	id: "clr3m5n8k000b08jq8p5q6r2l",
	name: "Average Bot Messages per Conversation",
	description: "Mean number of bot messages per conversation created in the period.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: averageOutput,
	run: cohortAverage("Reports.averageBotMessagesPerConversation", (cohort) => cohort.botMessages),
});
