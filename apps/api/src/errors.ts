import {
	describeZodIssues,
	type ErrorCode,
	errorTable,
	publicMessage,
	type ReportError,
	statusOfCode,
} from "@convolens/core";
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { ZodError } from "zod";

/**
 * The one place where failures become wire errors. Typed errors from core carry their code through core's
 * `errorTable` and every code its HTTP status through core's `statusOfCode`; the tRPC procedures throw `AppError` (a `TRPCError` carrying that code), the tRPC error
 * formatter copies it into `shape.data`, and the REST adapter turns any thrown error into `{message, code}` with
 * `toWireError`. Both surfaces therefore agree on every code and status.
 */

export type WireCode = ErrorCode;

export interface WireError {
	readonly status: number;
	readonly code: WireCode;
	readonly message: string;
	/** The typed error's tag, when the failure came from a core program. */
	readonly tag?: string;
	/** The offending input field, when known. */
	readonly field?: string;
}

/** Wire code → tRPC code (the HTTP status is core's `statusOfCode`). */
export const trpcCodes = {
	BAD_REQUEST: "BAD_REQUEST",
	NOT_AUTHENTICATED: "UNAUTHORIZED",
	NOT_AUTHORIZED: "FORBIDDEN",
	NOT_FOUND: "NOT_FOUND",
	METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
	CONTENT_TOO_LARGE: "PAYLOAD_TOO_LARGE",
	UNPROCESSABLE_ENTITY: "UNPROCESSABLE_CONTENT",
	TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
	INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
	SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
	TIMEOUT: "GATEWAY_TIMEOUT",
} as const satisfies Record<WireCode, TRPC_ERROR_CODE_KEY>;

/** tRPC code → wire code, for errors tRPC raises itself (input parsing, unknown procedure, …). */
const wireCodeByTrpc: Partial<Record<TRPC_ERROR_CODE_KEY, WireCode>> = {
	PARSE_ERROR: "BAD_REQUEST",
	BAD_REQUEST: "BAD_REQUEST",
	UNAUTHORIZED: "NOT_AUTHENTICATED",
	FORBIDDEN: "NOT_AUTHORIZED",
	NOT_FOUND: "NOT_FOUND",
	METHOD_NOT_SUPPORTED: "NOT_FOUND",
	PAYLOAD_TOO_LARGE: "CONTENT_TOO_LARGE",
	// A tRPC call whose content type tRPC cannot read (HTTP 415): the request is at fault, not the server.
	UNSUPPORTED_MEDIA_TYPE: "BAD_REQUEST",
	UNPROCESSABLE_CONTENT: "UNPROCESSABLE_ENTITY",
	TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
	SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
	GATEWAY_TIMEOUT: "TIMEOUT",
	TIMEOUT: "TIMEOUT",
};

const messages: Record<WireCode, string> = {
	BAD_REQUEST: "Bad request",
	NOT_AUTHENTICATED: "Not authenticated",
	NOT_AUTHORIZED: "Not authorized",
	NOT_FOUND: "Not found",
	METHOD_NOT_ALLOWED: "Method not allowed",
	CONTENT_TOO_LARGE: "Request body is too large",
	UNPROCESSABLE_ENTITY: "Unprocessable entity",
	TOO_MANY_REQUESTS: "Too many requests",
	INTERNAL_SERVER_ERROR: "Internal server error",
	SERVICE_UNAVAILABLE: "Service unavailable",
	TIMEOUT: "Timeout",
};

/** A failure with a wire code, thrown by procedures and by the HTTP layer alike. */
export class AppError extends TRPCError {
	readonly wireCode: WireCode;
	readonly tag: string | undefined;
	readonly field: string | undefined;
	/** Seconds a client should wait before retrying (rate limiting). */
	readonly retryAfter: number | undefined;
	/** The methods the route does take, for a `405`'s `Allow` header. */
	readonly allow: string | undefined;

	constructor(options: {
		readonly code: WireCode;
		readonly message?: string;
		readonly tag?: string;
		readonly field?: string;
		readonly retryAfter?: number;
		readonly allow?: string;
		readonly cause?: unknown;
	}) {
		super({
			code: trpcCodes[options.code],
			message: options.message ?? messages[options.code],
			cause: options.cause,
		});
		this.wireCode = options.code;
		this.tag = options.tag;
		this.field = options.field;
		this.retryAfter = options.retryAfter;
		this.allow = options.allow;
	}
}

type TaggedTag = keyof typeof errorTable;

const isTaggedError = (error: unknown): error is { readonly _tag: TaggedTag; readonly message: string } =>
	typeof error === "object" &&
	error !== null &&
	"_tag" in error &&
	typeof error._tag === "string" &&
	Object.hasOwn(errorTable, error._tag);

/** A core typed error as an `AppError`. Storage failures keep their driver detail out of the message. */
export const fromTaggedError = (error: { readonly _tag: string; readonly message: string }): AppError => {
	if (!isTaggedError(error)) {
		return new AppError({ code: "INTERNAL_SERVER_ERROR", cause: error });
	}
	const row = errorTable[error._tag];
	const field = "field" in error && typeof error.field === "string" ? error.field : undefined;
	const message = publicMessage(error as ReportError);
	return new AppError({
		code: row.code,
		message,
		tag: error._tag,
		...(field === undefined ? {} : { field }),
		cause: error,
	});
};

/**
 * A zod failure in core's words (`take must be at most 100`), naming the field: the one phraser, shared with the
 * reports' own input validation. `input` is the value that was parsed, when known.
 */
export const describeZodError = (
	error: ZodError,
	input?: { readonly value: unknown },
): { message: string; field: string | undefined } => {
	const { message, field } = describeZodIssues(error.issues, input);
	return { message, field };
};

const findZodError = (error: unknown): ZodError | undefined => {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
		if (current instanceof ZodError) return current;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
};

/** Any thrown value as the `{status, code, message}` a client sees. Unknown failures never leak their detail. */
export const toWireError = (error: unknown): WireError => {
	if (error instanceof AppError) {
		return {
			status: statusOfCode[error.wireCode],
			code: error.wireCode,
			message: error.message,
			...(error.tag === undefined ? {} : { tag: error.tag }),
			...(error.field === undefined ? {} : { field: error.field }),
		};
	}
	if (isTaggedError(error)) return toWireError(fromTaggedError(error));
	const zodError = findZodError(error);
	if (zodError !== undefined) {
		const { message, field } = describeZodError(zodError);
		return {
			status: statusOfCode.BAD_REQUEST,
			code: "BAD_REQUEST",
			message,
			tag: "InvalidInput",
			...(field ? { field } : {}),
		};
	}
	if (error instanceof TRPCError) {
		const code = wireCodeByTrpc[error.code] ?? "INTERNAL_SERVER_ERROR";
		const message = code === "INTERNAL_SERVER_ERROR" ? messages[code] : error.message || messages[code];
		return { status: statusOfCode[code], code, message };
	}
	return {
		status: statusOfCode.INTERNAL_SERVER_ERROR,
		code: "INTERNAL_SERVER_ERROR",
		message: messages.INTERNAL_SERVER_ERROR,
	};
};
