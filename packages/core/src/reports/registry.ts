import type { Effect } from "effect";
import type { z } from "zod";
import { ActiveContacts } from "./active-contacts.ts";
import { ActivityMessages } from "./activity-messages.ts";
import { Alerts } from "./alerts.ts";
import { AverageActionsPerConversation } from "./average-actions-per-conversation.ts";
import { AverageBotMessagesPerConversation } from "./average-bot-messages-per-conversation.ts";
import { AverageUserMessagesPerConversation } from "./average-user-messages-per-conversation.ts";
import { BotAlerts } from "./bot-alerts.ts";
import { BotConversationQuality } from "./bot-conversation-quality.ts";
import { BotMessages } from "./bot-messages.ts";
import { BotNegativeFeedback } from "./bot-negative-feedback.ts";
import { BotPerformance } from "./bot-performance.ts";
import { BotStats } from "./bot-stats.ts";
import { ComprehensiveAnalytics } from "./comprehensive-analytics.ts";
import { ComprehensiveOverview } from "./comprehensive-overview.ts";
import { DatasetRecords } from "./dataset-records.ts";
import { ThumbsDown } from "./thumbs-down.ts";
import { ThumbsUp } from "./thumbs-up.ts";
import { TotalContacts } from "./total-contacts.ts";
import { TotalConversations } from "./total-conversations.ts";
import { TotalMessages } from "./total-messages.ts";
import { TotalRatings } from "./total-ratings.ts";
import { UserMessages } from "./user-messages.ts";

/**
 * Every report by its name, in catalogue (contract §4) order: the one place a report is registered. The list, the
 * ID constants and the lookup by ID all derive from it.
 */
export const reportsByName = {
	DatasetRecords,
	TotalRatings,
	ThumbsUp,
	ThumbsDown,
	TotalContacts,
	ActiveContacts,
	TotalConversations,
	TotalMessages,
	UserMessages,
	BotMessages,
	ActivityMessages,
	AverageUserMessagesPerConversation,
	AverageBotMessagesPerConversation,
	AverageActionsPerConversation,
	ComprehensiveOverview,
	BotStats,
	Alerts,
	BotPerformance,
	BotConversationQuality,
	BotAlerts,
	BotNegativeFeedback,
	ComprehensiveAnalytics,
} as const;

export type ReportName = keyof typeof reportsByName;

/** Every report, in catalogue order. */
export const reports: ReadonlyArray<(typeof reportsByName)[ReportName]> = Object.values(reportsByName);

export type AnyReport = (typeof reportsByName)[ReportName];
export type ReportId = AnyReport["id"];
export type ReportById<Id extends ReportId> = Extract<AnyReport, { readonly id: Id }>;
/** What a caller may send (defaults optional), e.g. `ReportInput<typeof ReportIds.TotalRatings>`. */
export type ReportInput<Id extends ReportId> = z.input<ReportById<Id>["input"]>;
export type ReportOutput<Id extends ReportId> = z.output<ReportById<Id>["output"]>;
/** What a report can fail with, inferred from its program, e.g. `ReportErrors<typeof ReportIds.TotalRatings>`. */
export type ReportErrors<Id extends ReportId> = Effect.Error<ReturnType<ReportById<Id>["run"]>>;
/** The services a report's program reads. */
export type ReportRequirements<Id extends ReportId> = Effect.Services<ReturnType<ReportById<Id>["run"]>>;

/** Named report IDs, so no consumer has to paste one. */
export const ReportIds = Object.fromEntries(
	Object.entries(reportsByName).map(([name, report]) => [name, report.id]),
) as { readonly [Name in ReportName]: (typeof reportsByName)[Name]["id"] };

export const reportsById: { readonly [Id in ReportId]: ReportById<Id> } = Object.fromEntries(
	reports.map((report) => [report.id, report]),
) as { readonly [Id in ReportId]: ReportById<Id> };

export const isReportId = (id: string): id is ReportId => Object.hasOwn(reportsById, id);

export {
	ActiveContacts,
	ActivityMessages,
	Alerts,
	AverageActionsPerConversation,
	AverageBotMessagesPerConversation,
	AverageUserMessagesPerConversation,
	BotAlerts,
	BotConversationQuality,
	BotMessages,
	BotNegativeFeedback,
	BotPerformance,
	BotStats,
	ComprehensiveAnalytics,
	ComprehensiveOverview,
	DatasetRecords,
	ThumbsDown,
	ThumbsUp,
	TotalContacts,
	TotalConversations,
	TotalMessages,
	TotalRatings,
	UserMessages,
};
