import { cohortAverageReport } from "./shared.ts";

/** Average Actions per Conversation — the mean number of `activity` messages of the conversations created in the window (`cohortAverageReport`). */
export const AverageActionsPerConversation = cohortAverageReport({
	id: "clr3m5n8k000c08jq9q6r7s3m",
	name: "Average Actions per Conversation",
	description: "Mean number of activity messages per conversation created in the period.",
	span: "Reports.averageActionsPerConversation",
	pick: (cohort) => cohort.activityMessages,
});
