import { cohortAverageReport } from "./shared.ts";

/** Average User Messages per Conversation — the mean number of `user` messages of the conversations created in the window (`cohortAverageReport`). */
export const AverageUserMessagesPerConversation = cohortAverageReport({
	id: "clr3m5n8k000a08jq7o4p5q1k",
	name: "Average User Messages per Conversation",
	description: "Mean number of user messages per conversation created in the period.",
	span: "Reports.averageUserMessagesPerConversation",
	pick: (cohort) => cohort.userMessages,
});
