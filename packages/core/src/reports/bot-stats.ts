import { Effect } from "effect";
import { z } from "zod";
import {
	botPeriodInput,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	forBot,
	periodAt,
	sentimentOf,
	sentimentSignal,
	slicedCounts,
} from "./shared.ts";

/**
 * Bot Stats — for one bot over the current window: conversations of the bot created in the window, messages and
 * tokens of the bot's conversations sent in the window (messages by their own time), ratings whose `bot_id` is
 * the bot (value 0 counts only in `totalRatings`). `granularity` is accepted but there is no breakdown.
 */
export const BotStats = defineReport({
	id: "clr3m5n8k000e08jqbs0t1u5o",
	name: "Bot Stats",
	description: "Conversations, messages, tokens and ratings of one bot in the period.",
	category: "performance",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: botPeriodInput,
	output: z.object({
		totalConversations: z.number(),
		totalMessages: z.number(),
		totalTokens: z.number(),
		totalRatings: z.number(),
		thumbsUp: z.number(),
		thumbsDown: z.number(),
		sentimentSignal,
		period: z.string(),
	}),
	run: Effect.fn("Reports.botStats")(function* (input, context) {
		const period = yield* periodAt(input, context, { breakdown: false });
		const { current } = yield* forBot(
			context.accountId,
			input.botId,
			slicedCounts(context.accountId, period, input.botId),
		);
		return {
			totalConversations: current.conversations,
			totalMessages: current.messages,
			totalTokens: current.tokens,
			totalRatings: current.ratings,
			thumbsUp: current.thumbsUp,
			thumbsDown: current.thumbsDown,
			sentimentSignal: sentimentOf(current.thumbsUp, current.thumbsDown),
			period: period.label,
		};
	}),
});
