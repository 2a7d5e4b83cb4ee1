import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Thumbs Up — Ratings with a value above 0 created in the period.
 */
export const ThumbsUp = defineReport({
	id: "clr3m5n8k000108jq3c4d7f2b",
	name: "Thumbs Up",
	description: "Ratings with a value above 0 created in the period.",
	category: "quality",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.thumbsUp", (counts) => counts.thumbsUp),
});
