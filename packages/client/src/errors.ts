import { serverErrorCodes, serverStatusOfCode } from "./generated/errors.ts";

/**
 * Codes a Convolens server puts in every error body (`{"message", "code"}`, generated from the server's table), plus
 * `NETWORK_ERROR`, which the client raises itself when no response arrived at all.
 */
export const errorCodes = [...serverErrorCodes, "NETWORK_ERROR"] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The HTTP status each code travels with (`NETWORK_ERROR` has none, so 0). */
const statusOfCode: { readonly [Code in ErrorCode]: number } = { ...serverStatusOfCode, NETWORK_ERROR: 0 };

export function isErrorCode(value: unknown): value is ErrorCode {
	return typeof value === "string" && (errorCodes as ReadonlyArray<string>).includes(value);
}

const codeByStatus = new Map<number, ErrorCode>(serverErrorCodes.map((code) => [serverStatusOfCode[code], code]));

/** The code for a status when a body carries none we know (e.g. a proxy's 502 page). */
export function codeOfStatus(status: number): ErrorCode {
	// Statuses a proxy or gateway may answer with that no server code carries.
	if (status === 502) return "SERVICE_UNAVAILABLE";
	if (status === 408) return "TIMEOUT";
	return codeByStatus.get(status) ?? (status >= 400 && status < 500 ? "BAD_REQUEST" : "INTERNAL_SERVER_ERROR");
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
