export {
	calendarKey,
	DEFAULT_MAX_OBJECTS,
	makeMemo,
	makeResultStore,
	ResultCache,
	type ResultCacheService,
	type ResultStore,
} from "./cache.ts";
export {
	type ConversationItem,
	type ConversationsInput,
	type ConversationsPage,
	conversationsInput,
	listConversations,
	MAX_CONVERSATIONS_PAGE,
} from "./conversations.ts";
export * from "./errors.ts";
export * from "./ingest.ts";
export { describeZodIssues } from "./input.ts";
export { pinReads, ReportReads, type ReportReadsService } from "./report-reads.ts";
export { type Alert, type AlertsOutput, alertTypes, type Severity, severities } from "./reports/alert-rules.ts";
export * from "./reports/registry.ts";
export {
	categories,
	type ReportCategory,
	type ReportContext,
	type ReportFailure,
	type ReportServices,
	type SentimentSignal,
} from "./reports/shared.ts";
export * from "./repositories.ts";
export * from "./rows.ts";
export {
	type BatchResult,
	type BatchResults,
	type GenerateContext,
	generateBatch,
	generateReport,
	memoizedRepositories,
	type OutputOf,
	ReportTimeoutMs,
} from "./run.ts";
export * from "./tenancy.ts";
export {
	type Bucket,
	type Granularity,
	granularities,
	MAX_BUCKETS,
	MAX_EXPLICIT_DAYS,
	MAX_PERIOD_DAYS,
	type PeriodInput,
	type ResolvedPeriod,
	resolvePeriod,
	type TimeWindow,
	validateTimeZone,
} from "./time/period.ts";
export { addDays, isValidTimeZone, localDate, startOfLocalDay } from "./time/zone.ts";
