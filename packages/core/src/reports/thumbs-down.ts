import {
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	countsReport,
	defineReport,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Thumbs Down — Ratings with a value below 0 created in the period.
 */
export const ThumbsDown = defineReport({
	id: "clr3m5n8k000208jq8e5f6g3c",
	name: "Thumbs Down",
	description: "Ratings with a value below 0 created in the period.",
	category: "quality",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: countsReport("Reports.thumbsDown", (counts) => counts.thumbsDown),
});
