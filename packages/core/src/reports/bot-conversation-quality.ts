import { Effect } from "effect";
import { z } from "zod";
import { ActivityRepository } from "../repositories.ts";
import { toRange } from "../time/period.ts";
import {
	average,
	botPeriodInput,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	forBot,
	periodAt,
	periodCohorts,
	round,
} from "./shared.ts";

const TOP_ACTIONS_LIMIT = 10;

/**
 * Bot Conversation Quality — over the bot's conversations created in the window (the cohort, with all of their
 * messages whenever sent): mean user/bot/activity messages per conversation (2 decimals), depth by `user`
 * messages (singleTurn 0–1, short 2–3, medium 4–10, long 11+), abandonmentRate = singleTurn / total × 100
 * (1 decimal, 0 without conversations), tokens per conversation and per message (messages of every type, 2
 * decimals). topActions ranks the `(action_type, action_name)` of the bot's activity messages sent in the window
 * (a missing type or name reads "unknown"), most frequent first, ties by type then name.
 */
export const BotConversationQuality = defineReport({
	id: "clr3m5n8k000h08jqeu2v3w8r",
	name: "Bot Conversation Quality",
	description: "Depth, abandonment, token use and most frequent actions of one bot's conversations in the period.",
	category: "quality",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: botPeriodInput,
	output: z.object({
		avgMessagesPerConversation: z.object({ user: z.number(), bot: z.number(), activity: z.number() }),
		conversationDepth: z.object({
			singleTurn: z.number(),
			short: z.number(),
			medium: z.number(),
			long: z.number(),
		}),
		totalConversations: z.number(),
		abandonmentRate: z.number(),
		avgTokensPerConversation: z.number(),
		avgTokensPerMessage: z.number(),
		topActions: z.array(z.object({ type: z.string(), name: z.string(), count: z.number() })),
		period: z.string(),
	}),
	run: Effect.fn("Reports.botConversationQuality")(function* (input, context) {
		const period = yield* periodAt(input, context, { breakdown: false });
		const activity = yield* ActivityRepository;
		const scope = { accountId: context.accountId, botId: input.botId };
		const range = toRange(period.current);
		const [{ current: cohort }, topActions] = yield* forBot(
			context.accountId,
			input.botId,
			Effect.all([periodCohorts(scope, period), activity.topActions(scope, range, TOP_ACTIONS_LIMIT)], {
				concurrency: "unbounded",
			}),
		);
		const depth = cohort.userMessageDepth;
		const singleTurn = depth.zero + depth.one;
		return {
			avgMessagesPerConversation: {
				user: average(cohort.userMessages, cohort.conversations),
				bot: average(cohort.botMessages, cohort.conversations),
				activity: average(cohort.activityMessages, cohort.conversations),
			},
			conversationDepth: {
				singleTurn,
				short: depth.twoToThree,
				medium: depth.fourToTen,
				long: depth.elevenOrMore,
			},
			totalConversations: cohort.conversations,
			abandonmentRate: cohort.conversations === 0 ? 0 : round((singleTurn / cohort.conversations) * 100, 1),
			avgTokensPerConversation: average(cohort.tokens, cohort.conversations),
			avgTokensPerMessage: average(cohort.tokens, cohort.messages),
			topActions: topActions.map((action) => ({ type: action.type, name: action.name, count: action.count })),
			period: period.label,
		};
	}),
});
