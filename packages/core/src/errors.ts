import { Schema } from "effect";

/**
 * The typed failures of every report, ingest and admin program. Each tag has exactly one wire code (`errorTable`)
 * and each code one HTTP status (`statusOfCode`); the tRPC error formatter and the REST adapter both read them.
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

/**
 * Every code a Convolens server puts in an error body, with the HTTP status it travels with. This is the only table
 * of statuses: the API answers with it and the client's copy (`packages/client/src/generated/errors.ts`) is
 * generated from it.
 */
export const statusOfCode = {
	BAD_REQUEST: 400,
	NOT_AUTHENTICATED: 401,
	NOT_AUTHORIZED: 403,
	NOT_FOUND: 404,
	METHOD_NOT_ALLOWED: 405,
	CONTENT_TOO_LARGE: 413,
	UNPROCESSABLE_ENTITY: 422,
	TOO_MANY_REQUESTS: 429,
	INTERNAL_SERVER_ERROR: 500,
	SERVICE_UNAVAILABLE: 503,
	TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof statusOfCode;

/** One row per typed error: the code a client sees (its status is the code's, in `statusOfCode`). */
export const errorTable = {
	InvalidInput: { code: "BAD_REQUEST" },
	ResourceNotFound: { code: "NOT_FOUND" },
	ReportNotFound: { code: "NOT_FOUND" },
	ReportTimeout: { code: "TIMEOUT" },
	StorageError: { code: "SERVICE_UNAVAILABLE" },
} as const satisfies Record<ReportError["_tag"], { code: ErrorCode }>;

/** The message a client sees: a storage failure's detail (driver text, hosts) never leaves the server. */
export const publicMessage = (error: ReportError): string =>
	error._tag === "StorageError" ? "Storage is unavailable, try again shortly" : error.message;

/** A failed report as a batch answers it: the code and message the single-report call would have answered. */
export interface ReportFailure {
	readonly code: ErrorCode;
	readonly tag: ReportError["_tag"];
	readonly message: string;
	readonly field: string | null;
}

export const failureOf = (error: ReportError): ReportFailure => ({
	code: errorTable[error._tag].code,
	tag: error._tag,
	message: publicMessage(error),
	field: error._tag === "InvalidInput" ? (error.field ?? null) : null,
});
