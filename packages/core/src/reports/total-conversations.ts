import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Total Conversations — Conversations created in the period, with or without a contact or bot.
 */
export const TotalConversations = defineReport({
	id: "clr3m5n8k000508jq2j9k0l6f",
	name: "Total Conversations",
	description: "Conversations created in the period, with or without a contact or bot.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.totalConversations", (counts) => counts.conversations),
});
