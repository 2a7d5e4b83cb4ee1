import type { ErrorCode } from "./errors.ts";
import type { ReportCatalog } from "./generated/reports.ts";

/** Every report ID this client knows, e.g. `"clr3m5n8k000008jq7h9e5b1a"` (Total Ratings). */
export type ReportId = keyof ReportCatalog;

/** What a report accepts: fields with a server-side default are optional. */
export type ReportInput<Id extends ReportId> = ReportCatalog[Id]["input"];

/** What a report returns, as JSON. */
export type ReportOutput<Id extends ReportId> = ReportCatalog[Id]["output"];

/** The client method that runs a report, e.g. `"totalRatings"`. */
export type ReportMethodName = ReportCatalog[ReportId]["method"];

/** The report ID behind a method name. */
export type ReportIdOfMethod<Method extends ReportMethodName> = {
	[Id in ReportId]: ReportCatalog[Id]["method"] extends Method ? Id : never;
}[ReportId];

/** Why one report of a `generate` call failed; the other reports are unaffected. */
export interface ReportFailure {
	readonly code: ErrorCode;
	readonly message: string;
	/** The server's typed error, e.g. `InvalidInput` (tRPC transport only). */
	readonly tag?: string;
	/** The input field at fault, e.g. `periodDays`, when the server names one (tRPC transport only). */
	readonly field?: string;
}

/**
 * One entry of a `generate` result, discriminated by `ok`:
 * `{ ok: true, data }` with the report's output, or `{ ok: false, error: { code, message } }`.
 */
export type ReportResult<Id extends ReportId> =
	| { readonly ok: true; readonly data: ReportOutput<Id> }
	| { readonly ok: false; readonly error: ReportFailure };

/** The argument of `generate`: report ID → that report's input. */
export type GenerateRequest<Ids extends ReportId = ReportId> = { readonly [Id in Ids]: ReportInput<Id> };

/** The result of `generate`: exactly the requested IDs, each typed by its report. */
export type GenerateResponse<Ids extends ReportId> = { readonly [Id in Ids]: ReportResult<Id> };

export interface RequestOptions {
	/** Aborts the request; the returned promise then rejects with the signal's reason. */
	readonly signal?: AbortSignal;
}

/** A report as the server describes it (`list()`). */
export interface ReportListItem {
	/** A `ReportId` for the reports this client was built with; a newer server may list more. */
	readonly id: string;
	readonly name: string;
	readonly description: string;
	/** Epoch milliseconds. */
	readonly createdAt: number;
	/** Epoch milliseconds. */
	readonly updatedAt: number;
	readonly meta: {
		readonly category?: string;
		/** JSON Schema of the input. */
		readonly inputSchema?: unknown;
		/** JSON Schema of the output. */
		readonly outputSchema?: unknown;
		readonly [key: string]: unknown;
	};
}

export interface ListOptions extends RequestOptions {
	/** At most this many items. */
	readonly take?: number;
	readonly order?: "asc" | "desc";
	/** The `cursor` of a previous page. */
	readonly cursor?: string;
}

export interface ReportList {
	readonly items: ReadonlyArray<ReportListItem>;
	/** Present when more items remain; pass it back as `cursor`. */
	readonly cursor?: string;
}

/** Which conversations `conversations()` lists: created in `[start, end)`, newest first. */
export interface ConversationsQuery extends RequestOptions {
	/** ISO-8601 instant with an offset, or a `Date`. */
	readonly start: string | Date;
	readonly end: string | Date;
	readonly botId?: string;
	readonly contactId?: string;
	/** Only conversations with at least one thumbs up (`up`) or down (`down`). */
	readonly rating?: "up" | "down";
	/** 1–100, default 25. */
	readonly take?: number;
	/** The `cursor` of the previous page. */
	readonly cursor?: string;
}

export interface ConversationItem {
	readonly id: string;
	readonly botId: string | null;
	readonly contactId: string | null;
	/** ISO-8601 instant. */
	readonly createdAt: string;
	readonly userMessages: number;
	readonly botMessages: number;
	readonly activityMessages: number;
	readonly tokens: number;
	readonly thumbsUp: number;
	readonly thumbsDown: number;
}

export interface ConversationsPage {
	readonly items: ReadonlyArray<ConversationItem>;
	/** Present while more remain; pass it back as `cursor`. */
	readonly cursor?: string;
}

type ReportMethod<Id extends ReportId> =
	{} extends ReportInput<Id>
		? (input?: ReportInput<Id>, options?: RequestOptions) => Promise<ReportOutput<Id>>
		: (input: ReportInput<Id>, options?: RequestOptions) => Promise<ReportOutput<Id>>;

/** One method per report, named like the report: `totalRatings`, `botStats`, … */
export type ReportMethods = { readonly [Id in ReportId as ReportCatalog[Id]["method"]]: ReportMethod<Id> };

/** An alert webhook (contract §8.3) as the server lists it. */
export interface Webhook {
	readonly id: string;
	readonly url: string;
	/** Epoch milliseconds. */
	readonly createdAt: number;
}

/** A webhook just registered: the only answer that carries its signing secret. */
export interface CreatedWebhook extends Webhook {
	readonly secret: string;
}

/** One entry of a webhook's delivery log. `id` is also the event's `id` and its `Convolens-Delivery` header. */
export interface WebhookDelivery {
	readonly id: string;
	readonly event: "alert.raised";
	readonly status: "pending" | "delivered" | "failed";
	readonly attempts: number;
	readonly lastError: string | null;
	/** Epoch milliseconds. */
	readonly createdAt: number;
	readonly deliveredAt: number | null;
}

/** Alert webhooks, over the client's transport (REST routes or tRPC procedures); needs the `webhooks:write` scope. */
export interface WebhookMethods {
	/** Registers `url`; the answer's `secret` (shown once) verifies each delivery's `Convolens-Signature`. */
	create(input: { readonly url: string }, options?: RequestOptions): Promise<CreatedWebhook>;
	list(options?: RequestOptions): Promise<ReadonlyArray<Webhook>>;
	/** Deletes the webhook and its delivery log; `NOT_FOUND` when the account has no such webhook. */
	delete(id: string, options?: RequestOptions): Promise<void>;
	/** The webhook's newest deliveries, newest first. */
	deliveries(id: string, options?: RequestOptions): Promise<ReadonlyArray<WebhookDelivery>>;
}

export interface ConvolensClient extends ReportMethods {
	/** Alert webhooks (contract §8.3). */
	readonly webhooks: WebhookMethods;
	/** The reports the server offers, with their input and output JSON Schemas. */
	list(options?: ListOptions): Promise<ReportList>;
	/** Drill-down: the conversations behind a chart point, a page at a time. */
	conversations(query: ConversationsQuery): Promise<ConversationsPage>;
	/**
	 * Runs several reports at once. The result has exactly the requested IDs; each is a `ReportResult`, so one
	 * failing report never hides the others. Throws `ConvolensError` only when the whole request fails
	 * (authentication, a malformed batch, the network).
	 */
	generate<Ids extends ReportId>(
		requests: { readonly [Id in Ids]: ReportInput<Id> },
		options?: RequestOptions,
	): Promise<GenerateResponse<Ids>>;
	/**
	 * A live `generate`: the result at once, then again each time the account's data changes (at most once a
	 * second), until `options.signal` aborts or the loop breaks. Typed exactly like `generate`. Throws
	 * `ConvolensError` when the watch cannot open (e.g. `TOO_MANY_REQUESTS` past the account's open-watch limit)
	 * or the connection is lost.
	 */
	watch<Ids extends ReportId>(
		requests: { readonly [Id in Ids]: ReportInput<Id> },
		options?: RequestOptions,
	): AsyncIterable<GenerateResponse<Ids>>;
	/**
	 * One report as a CSV file (RFC 4180 text with a header row), the same values as its JSON output; always over
	 * the REST contract, whichever transport runs the reports. Throws `ConvolensError` as the report method would.
	 */
	exportCsv<Id extends ReportId>(reportId: Id, ...args: ExportCsvArguments<Id>): Promise<string>;
}

type ExportCsvArguments<Id extends ReportId> =
	{} extends ReportInput<Id>
		? [input?: ReportInput<Id>, options?: RequestOptions]
		: [input: ReportInput<Id>, options?: RequestOptions];
