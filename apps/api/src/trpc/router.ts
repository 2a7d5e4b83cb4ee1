import {
	type AnyReport,
	type BatchResult,
	type ConversationsInput,
	type ConversationsPage,
	generateBatch,
	generateReport,
	type IngestCollection,
	type itemSchemas,
	listConversations,
	type Principal,
	type ReportById,
	type ReportFailure,
	type ReportId,
	ReportIds,
	type ReportInput,
	type ReportName,
	type ReportOutput,
	reports,
	reportsById,
	runErase,
	runIngest,
} from "@convolens/core";
import {
	createWebhook,
	type DeliveryRow,
	deleteWebhook,
	listDeliveries,
	listWebhooks,
	type WebhookRow,
} from "@convolens/db";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { batchCost, reportCost } from "../http/work-limit.ts";
import { watchResults } from "../live/watch.ts";
import { runProgram } from "../runtime.ts";
import {
	checkWebhookUrl,
	DELIVERY_LOG_LIMIT,
	MAX_WEBHOOKS_PER_ACCOUNT,
	parseCreateWebhook,
	parseWebhookId,
} from "../webhooks/registration.ts";
import {
	type AppContext,
	ingestProcedure,
	reportsProcedure,
	router,
	webhooksProcedure,
	withinWorkLimit,
} from "./init.ts";

/** The most reports one batch request may ask for. */
export const MAX_BATCH_REPORTS = 50;

/** One entry of the report catalogue, as `reports.list` and `GET /api/v1/platform/report/list` return it. */
export interface ReportListItem {
	readonly id: string;
	readonly name: string;
	readonly description: string;
	/** Epoch milliseconds. */
	readonly createdAt: number;
	readonly updatedAt: number;
	readonly meta: {
		readonly category: string;
		readonly inputSchema: Record<string, unknown>;
		readonly outputSchema: Record<string, unknown>;
	};
}

const listItemOf = (report: AnyReport): ReportListItem => ({
	id: report.id,
	name: report.name,
	description: report.description,
	createdAt: report.createdAt,
	updatedAt: report.updatedAt,
	meta: { category: report.category, inputSchema: report.inputJsonSchema, outputSchema: report.outputJsonSchema },
});

export const listInput = z.object({
	take: z.coerce.number().int().min(1).max(100).optional().describe("Page size (1–100, default: all)"),
	order: z.enum(["asc", "desc"]).default("asc").describe("Catalogue order (asc) or its reverse (desc)"),
	cursor: z.string().min(1).optional().describe("The `cursor` of the previous page"),
});

export interface ReportListPage {
	readonly items: ReadonlyArray<ReportListItem>;
	/** Present when more items remain: pass it as `cursor` to get the next page. */
	readonly cursor?: string;
}

/** A failed report inside a batch: the same code and message the single-report call would have answered. */
export type ReportFailureData = ReportFailure;

/** One report's result in a batch: core's `BatchResult`, passed through as it is. */
export type ReportResult<Id extends ReportId> = BatchResult<ReportOutput<Id>>;

export type BatchInput = { readonly [Id in ReportId]?: ReportInput<Id> };
export type BatchOutput = { readonly [Id in ReportId]?: ReportResult<Id> };

/** The batch map: a JSON object of at most 50 report IDs; each input is validated by its own report. */
const parseBatchInput = (raw: unknown): BatchInput => {
	if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
		throw new AppError({ code: "BAD_REQUEST", message: "The batch must be an object of report ID → input" });
	}
	const size = Object.keys(raw).length;
	if (size > MAX_BATCH_REPORTS) {
		throw new AppError({
			code: "BAD_REQUEST",
			message: `A batch may request at most ${MAX_BATCH_REPORTS} reports (got ${size})`,
		});
	}
	return raw as BatchInput;
};

const contextOf = (ctx: AppContext & { readonly principal: { readonly accountId: string } }) => ({
	accountId: ctx.principal.accountId,
	...(ctx.timezone === undefined ? {} : { timezone: ctx.timezone }),
});

/** Types a procedure's input without validating it: the core program validates (and reports the field). */
const passThrough =
	<T>() =>
	(raw: unknown): T =>
		raw as T;

/**
 * A report's input schema as its procedure declares it, for tRPC tooling and OpenAPI generators, without tRPC
 * rejecting or reshaping anything by it: a failed parse yields the value as sent (`catch`), and the procedure hands
 * core the raw input anyway. Core parses once, with the rules that read the raw input (one window; an absent input
 * is `{}`), so REST, the batch and tRPC answer a bad input with the same words. Typed as the report's input (as the
 * pass-through parsers are): tRPC's inference does not see through a catch over a generic schema.
 */
const declaredInput = <R extends AnyReport>(report: R) =>
	// `context?.`: JSON Schema generation probes the catch with no context; answering `undefined` adds no default.
	z.catch(report.input as z.ZodType, (context) => context?.value) as unknown as (raw: unknown) => ReportInput<R["id"]>;

/**
 * One procedure per report, declaring the report's input and output schemas. The input is validated by core's
 * `generateReport` from the raw input (unknown keys ignored, messages naming the field and bound); the output is
 * checked by tRPC against the report's output schema.
 */
const reportProcedure = <R extends AnyReport>(report: R) =>
	reportsProcedure
		.use(async ({ getRawInput, next }) => next({ ctx: { rawInput: await getRawInput() } }))
		.input(declaredInput(report))
		.output(report.output as R["output"])
		.query(({ ctx }) =>
			withinWorkLimit(
				ctx,
				reportCost(ctx.rawInput),
				// Typed by the declared output schema (tRPC checks the value against it).
				() =>
					runProgram(
						ctx.runtime,
						generateReport(report.id, ctx.rawInput, contextOf(ctx)),
						ctx.signal,
					) as Promise<never>,
			),
		);

type ReportsContext = AppContext & { readonly principal: Principal };

/** One batch, within the account's work limit, in core's `{ok, data} | {ok, error}` shape. */
const runBatch = (ctx: ReportsContext, input: BatchInput): Promise<BatchOutput> =>
	withinWorkLimit(ctx, batchCost(input), () =>
		runProgram(ctx.runtime, generateBatch(input, contextOf(ctx)), ctx.signal),
	) as Promise<BatchOutput>;

/**
 * Opens a watch: takes one of the account's watch slots (429 when none is free) and returns the stream of results.
 * The slot is released when the stream ends, the client goes away or the server closes.
 */
const openWatch = async (
	ctx: ReportsContext,
	input: BatchInput,
	signal: AbortSignal | undefined,
): Promise<AsyncGenerator<BatchOutput, void, undefined>> => {
	const live = ctx.live;
	if (live === undefined) throw new AppError({ code: "NOT_FOUND", message: "Live reports are not enabled" });
	const accountId = ctx.principal.accountId;
	const slot = await live.limiter.open(accountId);
	if (slot === undefined) {
		throw new AppError({
			code: "TOO_MANY_REQUESTS",
			message: "This account has the most live reports open that it may; close one or retry later",
			retryAfter: 5,
		});
	}
	const ended = AbortSignal.any(
		[signal, ctx.signal, live.closing].filter((candidate): candidate is AbortSignal => candidate !== undefined),
	);
	ended.addEventListener("abort", () => void slot.release(), { once: true });
	const results = watchResults({
		accountId,
		feed: live.feed,
		readVersion: () => live.readVersion(accountId),
		// Each result is computed under the stream's own signal: the request's timeout does not apply to a stream.
		compute: () => runBatch({ ...ctx, signal: ended }, input),
		signal: ended,
		minIntervalMs: live.minIntervalMs,
		onError: live.onError,
	});
	return (async function* () {
		try {
			yield* results;
		} finally {
			await slot.release();
		}
	})();
};

/** An ingest request as a client writes it; each item is validated on the server and rejected alone. */
export type IngestRequest = {
	readonly [C in IngestCollection]?: ReadonlyArray<z.input<(typeof itemSchemas)[C]>>;
};
export type EraseRequestBody = { readonly [C in IngestCollection]?: ReadonlyArray<string> };

/** Each report under its procedure name: `ReportIds.TotalRatings` → `reports.totalRatings`. */
const reportsByProcedureName = Object.fromEntries(
	Object.entries(ReportIds).map(([name, id]) => [name.charAt(0).toLowerCase() + name.slice(1), reportsById[id]]),
) as { readonly [Name in ReportName as Uncapitalize<Name>]: ReportById<(typeof ReportIds)[Name]> };

type ReportsByProcedureName = typeof reportsByProcedureName;
type ReportProcedures = {
	readonly [Name in keyof ReportsByProcedureName]: ReturnType<typeof reportProcedure<ReportsByProcedureName[Name]>>;
};
const reportProcedures = Object.fromEntries(
	Object.entries(reportsByProcedureName).map(([name, report]) => [name, reportProcedure(report)]),
) as ReportProcedures;

const catalogue = reports.map(listItemOf);

export const appRouter = router({
	reports: router({
		list: reportsProcedure.input(listInput.optional()).query(({ input }): ReportListPage => {
			const { take, order, cursor } = listInput.parse(input ?? {});
			const ordered = order === "desc" ? [...catalogue].reverse() : catalogue;
			let start = 0;
			if (cursor !== undefined) {
				const index = ordered.findIndex((item) => item.id === cursor);
				if (index < 0) throw new AppError({ code: "BAD_REQUEST", message: "cursor: unknown cursor", field: "cursor" });
				start = index + 1;
			}
			const items = take === undefined ? ordered.slice(start) : ordered.slice(start, start + take);
			const last = items.at(-1);
			const more = start + items.length < ordered.length;
			return more && last !== undefined ? { items, cursor: last.id } : { items };
		}),
		generate: reportsProcedure
			.input(parseBatchInput)
			.query(({ ctx, input }): Promise<BatchOutput> => runBatch(ctx, input)),
		/**
		 * Live reports (contract §8.1): the batch's result at once, then again after each change to the account's
		 * data (at most once a second), over SSE. Refused with 429 past the account's open-watch limit.
		 */
		watch: reportsProcedure
			.input(parseBatchInput)
			.subscription(
				({ ctx, input, signal }): Promise<AsyncGenerator<BatchOutput, void, undefined>> =>
					openWatch(ctx, input, signal),
			),
		...reportProcedures,
	}),
	conversations: router({
		/** Drill-down: the conversations behind a chart point (contract §8.4). */
		list: reportsProcedure
			.input(passThrough<ConversationsInput>())
			.query(
				({ ctx, input }): Promise<ConversationsPage> =>
					withinWorkLimit(ctx, 1, () =>
						runProgram(ctx.runtime, listConversations(ctx.principal.accountId, input), ctx.signal),
					),
			),
	}),
	ingest: router({
		batch: ingestProcedure.input(passThrough<IngestRequest>()).mutation(async ({ ctx, input }) => {
			const result = await runProgram(ctx.runtime, runIngest(ctx.principal.accountId, input), ctx.signal);
			ctx.webhooks?.afterIngest(ctx.principal.accountId);
			return result;
		}),
		delete: ingestProcedure.input(passThrough<EraseRequestBody>()).mutation(async ({ ctx, input }) => {
			const result = await runProgram(ctx.runtime, runErase(ctx.principal.accountId, input), ctx.signal);
			ctx.webhooks?.afterIngest(ctx.principal.accountId);
			return result;
		}),
	}),
	/** Alert webhooks (contract §8.3). */
	webhooks: router({
		create: webhooksProcedure.input(parseCreateWebhook).mutation(async ({ ctx, input }): Promise<CreatedWebhook> => {
			const url = await checkWebhookUrl(input.url, ctx.webhooks?.allowPrivate ?? false);
			const created = await runProgram(
				ctx.runtime,
				createWebhook({ accountId: ctx.principal.accountId, url, maxPerAccount: MAX_WEBHOOKS_PER_ACCOUNT }),
				ctx.signal,
			);
			if (created === undefined) {
				throw new AppError({
					code: "UNPROCESSABLE_ENTITY",
					message: `An account may have at most ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks`,
				});
			}
			return created;
		}),
		list: webhooksProcedure.query(
			async ({ ctx }): Promise<{ items: ReadonlyArray<WebhookRow> }> => ({
				items: await runProgram(ctx.runtime, listWebhooks(ctx.principal.accountId), ctx.signal),
			}),
		),
		delete: webhooksProcedure
			.input((raw: unknown) => ({ id: parseWebhookId((raw as { id?: unknown } | null)?.id) }))
			.mutation(async ({ ctx, input }): Promise<{ id: string }> => {
				const deleted = await runProgram(ctx.runtime, deleteWebhook(ctx.principal.accountId, input.id), ctx.signal);
				if (!deleted) throw webhookNotFound();
				return { id: input.id };
			}),
		deliveries: webhooksProcedure
			.input((raw: unknown) => ({ id: parseWebhookId((raw as { id?: unknown } | null)?.id) }))
			.query(async ({ ctx, input }): Promise<{ items: ReadonlyArray<DeliveryRow> }> => {
				const items = await runProgram(
					ctx.runtime,
					listDeliveries(ctx.principal.accountId, input.id, DELIVERY_LOG_LIMIT),
					ctx.signal,
				);
				if (items === undefined) throw webhookNotFound();
				return { items };
			}),
	}),
});

export type AppRouter = typeof appRouter;

/** A registered webhook as its creation answers it: the only time the secret is shown. */
export interface CreatedWebhook extends WebhookRow {
	readonly secret: string;
}

const webhookNotFound = () => new AppError({ code: "NOT_FOUND", message: "Webhook not found" });

/** Report ID → the name of its procedure under `reports.`, for the REST adapter's single-report route. */
export const procedureNameById: ReadonlyMap<string, keyof ReportsByProcedureName> = new Map(
	Object.entries(reportsByProcedureName).map(([name, report]) => [report.id, name as keyof ReportsByProcedureName]),
);
