import { Schema } from "effect";

/**
 * The typed failures of every report, ingest and admin program. Each tag has exactly one wire code and one HTTP
 * status (see `errorTable`); the tRPC error formatter and the REST adapter both read that table.
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
	message: Schema.String,
	/** Dotted path of the offending field, e.g. `periodDays` or `messages.3.tokens`, when there is one. */
	field: Schema.optional(Schema.String),
}) {}

export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", {
	message: Schema.String,
	resource: Schema.String,
}) {}

export class ReportNotFound extends Schema.TaggedError<ReportNotFound>()("ReportNotFound", {
	reportId: Schema.String,
}) {
	override get message() {
		return "Report not found";
	}
}

export class ReportTimeout extends Schema.TaggedError<ReportTimeout>()("ReportTimeout", {
	reportId: Schema.String,
	timeoutMs: Schema.Number,
}) {
	override get message() {
		return `Report ${this.reportId} did not finish within ${this.timeoutMs} ms`;
	}
}

/** The database could not be reached or failed; the driver error stays in `cause` and is never sent to a client. */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
	message: Schema.String,
	cause: Schema.optional(Schema.Defect()),
}) {}

export type ReportError = InvalidInput | ResourceNotFound | ReportNotFound | ReportTimeout | StorageError;

export type ErrorCode =
	| "BAD_REQUEST"
	| "NOT_AUTHENTICATED"
	| "NOT_AUTHORIZED"
	| "NOT_FOUND"
	| "METHOD_NOT_ALLOWED"
	| "CONTENT_TOO_LARGE"
	| "UNPROCESSABLE_ENTITY"
	| "TOO_MANY_REQUESTS"
	| "INTERNAL_SERVER_ERROR"
	| "SERVICE_UNAVAILABLE"
	| "TIMEOUT";

/** One row per typed error: the code a client sees and the HTTP status. Used by tRPC and REST alike. */
export const errorTable = {
	InvalidInput: { code: "BAD_REQUEST", status: 400 },
	ResourceNotFound: { code: "NOT_FOUND", status: 404 },
	ReportNotFound: { code: "NOT_FOUND", status: 404 },
	ReportTimeout: { code: "TIMEOUT", status: 504 },
	StorageError: { code: "SERVICE_UNAVAILABLE", status: 503 },
} as const satisfies Record<ReportError["_tag"], { code: ErrorCode; status: number }>;
