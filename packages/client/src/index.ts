export { type ClientOptions, createClient } from "./client.ts";
export { ConvolensError, type ErrorCode, errorCodes } from "./errors.ts";
export * from "./generated/reports.ts";
export type {
	ConversationItem,
	ConversationsPage,
	ConversationsQuery,
	ConvolensClient,
	CreatedWebhook,
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
	Webhook,
	WebhookDelivery,
	WebhookMethods,
} from "./types.ts";
