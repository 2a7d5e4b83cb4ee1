import { Effect } from "effect";
import { z } from "zod";
import type { ActivityCounts } from "../repositories.ts";
import {
	botPeriodInput,
	breakdownEntry,
	breakdownOf,
	bucketSpanFields,
	bucketSpans,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	forBot,
	periodAt,
	type SlicedCounts,
	sentimentOf,
	sentimentSignal,
	slicedCounts,
} from "./shared.ts";

const trend = z.object({
	current: z.number(),
	previous: z.number(),
	change: z.number().describe("current − previous"),
	breakdown: z.array(breakdownEntry),
});

/**
 * Bot Performance — one bot's conversations (created in the window), messages and tokens (of its conversations,
 * sent in the window) each as `{current, previous, change, breakdown}`, and its ratings with a per-bucket
 * thumbs split; `ratings.change` is the change of the total rating count against the previous window.
 */
export const BotPerformance = defineReport({
	id: "clr3m5n8k000g08jqdt1u2v7q",
	name: "Bot Performance",
	description: "Trends of one bot's conversations, messages, tokens and ratings against the previous period.",
	category: "performance",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: botPeriodInput,
	output: z.object({
		conversations: trend,
		messages: trend,
		tokens: trend,
		ratings: z.object({
			thumbsUp: z.number(),
			thumbsDown: z.number(),
			total: z.number(),
			change: z.number().describe("total − total of the previous window"),
			sentimentSignal,
			breakdown: z.array(
				z.object({ ...bucketSpanFields, total: z.number(), thumbsUp: z.number(), thumbsDown: z.number() }),
			),
		}),
		period: z.string(),
	}),
	run: Effect.fn("Reports.botPerformance")(function* (input, context) {
		const period = yield* periodAt(input, context);
		const counts = yield* forBot(context.accountId, input.botId, slicedCounts(context.accountId, period, input.botId));
		const trendOf = (counts: SlicedCounts, metric: (slice: ActivityCounts) => number) => {
			const current = metric(counts.current);
			const previous = metric(counts.previous);
			return {
				current,
				previous,
				change: current - previous,
				breakdown: breakdownOf(period, counts.buckets.map(metric)),
			};
		};
		return {
			conversations: trendOf(counts, (slice) => slice.conversations),
			messages: trendOf(counts, (slice) => slice.messages),
			tokens: trendOf(counts, (slice) => slice.tokens),
			ratings: {
				thumbsUp: counts.current.thumbsUp,
				thumbsDown: counts.current.thumbsDown,
				total: counts.current.ratings,
				change: counts.current.ratings - counts.previous.ratings,
				sentimentSignal: sentimentOf(counts.current.thumbsUp, counts.current.thumbsDown),
				breakdown: bucketSpans(period).map((span, index) => {
					const slice = counts.buckets[index];
					return {
						...span,
						total: slice?.ratings ?? 0,
						thumbsUp: slice?.thumbsUp ?? 0,
						thumbsDown: slice?.thumbsDown ?? 0,
					};
				}),
			},
			period: period.label,
		};
	}),
});
