import { Clock, Effect } from "effect";
import { z } from "zod";
import { type InvalidInput, ResourceNotFound, type StorageError } from "../errors.ts";
import {
	AccountRepository,
	type ActivityCounts,
	ActivityRepository,
	type ActivityScope,
	type ConversationCohort,
} from "../repositories.ts";
import {
	type PeriodInput,
	periodFields,
	previousAndBucketBoundaries,
	type ResolvedPeriod,
	resolvePeriod,
} from "../time/period.ts";

export const categories = ["engagement", "performance", "quality", "contacts", "resources"] as const;
export type ReportCategory = (typeof categories)[number];

/** What a report program knows about its caller. */
export interface ReportContext {
	readonly accountId: string;
	/** The resolved default timezone (X-Timezone header, else UTC); an input `timezone` wins over it. */
	readonly timezone: string;
}

export type ReportFailure = InvalidInput | ResourceNotFound | StorageError;
export type ReportServices = ActivityRepository | AccountRepository;

/**
 * A report as it is written. Its failures `E` and services `R` are inferred from `run`, so the type of each report
 * says what it can fail with (Total Ratings cannot answer `ResourceNotFound`; the bot reports can) and what it reads.
 */
export interface ReportDefinition<
	Id extends string,
	Input extends z.ZodType<Record<string, unknown>>,
	Output extends z.ZodType,
	E extends ReportFailure = ReportFailure,
	R extends ReportServices = ReportServices,
> {
	readonly id: Id;
	readonly name: string;
	readonly description: string;
	readonly category: ReportCategory;
	/** Epoch milliseconds; fixed constants so the catalogue is stable across deploys. */
	readonly createdAt: number;
	readonly updatedAt: number;
	readonly input: Input;
	readonly output: Output;
	readonly run: (input: z.output<Input>, context: ReportContext) => Effect.Effect<z.output<Output>, E, R>;
}

export interface Report<
	Id extends string,
	Input extends z.ZodType<Record<string, unknown>>,
	Output extends z.ZodType,
	E extends ReportFailure = ReportFailure,
	R extends ReportServices = ReportServices,
> extends ReportDefinition<Id, Input, Output, E, R> {
	readonly inputJsonSchema: Record<string, unknown>;
	readonly outputJsonSchema: Record<string, unknown>;
}

export const defineReport = <
	const Id extends string,
	Input extends z.ZodType<Record<string, unknown>>,
	Output extends z.ZodType,
	E extends ReportFailure = never,
	R extends ReportServices = never,
>(
	definition: ReportDefinition<Id, Input, Output, E, R>,
): Report<Id, Input, Output, E, R> => ({
	...definition,
	inputJsonSchema: z.toJSONSchema(definition.input, { io: "input" }) as Record<string, unknown>,
	outputJsonSchema: z.toJSONSchema(definition.output, { io: "output" }) as Record<string, unknown>,
});

/** Fixed catalogue dates. */
export const CATALOGUE_CREATED_AT = Date.parse("2025-01-15T00:00:00.000Z");
export const CATALOGUE_UPDATED_AT = Date.parse("2026-11-24T00:00:00.000Z");

// ---------------------------------------------------------------------------------------------------------------
// Input schemas

export const periodInput = z.object(periodFields(30));
export const botIdField = z
	.string()
	.min(1)
	.max(64)
	.regex(/^[A-Za-z0-9_-]+$/, { error: "botId must be 1–64 characters of A-Z, a-z, 0-9, _ and -" })
	.describe("The bot, which must belong to the caller's account");
export const botPeriodInput = z.object({ botId: botIdField, ...periodFields(30) });

// ---------------------------------------------------------------------------------------------------------------
// Output schemas

/** Where a breakdown bucket lies: its label and its half-open span `[start, end)` (contract §8.4). */
export const bucketSpanFields = {
	date: z.string().describe("The bucket's label: YYYY-MM-DD, or YYYY-MM-DDTHH:00±hh:mm for hours"),
	start: z.string().describe("First instant of the bucket (inclusive), ISO-8601 in UTC"),
	end: z.string().describe("End of the bucket (exclusive), ISO-8601 in UTC: the next bucket's start"),
};
export const breakdownEntry = z.object({ ...bucketSpanFields, total: z.number() });
export const standardOutputFields = {
	value: z.number(),
	change: z.number().describe("value − previous"),
	previous: z.number().describe("The value over the previous window of equal length"),
	changePercent: z
		.number()
		.nullable()
		.describe("(value − previous) / previous × 100, rounded to 2 decimals; null when previous is 0"),
	period: z.string(),
	breakdown: z.array(breakdownEntry),
};
export const standardOutput = z.object(standardOutputFields);
export type StandardOutput = z.output<typeof standardOutput>;

const sentimentSignals = ["positive", "negative", "neutral", "unknown"] as const;
export const sentimentSignal = z.enum(sentimentSignals);
export type SentimentSignal = (typeof sentimentSignals)[number];

// ---------------------------------------------------------------------------------------------------------------
// Arithmetic

export const round = (value: number, decimals: number): number => {
	const factor = 10 ** decimals;
	const rounded = Math.round((value + Number.EPSILON * Math.sign(value)) * factor) / factor;
	return Object.is(rounded, -0) ? 0 : rounded;
};

/** (current − previous) / previous × 100 with 2 decimals; null when previous is 0. */
export const changePercent = (current: number, previous: number): number | null =>
	previous === 0 ? null : round(((current - previous) / previous) * 100, 2);

/** Mean with 2 decimals; 0 when the denominator is 0. */
export const average = (numerator: number, denominator: number): number =>
	denominator === 0 ? 0 : round(numerator / denominator, 2);

export const sentimentOf = (thumbsUp: number, thumbsDown: number): SentimentSignal => {
	if (thumbsUp === 0 && thumbsDown === 0) return "unknown";
	if (thumbsUp > thumbsDown) return "positive";
	if (thumbsUp < thumbsDown) return "negative";
	return "neutral";
};

export const sum = (values: ReadonlyArray<number>): number => values.reduce((total, value) => total + value, 0);

// ---------------------------------------------------------------------------------------------------------------
// Program building blocks

/**
 * Resolves the input's period at the current `Clock` time. Reports without a breakdown pass
 * `{ breakdown: false }`: their granularity is irrelevant, so daily slices are used (and never hit the bucket cap).
 */
export const periodAt = (input: PeriodInput, context: ReportContext, options?: { readonly breakdown: false }) =>
	Effect.flatMap(Clock.currentTimeMillis, (now) =>
		resolvePeriod(
			options === undefined ? input : { ...input, granularity: "day" },
			input.timezone ?? context.timezone,
			now,
		),
	);

/** Fails with the same ResourceNotFound whether the bot exists in another account or nowhere. */
const requireBot = Effect.fnUntraced(function* (accountId: string, botId: string) {
	const accounts = yield* AccountRepository;
	const exists = yield* accounts.botExists(accountId, botId);
	if (!exists) return yield* new ResourceNotFound({ message: "Bot not found", resource: "bot" });
});

/**
 * `reads` of one bot's data, run together with the check that the bot exists rather than after it: the reads of a
 * missing bot are empty and harmless, and a missing bot still fails the report with ResourceNotFound (stopping the
 * reads). Saves the report a round trip before its first read.
 */
export const forBot = <A, E, R>(accountId: string, botId: string, reads: Effect.Effect<A, E, R>) =>
	Effect.map(Effect.all([requireBot(accountId, botId), reads], { concurrency: "unbounded" }), ([, value]) => value);

export interface SlicedCounts {
	readonly previous: ActivityCounts;
	readonly buckets: ReadonlyArray<ActivityCounts>;
	readonly current: ActivityCounts;
}

const countKeys = [
	"conversations",
	"messages",
	"userMessages",
	"botMessages",
	"activityMessages",
	"tokens",
	"ratings",
	"thumbsUp",
	"thumbsDown",
] as const satisfies ReadonlyArray<keyof ActivityCounts>;

export const emptyCounts: ActivityCounts = {
	conversations: 0,
	messages: 0,
	userMessages: 0,
	botMessages: 0,
	activityMessages: 0,
	tokens: 0,
	ratings: 0,
	thumbsUp: 0,
	thumbsDown: 0,
};

export const addCounts = (slices: ReadonlyArray<ActivityCounts>): ActivityCounts => {
	const total: Record<keyof ActivityCounts, number> = { ...emptyCounts };
	for (const slice of slices) for (const key of countKeys) total[key] += slice[key];
	return total;
};

/**
 * The cohorts of the period's current and previous windows, read together: reports that need only the current one
 * ask the same (so a batch reads each scope's cohorts once).
 */
export const periodCohorts = Effect.fnUntraced(function* (scope: ActivityScope, period: ResolvedPeriod) {
	const activity = yield* ActivityRepository;
	const [previous, current] = yield* activity.conversationCohorts(scope, [
		period.previous.start,
		period.current.start,
		period.current.end,
	]);
	return { current: current!, previous: previous! };
});

/**
 * An average per conversation (user messages, bot messages, actions): over the conversations created in the window
 * (the cohort), the mean of `pick`, counting every message of those conversations whenever it was sent.
 * Conversations with none count as 0; 2 decimals; 0 when the window has no conversations.
 */
export const cohortAverageReport = <const Id extends string>(definition: {
	readonly id: Id;
	readonly name: string;
	readonly description: string;
	readonly span: string;
	readonly pick: (cohort: ConversationCohort) => number;
}) =>
	defineReport({
		id: definition.id,
		name: definition.name,
		description: definition.description,
		category: "engagement",
		createdAt: CATALOGUE_CREATED_AT,
		updatedAt: CATALOGUE_UPDATED_AT,
		input: periodInput,
		output: z.object({ value: z.number(), period: z.string() }),
		run: Effect.fn(definition.span)(function* (input: PeriodInput, context: ReportContext) {
			const period = yield* periodAt(input, context, { breakdown: false });
			const { current } = yield* periodCohorts({ accountId: context.accountId }, period);
			return { value: average(definition.pick(current), current.conversations), period: period.label };
		}),
	});

/** One repository call: slice 0 is the previous window, the rest are the current window's buckets. */
export const slicedCounts = Effect.fnUntraced(function* (
	accountId: string,
	period: ResolvedPeriod,
	botId?: string,
): Effect.fn.Return<SlicedCounts, StorageError, ActivityRepository> {
	const activity = yield* ActivityRepository;
	const slices = yield* activity.countsBySlice(
		botId === undefined ? { accountId } : { accountId, botId },
		previousAndBucketBoundaries(period),
	);
	const buckets = slices.slice(1);
	return { previous: slices[0] ?? emptyCounts, buckets, current: addCounts(buckets) };
});

export interface BucketSpan {
	readonly date: string;
	readonly start: string;
	readonly end: string;
}

/** Spans by period: resolved periods are kept and shared (see `resolvePeriod`), so a batch formats each once. */
const spansByPeriod = new WeakMap<ResolvedPeriod, ReadonlyArray<BucketSpan>>();

/**
 * Each bucket's label and span as instants: a bucket ends where the next one starts and the last where the window
 * does, so a local day is 23 or 25 hours long across a DST change and a clipped first week starts with the window.
 */
export const bucketSpans = (period: ResolvedPeriod): ReadonlyArray<BucketSpan> => {
	let spans = spansByPeriod.get(period);
	if (spans === undefined) {
		spans = period.buckets.map((bucket, index) => ({
			date: bucket.label,
			start: new Date(bucket.start).toISOString(),
			end: new Date(period.buckets[index + 1]?.start ?? period.current.end).toISOString(),
		}));
		spansByPeriod.set(period, spans);
	}
	return spans;
};

export const breakdownOf = (period: ResolvedPeriod, values: ReadonlyArray<number>) =>
	bucketSpans(period).map((span, index) => ({ ...span, total: values[index] ?? 0 }));

/** The standard output of an additive metric read from sliced counts. */
export const standardFromCounts = (
	period: ResolvedPeriod,
	counts: SlicedCounts,
	metric: (counts: ActivityCounts) => number,
): StandardOutput => {
	const value = metric(counts.current);
	const previous = metric(counts.previous);
	return {
		value,
		change: value - previous,
		previous,
		changePercent: changePercent(value, previous),
		period: period.label,
		breakdown: breakdownOf(period, counts.buckets.map(metric)),
	};
};

/** A standard additive report over `countsBySlice`; `spanName` names its tracing span. */
export const countsReport = (spanName: string, metric: (counts: ActivityCounts) => number) =>
	Effect.fn(spanName)(function* (input: PeriodInput, context: ReportContext) {
		const period = yield* periodAt(input, context);
		const counts = yield* slicedCounts(context.accountId, period);
		return standardFromCounts(period, counts, metric);
	});
