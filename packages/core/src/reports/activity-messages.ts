import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Activity Messages — Messages of type activity (bot actions) created in the period.
 */
export const ActivityMessages = defineReport({
	id: "clr3m5n8k000908jq6n3o4p0j",
	name: "Activity Messages",
	description: "Messages of type activity (bot actions) created in the period.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.activityMessages", (counts) => counts.activityMessages),
});
