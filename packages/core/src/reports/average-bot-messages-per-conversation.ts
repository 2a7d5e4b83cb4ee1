import { cohortAverageReport } from "./shared.ts";

/** Average Bot Messages per Conversation — the mean number of `bot` messages of the conversations created in the window (`cohortAverageReport`). */
export const AverageBotMessagesPerConversation = cohortAverageReport({
	id: "clr3m5n8k000b08jq8p5q6r2l",
	name: "Average Bot Messages per Conversation",
	description: "Mean number of bot messages per conversation created in the period.",
	span: "Reports.averageBotMessagesPerConversation",
	pick: (cohort) => cohort.botMessages,
});
