export { type ClientOptions, createClient } from "./client.ts";
export { ConvolensError, type ErrorCode, errorCodes } from "./errors.ts";
export * from "./generated/reports.ts";
export type {
	ConversationItem,
	ConversationsPage,
	ConversationsQuery,
	ConvolensClient,
	GenerateRequest,
	GenerateResponse,
	ListOptions,
	ReportFailure,
	ReportId,
	ReportIdOfMethod,
	ReportInput,
	ReportList,
	ReportListItem,
	ReportMethodName,
	ReportMethods,
	ReportOutput,
	ReportResult,
	RequestOptions,
} from "./types.ts";
