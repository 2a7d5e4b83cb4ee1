import type { ConversationsPage, ListOptions, RequestOptions, WebhookMethods } from "../types.ts";
import {
	completeResults,
	conversationsInput,
	eventStream,
	failureOf,
	isWireFailure,
	networkError,
	type ReportRef,
	responseError,
	type Transport,
	type TransportConfig,
} from "./transport.ts";

/**
 * The REST contract (`/api/v1/platform/report/...`), as spoken by every Convolens-compatible server, including the
 * routes the ChatBotKit SDK's `PlatformReportClient` calls.
 */
/** The REST transport also exports a report as CSV, which only the REST contract offers (contract §8.2). */
export interface RestTransport extends Transport {
	/** The report's CSV file as text; an error answer throws a `ConvolensError` like any other call. */
	readonly csv: (report: ReportRef, input: unknown, options: RequestOptions) => Promise<string>;
}

export function restTransport(config: TransportConfig): RestTransport {
	const reportsUrl = `${config.baseUrl}/api/v1/platform/report`;

	/** One HTTP exchange; an error answer (JSON `{message, code}`, or anything else) becomes a `ConvolensError`. */
	async function exchange(
		method: "GET" | "POST" | "DELETE",
		url: string,
		body: unknown,
		options: RequestOptions,
		accept: string,
		reportId?: string,
	): Promise<{ response: Response; text: string }> {
		let response: Response;
		try {
			response = await config.fetch(url, {
				method,
				headers: {
					...config.headers,
					accept,
					...(body === undefined ? {} : { "content-type": "application/json" }),
				},
				...(body === undefined ? {} : { body: JSON.stringify(body) }),
				...(options.signal === undefined ? {} : { signal: options.signal }),
			});
		} catch (cause) {
			throw networkError(cause, options.signal);
		}
		const text = await response.text().catch((cause: unknown) => {
			throw networkError(cause, options.signal);
		});
		if (!response.ok) {
			let parsed: unknown;
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = undefined;
			}
			throw responseError(response.status, parsed, reportId);
		}
		return { response, text };
	}

	async function request(
		method: "GET" | "POST" | "DELETE",
		url: string,
		body: unknown,
		options: RequestOptions,
		reportId?: string,
	): Promise<unknown> {
		const { text } = await exchange(method, url, body, options, "application/json", reportId);
		try {
			return text.length === 0 ? undefined : JSON.parse(text);
		} catch {
			throw responseError(502, { message: "The server answered with a body that is not JSON" });
		}
	}

	const webhooksUrl = `${config.baseUrl}/api/v1/webhooks`;
	const webhookUrl = (id: string) => `${webhooksUrl}/${encodeURIComponent(id)}`;
	const webhooks: WebhookMethods = {
		create: async (input, options = {}) =>
			(await request("POST", webhooksUrl, { url: input.url }, options)) as Awaited<
				ReturnType<WebhookMethods["create"]>
			>,
		list: async (options = {}) =>
			(
				(await request("GET", webhooksUrl, undefined, options)) as {
					items: Awaited<ReturnType<WebhookMethods["list"]>>;
				}
			).items,
		delete: async (id, options = {}) => {
			await request("DELETE", webhookUrl(id), undefined, options);
		},
		deliveries: async (id, options = {}) =>
			(
				(await request("GET", `${webhookUrl(id)}/deliveries`, undefined, options)) as {
					items: Awaited<ReturnType<WebhookMethods["deliveries"]>>;
				}
			).items,
	};

	return {
		webhooks,
		list: async (options: ListOptions) => {
			const query = new URLSearchParams();
			if (options.take !== undefined) query.set("take", String(options.take));
			if (options.order !== undefined) query.set("order", options.order);
			if (options.cursor !== undefined) query.set("cursor", options.cursor);
			const search = query.size > 0 ? `?${query}` : "";
			const body = (await request("GET", `${reportsUrl}/list${search}`, undefined, options)) as {
				items: [];
				cursor?: string;
			};
			return body.cursor === undefined ? { items: body.items } : { items: body.items, cursor: body.cursor };
		},

		generate: async (requests, options) => {
			const body = (await request("POST", `${reportsUrl}/generate`, requests, options)) as Record<string, unknown>;
			return resultsOf(Object.keys(requests), body);
		},

		watch: async function* (requests, options) {
			const events = eventStream(
				config,
				`${reportsUrl}/generate`,
				{ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(requests) },
				options,
			);
			for await (const event of events) {
				const body = JSON.parse(event.data) as Record<string, unknown>;
				if (event.event === "error") throw responseError(500, body);
				if (event.event !== "result") continue;
				yield resultsOf(Object.keys(requests), body);
			}
		},

		run: (report: ReportRef, input, options) =>
			request("POST", `${reportsUrl}/${encodeURIComponent(report.id)}/generate`, input ?? {}, options, report.id),

		csv: async (report: ReportRef, input, options) => {
			const url = `${reportsUrl}/${encodeURIComponent(report.id)}/generate`;
			const { response, text } = await exchange("POST", url, input ?? {}, options, "text/csv", report.id);
			if (!(response.headers.get("content-type") ?? "").toLowerCase().startsWith("text/csv")) {
				throw responseError(502, { message: "The server answered a CSV export with something that is not CSV" });
			}
			return text;
		},

		conversations: async (query) => {
			const search = new URLSearchParams(
				Object.entries(conversationsInput(query)).map(([key, value]): [string, string] => [key, String(value)]),
			);
			return (await request(
				"GET",
				`${config.baseUrl}/api/v1/conversations?${search}`,
				undefined,
				query,
			)) as ConversationsPage;
		},
	};
}

/** A REST batch answer (each key its output or `{error, code}`) as one result per requested ID. */
function resultsOf(requestedIds: ReadonlyArray<string>, body: Record<string, unknown>) {
	return completeResults(requestedIds, (id) => {
		if (!Object.hasOwn(body, id)) return undefined;
		const value = body[id];
		return isWireFailure(value) ? { ok: false, error: failureOf(value) } : { ok: true, data: value };
	});
}
