import { Effect } from "effect";
import { z } from "zod";
import type { ConversationCohort } from "../repositories.ts";
import { periodFields } from "../time/period.ts";
import {
	type Alert,
	abandonmentSpike,
	alertsOutput,
	conversationDrop,
	type Engagement,
	fired,
	negativeFeedback,
	summarize,
	tokenSpike,
} from "./alert-rules.ts";
import {
	botIdField,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	forBot,
	periodAt,
	periodCohorts,
	slicedCounts,
} from "./shared.ts";

const engagementOf = (cohort: ConversationCohort): Engagement => ({
	conversations: cohort.conversations,
	withUserMessage: cohort.conversations - cohort.userMessageDepth.zero,
	singleTurn: cohort.userMessageDepth.zero + cohort.userMessageDepth.one,
});

/**
 * Bot Alerts — one bot's rules of contract §5 in this order: negativeFeedback (≥ 3 thumbs up + down in the window;
 * share of thumbs down), tokenSpike and conversationDrop (current window against the previous one),
 * abandonmentSpike (each window's Bot Conversation Quality `abandonmentRate`, gated on ≥ 5 conversations with a user
 * message in both). Default period 7 days.
 */
export const BotAlerts = defineReport({
	id: "clr3m5n8k000i08jqfv3w4x9s",
	name: "Bot Alerts",
	description: "Negative feedback, token spikes, conversation drops and abandonment spikes of one bot.",
	category: "performance",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: z.object({ botId: botIdField, ...periodFields(7) }),
	output: alertsOutput,
	run: Effect.fn("Reports.botAlerts")(function* (input, context) {
		const period = yield* periodAt(input, context, { breakdown: false });
		const scope = { accountId: context.accountId, botId: input.botId };
		const [counts, cohorts] = yield* forBot(
			context.accountId,
			input.botId,
			Effect.all([slicedCounts(context.accountId, period, input.botId), periodCohorts(scope, period)], {
				concurrency: "unbounded",
			}),
		);
		const { current: currentCohort, previous: previousCohort } = cohorts;
		const { current, previous } = counts;
		const alerts: Array<Alert> = [
			...fired(negativeFeedback(current.thumbsUp, current.thumbsDown, 3)),
			...fired(tokenSpike(current.tokens, previous.tokens)),
			...fired(conversationDrop(current.conversations, previous.conversations)),
			...fired(abandonmentSpike(engagementOf(currentCohort), engagementOf(previousCohort))),
		];
		return summarize(alerts, period.label);
	}),
});
