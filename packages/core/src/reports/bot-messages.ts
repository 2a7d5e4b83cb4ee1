import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Bot Messages — Messages of type bot created in the period.
 */
export const BotMessages = defineReport({
	id: "clr3m5n8k000808jq5m2n3o9i",
	name: "Bot Messages",
	description: "Messages of type bot created in the period.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.botMessages", (counts) => counts.botMessages),
});
