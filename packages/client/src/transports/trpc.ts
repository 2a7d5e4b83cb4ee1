import { createTRPCUntypedClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { ConvolensError, codeOfStatus, isErrorCode } from "../errors.ts";
import type { ConversationsPage, CreatedWebhook, ReportListItem, Webhook, WebhookDelivery } from "../types.ts";
import {
	completeResults,
	conversationsInput,
	eventStream,
	networkError,
	type Transport,
	type TransportConfig,
	type WireResult,
} from "./transport.ts";

/** What the server's tRPC error formatter adds to `error.data` (see the api app's `AppErrorData`). */
interface ErrorData {
	readonly wireCode?: unknown;
	readonly tag?: unknown;
	readonly field?: unknown;
	readonly httpStatus?: unknown;
}

/** A tRPC failure as a `ConvolensError`, keeping the typed error's code, tag and field. */
function fromTrpcError(error: unknown, signal: AbortSignal | undefined, reportId?: string): unknown {
	if (!(error instanceof TRPCClientError)) return error;
	const data = (error.data ?? undefined) as ErrorData | undefined;
	if (data === undefined) {
		// No error body: the request never reached the procedure (connection refused, aborted, a proxy's page).
		const status = (error.meta?.response as { status?: unknown } | undefined)?.status;
		if (typeof status === "number" && status >= 400) {
			return new ConvolensError(codeOfStatus(status), `The server answered HTTP ${status}`, {
				status,
				...(reportId === undefined ? {} : { reportId }),
				cause: error,
			});
		}
		return networkError(error.cause ?? error, signal);
	}
	const status = typeof data.httpStatus === "number" ? data.httpStatus : undefined;
	const code = isErrorCode(data.wireCode) ? data.wireCode : codeOfStatus(status ?? 500);
	return new ConvolensError(code, error.message, {
		...(status === undefined ? {} : { status }),
		...(reportId === undefined ? {} : { reportId }),
		...(typeof data.tag === "string" ? { tag: data.tag } : {}),
		...(typeof data.field === "string" ? { field: data.field } : {}),
		cause: error,
	});
}

/** A batch entry as the server's `reports.generate` returns it: `{ ok: true, data }` or `{ ok: false, error }`. */
function wireResultOf(value: unknown): WireResult | undefined {
	if (typeof value !== "object" || value === null || !("ok" in value)) return undefined;
	const tagged = value as { ok: unknown; data?: unknown; error?: unknown };
	if (tagged.ok === true) return { ok: true, data: tagged.data };
	const failure = tagged.error as { code?: unknown; message?: unknown; tag?: unknown; field?: unknown } | undefined;
	return {
		ok: false,
		error: {
			code: isErrorCode(failure?.code) ? failure.code : "INTERNAL_SERVER_ERROR",
			message: typeof failure?.message === "string" ? failure.message : "The report failed",
			...(typeof failure?.tag === "string" ? { tag: failure.tag } : {}),
			...(typeof failure?.field === "string" ? { field: failure.field } : {}),
		},
	};
}

/**
 * The server's tRPC router at `/trpc`, through `@trpc/client`'s batching link: calls made in the same tick
 * (e.g. under `Promise.all`) share one HTTP request.
 */
export function trpcTransport(config: TransportConfig): Transport {
	const trpc = createTRPCUntypedClient<AnyRouter>({
		links: [
			httpBatchLink({
				url: `${config.baseUrl}/trpc`,
				headers: () => ({ ...config.headers }),
				fetch: config.fetch,
				// Batches of report inputs outgrow a URL quickly; the server accepts queries as POST.
				methodOverride: "POST",
				// The server refuses a batch of more than 50 calls; more are sent as several batches.
				maxItems: 50,
			}),
		],
	});

	async function call(path: string, input: unknown, signal: AbortSignal | undefined, reportId?: string) {
		try {
			return await trpc.query(path, input, signal === undefined ? {} : { signal });
		} catch (error) {
			throw fromTrpcError(error, signal, reportId);
		}
	}

	async function mutate(path: string, input: unknown, signal: AbortSignal | undefined) {
		try {
			return await trpc.mutation(path, input, signal === undefined ? {} : { signal });
		} catch (error) {
			throw fromTrpcError(error, signal);
		}
	}

	return {
		list: async (options) => {
			const input = {
				...(options.take === undefined ? {} : { take: options.take }),
				...(options.order === undefined ? {} : { order: options.order }),
				...(options.cursor === undefined ? {} : { cursor: options.cursor }),
			};
			const body = (await call("reports.list", input, options.signal)) as {
				items: ReadonlyArray<ReportListItem>;
				cursor?: string;
			};
			return body.cursor === undefined ? { items: body.items } : { items: body.items, cursor: body.cursor };
		},

		generate: async (requests, options) => {
			const body = (await call("reports.generate", requests, options.signal)) as Record<string, unknown>;
			return completeResults(Object.keys(requests), (id) =>
				Object.hasOwn(body, id) ? wireResultOf(body[id]) : undefined,
			);
		},

		run: (report, input, options) => call(`reports.${report.method}`, input, options.signal, report.id),

		// tRPC's SSE protocol (what `httpSubscriptionLink` reads), spoken over `fetch` so the token goes in a header.
		watch: async function* (requests, options) {
			const url = `${config.baseUrl}/trpc/reports.watch?input=${encodeURIComponent(JSON.stringify(requests))}`;
			for await (const event of eventStream(config, url, { method: "GET" }, options)) {
				if (event.event === "return") return;
				if (event.event === "serialized-error") throw fromSerializedError(JSON.parse(event.data));
				if (event.event !== "message") continue;
				const body = JSON.parse(event.data) as Record<string, unknown>;
				yield completeResults(Object.keys(requests), (id) =>
					Object.hasOwn(body, id) ? wireResultOf(body[id]) : undefined,
				);
			}
		},

		conversations: async (query) =>
			(await call("conversations.list", conversationsInput(query), query.signal)) as ConversationsPage,

		webhooks: {
			create: async (input, options = {}) =>
				(await mutate("webhooks.create", { url: input.url }, options.signal)) as CreatedWebhook,
			list: async (options = {}) =>
				((await call("webhooks.list", undefined, options.signal)) as { items: ReadonlyArray<Webhook> }).items,
			delete: async (id, options = {}) => {
				await mutate("webhooks.delete", { id }, options.signal);
			},
			deliveries: async (id, options = {}) =>
				((await call("webhooks.deliveries", { id }, options.signal)) as { items: ReadonlyArray<WebhookDelivery> })
					.items,
		},
	};
}

/** A subscription's `serialized-error` event (tRPC's error shape) as a `ConvolensError`. */
function fromSerializedError(shape: { message?: unknown; data?: ErrorData }): ConvolensError {
	const status = typeof shape.data?.httpStatus === "number" ? shape.data.httpStatus : 500;
	const code = isErrorCode(shape.data?.wireCode) ? shape.data.wireCode : codeOfStatus(status);
	return new ConvolensError(code, typeof shape.message === "string" ? shape.message : "The live report failed", {
		status,
		...(typeof shape.data?.tag === "string" ? { tag: shape.data.tag } : {}),
		...(typeof shape.data?.field === "string" ? { field: shape.data.field } : {}),
	});
}
