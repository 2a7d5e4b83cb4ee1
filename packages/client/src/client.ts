import { reportDescriptors } from "./generated/reports.ts";
import { restTransport } from "./transports/rest.ts";
import type { ReportRef, Transport, TransportConfig } from "./transports/transport.ts";
import { trpcTransport } from "./transports/trpc.ts";
import type { ConversationsQuery, ConvolensClient, ListOptions, RequestOptions } from "./types.ts";

export interface ClientOptions {
	/** The server's origin, e.g. `http://localhost:3000` (a base path is kept: `https://host/convolens`). */
	readonly url: string;
	/** An API token with the `reports:read` scope (and `webhooks:write` for `webhooks`). */
	readonly token: string;
	/** IANA timezone (sent as `X-Timezone`) for every report whose input names none. */
	readonly timezone?: string;
	/** `"trpc"` (default) speaks the server's tRPC router at `/trpc`; `"rest"` the `/api/v1` REST contract. */
	readonly transport?: "trpc" | "rest";
	/** A `fetch` to use instead of the global one (a proxy agent, a test double, a framework's fetch). */
	readonly fetch?: typeof globalThis.fetch;
	/** Extra headers sent with every request. */
	readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A typed client for a Convolens server: `list()`, `generate({ [id]: input })` and one method per report.
 * Every failure is thrown (or, inside `generate`, returned) with a `ConvolensError` code.
 */
export function createClient(options: ClientOptions): ConvolensClient {
	if (typeof options.url !== "string" || !/^https?:\/\//.test(options.url)) {
		throw new TypeError("createClient: `url` must be an http(s) URL, e.g. http://localhost:3000");
	}
	if (typeof options.token !== "string" || options.token.length === 0) {
		throw new TypeError("createClient: `token` must be a non-empty API token");
	}
	const transportName = options.transport ?? "trpc";
	if (transportName !== "trpc" && transportName !== "rest") {
		throw new TypeError('createClient: `transport` must be "trpc" or "rest"');
	}
	const fetch = options.fetch ?? globalThis.fetch;
	if (typeof fetch !== "function") {
		throw new TypeError("createClient: no global fetch; pass `fetch`");
	}
	const config: TransportConfig = {
		baseUrl: options.url.replace(/\/+$/, ""),
		headers: {
			...options.headers,
			authorization: `Bearer ${options.token}`,
			...(options.timezone === undefined ? {} : { "x-timezone": options.timezone }),
		},
		// Called as a plain function: a browser's `fetch` called as a method of another object throws "Illegal
		// invocation".
		fetch: (input, init) => fetch(input, init),
	};
	const rest = restTransport(config);
	const transport: Transport = transportName === "rest" ? rest : trpcTransport(config);
	const reportById = new Map<string, ReportRef>(reportDescriptors.map((report) => [report.id, report]));

	const client: Record<string, unknown> = {
		webhooks: transport.webhooks,
		list: (listOptions: ListOptions = {}) => transport.list(listOptions),
		conversations: (query: ConversationsQuery) => transport.conversations(query),
		generate: (requests: Readonly<Record<string, unknown>>, requestOptions: RequestOptions = {}) =>
			transport.generate(requests, requestOptions),
		watch: (requests: Readonly<Record<string, unknown>>, requestOptions: RequestOptions = {}) =>
			transport.watch(requests, requestOptions),
		// CSV is a REST answer only, so it goes over REST whichever transport runs the reports.
		exportCsv: (reportId: string, input?: unknown, requestOptions: RequestOptions = {}) =>
			rest.csv(reportById.get(reportId) ?? { id: reportId, method: reportId }, input ?? {}, requestOptions),
	};
	for (const report of reportDescriptors) {
		client[report.method] = (input?: unknown, requestOptions: RequestOptions = {}) =>
			transport.run(report, input ?? {}, requestOptions);
	}
	return client as unknown as ConvolensClient;
}
