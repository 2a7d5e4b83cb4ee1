import { Clock, Effect, Exit, Layer, type Tracer } from "effect";
import { FetchHttpClient } from "effect/http";
import { OtlpSerialization, OtlpTracer } from "effect/observability";
import type { AppRuntime } from "./runtime.ts";

/**
 * OpenTelemetry traces over OTLP/HTTP (JSON) with effect's own exporter (contract §11). Merged into the runtime's
 * layer, it becomes the tracer of every program the runtime runs: each report program (`Effect.fn` spans such as
 * `Reports.totalRatings`), each repository call and each SQL statement (`db.query`, see `@convolens/db`). The
 * HTTP server opens one `http.request` span per request and parents the request's programs to it.
 */
export const tracingLayer = (options: {
	/** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL; traces go to `<endpoint>/v1/traces`. */
	readonly endpoint: string;
	readonly serviceName?: string;
	/** How often finished spans are sent; default 5 s. */
	readonly exportIntervalMs?: number;
}) =>
	OtlpTracer.layer({
		url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces`,
		resource: { serviceName: options.serviceName ?? "convolens" },
		exportInterval: options.exportIntervalMs ?? 5_000,
	}).pipe(Layer.provide(OtlpSerialization.layerJson), Layer.provide(FetchHttpClient.layer));

/**
 * The span of each request in flight, by the request's abort signal: `runProgram` runs a request's programs under
 * it, so they become its children without every call site passing it along.
 */
const requestSpans = new WeakMap<AbortSignal, { readonly span: Tracer.Span; accountId?: string }>();

/** Runs `program` as a child of its request's span, with the request's account on every span it makes. */
export const withinRequestSpan = <A, E, R>(
	program: Effect.Effect<A, E, R>,
	signal: AbortSignal | undefined,
): Effect.Effect<A, E, R> => {
	const request = signal === undefined ? undefined : requestSpans.get(signal);
	if (request === undefined) return program;
	const annotated =
		request.accountId === undefined
			? program
			: Effect.annotateSpans(program, "convolens.account_id", request.accountId);
	return Effect.withParentSpan(annotated, request.span);
};

/** Names the request's account once its token is known (an attribute of the request's span and its children). */
export const noteRequestAccount = (signal: AbortSignal, accountId: string) => {
	const request = requestSpans.get(signal);
	if (request === undefined) return;
	request.accountId = accountId;
	request.span.attribute("convolens.account_id", accountId);
};

/** Opens a request's span (a root: a server span starts its own trace) and ties it to the request's signal. */
export const openRequestSpan = async (
	runtime: AppRuntime,
	signal: AbortSignal,
	attributes: Record<string, unknown>,
): Promise<Tracer.Span> => {
	const span = await runtime.runPromise(Effect.makeSpan("http.request", { kind: "server", root: true, attributes }));
	requestSpans.set(signal, { span });
	return span;
};

export const endRequestSpan = (runtime: AppRuntime, span: Tracer.Span, status: number) => {
	span.attribute("http.response.status_code", status);
	void runtime.runPromise(
		Effect.map(Clock.currentTimeNanos, (now) =>
			span.end(now, status >= 500 ? Exit.fail(new Error(`HTTP ${status}`)) : Exit.void),
		),
	);
};
