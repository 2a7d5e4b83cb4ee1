import { Effect } from "effect";
import { z } from "zod";
import { ActivityRepository } from "../repositories.ts";
import { periodFields, toRange } from "../time/period.ts";
import {
	botIdField,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	forBot,
	periodAt,
	slicedCounts,
} from "./shared.ts";

/**
 * Bot Negative Feedback — the newest `limit` thumbs-down ratings (value < 0) of the bot created in the window,
 * newest first (ties by id, descending); `total` counts every rating of the bot in the window (value 0
 * included), `thumbsDown` / `thumbsUp` those below / above 0. `contactName` = name, else email, else nick.
 */
export const BotNegativeFeedback = defineReport({
	id: "clr3m5n8k000j08jqgw4x5y0t",
	name: "Bot Negative Feedback",
	description: "The most recent thumbs-down ratings of one bot, with their reasons and contacts.",
	category: "quality",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: z.object({
		botId: botIdField,
		...periodFields(30),
		limit: z.number().min(1).max(50).int().default(10).describe("Most recent items to return (1–50, default 10)"),
	}),
	output: z.object({
		items: z.array(
			z.object({
				id: z.string(),
				value: z.number(),
				reason: z.string().nullable(),
				conversationId: z.string().nullable(),
				messageId: z.string().nullable(),
				contactId: z.string().nullable(),
				contactName: z.string().nullable(),
				createdAt: z.string().describe("ISO-8601"),
			}),
		),
		total: z.number(),
		thumbsDown: z.number(),
		thumbsUp: z.number(),
		period: z.string(),
	}),
	run: Effect.fn("Reports.botNegativeFeedback")(function* (input, context) {
		const period = yield* periodAt(input, context, { breakdown: false });
		const activity = yield* ActivityRepository;
		const [ratings, counts] = yield* forBot(
			context.accountId,
			input.botId,
			Effect.all(
				[
					activity.ratings(
						{ accountId: context.accountId, botId: input.botId },
						toRange(period.current),
						"negative",
						input.limit,
					),
					slicedCounts(context.accountId, period, input.botId),
				],
				{ concurrency: "unbounded" },
			),
		);
		return {
			items: ratings.map((rating) => ({
				id: rating.id,
				value: rating.value,
				reason: rating.reason,
				conversationId: rating.conversationId,
				messageId: rating.messageId,
				contactId: rating.contactId,
				contactName: rating.contactName,
				createdAt: rating.createdAt.toISOString(),
			})),
			total: counts.current.ratings,
			thumbsDown: counts.current.thumbsDown,
			thumbsUp: counts.current.thumbsUp,
			period: period.label,
		};
	}),
});
