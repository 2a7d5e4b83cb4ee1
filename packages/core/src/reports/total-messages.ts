import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Total Messages — Messages of every type created in the period.
 */
export const TotalMessages = defineReport({
	id: "clr3m5n8k000608jq3k0l1m7g",
	name: "Total Messages",
	description: "Messages of every type created in the period.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.totalMessages", (counts) => counts.messages),
});
