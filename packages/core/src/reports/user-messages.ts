import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * User Messages — Messages of type user created in the period.
 */
export const UserMessages = defineReport({
	id: "clr3m5n8k000708jq4l1m2n8h",
	name: "User Messages",
	description: "Messages of type user created in the period.",
	category: "engagement",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.userMessages", (counts) => counts.userMessages),
});
