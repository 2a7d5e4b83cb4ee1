/**
 * Codes a Convolens server puts in every error body (`{"message", "code"}`), plus `NETWORK_ERROR`, which the client
 * raises itself when no response arrived at all.
 */
export const errorCodes = [
	"BAD_REQUEST",
	"NOT_AUTHENTICATED",
	"NOT_AUTHORIZED",
	"NOT_FOUND",
	"METHOD_NOT_ALLOWED",
	"CONTENT_TOO_LARGE",
	"UNPROCESSABLE_ENTITY",
	"TOO_MANY_REQUESTS",
	"INTERNAL_SERVER_ERROR",
	"SERVICE_UNAVAILABLE",
	"TIMEOUT",
	"NETWORK_ERROR",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The HTTP status each code travels with (`NETWORK_ERROR` has none, so 0). */
export const statusOfCode: { readonly [Code in ErrorCode]: number } = {
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
	NETWORK_ERROR: 0,
};

export function isErrorCode(value: unknown): value is ErrorCode {
	return typeof value === "string" && (errorCodes as ReadonlyArray<string>).includes(value);
}

/** The code for a status when a body carries none we know (e.g. a proxy's 502 page). */
export function codeOfStatus(status: number): ErrorCode {
	switch (status) {
		case 400:
			return "BAD_REQUEST";
		case 401:
			return "NOT_AUTHENTICATED";
		case 403:
			return "NOT_AUTHORIZED";
		case 404:
			return "NOT_FOUND";
		case 405:
			return "METHOD_NOT_ALLOWED";
		case 413:
			return "CONTENT_TOO_LARGE";
		case 422:
			return "UNPROCESSABLE_ENTITY";
		case 429:
			return "TOO_MANY_REQUESTS";
		case 502:
		case 503:
			return "SERVICE_UNAVAILABLE";
		case 504:
		case 408:
			return "TIMEOUT";
		default:
			return status >= 400 && status < 500 ? "BAD_REQUEST" : "INTERNAL_SERVER_ERROR";
	}
}

/**
 * Every failure the client throws. Narrow with `instanceof` and a comparison on `code`, or with
 * `ConvolensError.is(error, "NOT_FOUND", ...)`, which also narrows `code` to the listed ones.
 */
export class ConvolensError extends Error {
	override readonly name = "ConvolensError";
	readonly code: ErrorCode;
	/** The HTTP status of the response, 0 when none arrived. */
	readonly status: number;
	/** The report the failure belongs to, when it came from one report's run. */
	readonly reportId: string | undefined;
	/** The server's typed error, e.g. `InvalidInput` or `ResourceNotFound` (tRPC transport only). */
	readonly tag: string | undefined;
	/** The input field at fault, e.g. `periodDays`, when the server names one (tRPC transport only). */
	readonly field: string | undefined;

	constructor(
		code: ErrorCode,
		message: string,
		options: {
			readonly status?: number;
			readonly reportId?: string;
			readonly tag?: string;
			readonly field?: string;
			readonly cause?: unknown;
		} = {},
	) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.code = code;
		this.status = options.status ?? statusOfCode[code];
		this.reportId = options.reportId;
		this.tag = options.tag;
		this.field = options.field;
	}

	/** Whether `value` is a `ConvolensError`, and (when codes are given) one of those codes. */
	static is(value: unknown): value is ConvolensError;
	static is<const Code extends ErrorCode>(
		value: unknown,
		...codes: [Code, ...Array<Code>]
	): value is ConvolensError & { readonly code: Code };
	static is(value: unknown, ...codes: Array<ErrorCode>): boolean {
		return value instanceof ConvolensError && (codes.length === 0 || codes.includes(value.code));
	}
}
