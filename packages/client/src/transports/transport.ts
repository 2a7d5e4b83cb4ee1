import { ConvolensError, codeOfStatus, isErrorCode } from "../errors.ts";
import type {
	ConversationsPage,
	ConversationsQuery,
	ListOptions,
	ReportFailure,
	ReportList,
	RequestOptions,
	WebhookMethods,
} from "../types.ts";
import { readEventStream, type ServerSentEvent } from "./event-stream.ts";

/** A report the transport runs: its ID (REST path) and its method name (tRPC procedure). */
export interface ReportRef {
	readonly id: string;
	readonly method: string;
}

export type WireResult =
	| { readonly ok: true; readonly data: unknown }
	| { readonly ok: false; readonly error: ReportFailure };

/** How the client reaches a server. Both implementations turn every failure into a `ConvolensError`. */
export interface Transport {
	readonly list: (options: ListOptions) => Promise<ReportList>;
	readonly generate: (
		requests: Readonly<Record<string, unknown>>,
		options: RequestOptions,
	) => Promise<Record<string, WireResult>>;
	readonly run: (report: ReportRef, input: unknown, options: RequestOptions) => Promise<unknown>;
	readonly conversations: (query: ConversationsQuery) => Promise<ConversationsPage>;
	readonly watch: (
		requests: Readonly<Record<string, unknown>>,
		options: RequestOptions,
	) => AsyncIterable<Record<string, WireResult>>;
	/** Alert webhooks (contract §8.3): the REST routes, or the `webhooks.*` procedures. */
	readonly webhooks: WebhookMethods;
}

/** A drill-down query as the server reads it: instants as ISO text, no request options, nothing undefined. */
export function conversationsInput(query: ConversationsQuery): Record<string, string | number> {
	const input: Record<string, string | number> = {
		start: query.start instanceof Date ? query.start.toISOString() : query.start,
		end: query.end instanceof Date ? query.end.toISOString() : query.end,
	};
	for (const key of ["botId", "contactId", "rating", "take", "cursor"] as const) {
		const value = query[key];
		if (value !== undefined) input[key] = value;
	}
	return input;
}

export interface TransportConfig {
	/** Server origin with an optional base path, without a trailing slash. */
	readonly baseUrl: string;
	readonly headers: Readonly<Record<string, string>>;
	readonly fetch: typeof globalThis.fetch;
}

/** A batch entry that failed, in the REST wire shape `{"error": "<message>", "code": "<CODE>"}`. */
export function isWireFailure(value: unknown): value is { readonly error: string; readonly code: string } {
	return (
		typeof value === "object" &&
		value !== null &&
		typeof (value as { error?: unknown }).error === "string" &&
		typeof (value as { code?: unknown }).code === "string"
	);
}

export function failureOf(wire: { readonly error: string; readonly code: string }): ReportFailure {
	return { code: isErrorCode(wire.code) ? wire.code : "INTERNAL_SERVER_ERROR", message: wire.error };
}

/** The error a rejected `fetch` becomes: the caller's abort reason as is, anything else `NETWORK_ERROR`. */
export function networkError(cause: unknown, signal: AbortSignal | undefined): unknown {
	if (signal?.aborted) return signal.reason;
	const detail = cause instanceof Error ? `: ${cause.message}` : "";
	return new ConvolensError("NETWORK_ERROR", `Could not reach the Convolens server${detail}`, { cause });
}

/** A `ConvolensError` from an error response, trusting its `code` only when it is one we know. */
export function responseError(status: number, body: unknown, reportId?: string): ConvolensError {
	const code = typeof body === "object" && body !== null ? (body as { code?: unknown }).code : undefined;
	const message = typeof body === "object" && body !== null ? (body as { message?: unknown }).message : undefined;
	return new ConvolensError(
		isErrorCode(code) ? code : codeOfStatus(status),
		typeof message === "string" && message.length > 0 ? message : `The server answered HTTP ${status}`,
		reportId === undefined ? { status } : { status, reportId },
	);
}

/** Every requested ID with its result; an ID the server left out (or answered unreadably) becomes a failure, not a hole. */
export function completeResults(
	requestedIds: ReadonlyArray<string>,
	resultOf: (id: string) => WireResult | undefined,
): Record<string, WireResult> {
	const results: Record<string, WireResult> = {};
	for (const id of requestedIds) {
		results[id] = resultOf(id) ?? {
			ok: false,
			error: { code: "INTERNAL_SERVER_ERROR", message: "The server returned no usable result for this report" },
		};
	}
	return results;
}

/**
 * Opens an event stream and yields its events until the server ends it, the caller's signal aborts (the iteration
 * then ends quietly) or the loop breaks (the request is cancelled). A refusal before the stream starts throws its
 * `ConvolensError`, like any other call.
 */
export async function* eventStream(
	config: TransportConfig,
	url: string,
	init: { readonly method: "GET" | "POST"; readonly headers?: Record<string, string>; readonly body?: string },
	options: RequestOptions,
): AsyncGenerator<ServerSentEvent> {
	const abort = new AbortController();
	const onAbort = () => abort.abort(options.signal?.reason);
	if (options.signal?.aborted) return;
	options.signal?.addEventListener("abort", onAbort, { once: true });
	try {
		let response: Response;
		try {
			response = await config.fetch(url, {
				method: init.method,
				headers: { ...config.headers, ...init.headers, accept: "text/event-stream" },
				...(init.body === undefined ? {} : { body: init.body }),
				signal: abort.signal,
			});
		} catch (cause) {
			if (options.signal?.aborted) return;
			throw networkError(cause, undefined);
		}
		if (!response.ok || response.body === null) {
			const text = await response.text().catch(() => "");
			let body: unknown;
			try {
				body = JSON.parse(text);
			} catch {
				body = undefined;
			}
			throw responseError(response.ok ? 502 : response.status, body);
		}
		try {
			yield* readEventStream(response.body);
		} catch (cause) {
			if (options.signal?.aborted) return;
			throw networkError(cause, undefined);
		}
	} finally {
		options.signal?.removeEventListener("abort", onAbort);
		abort.abort();
	}
}
