import { Clock, Effect } from "effect";
import { AccountRepository, ActivityRepository } from "../repositories.ts";
import { previousAndBucketBoundaries } from "../time/period.ts";
import {
	type Alert,
	activitySurge,
	alertsOutput,
	fired,
	limitAlerts,
	negativeFeedback,
	sentimentShift,
	summarize,
	type UsageMetric,
	usageSpike,
} from "./alert-rules.ts";
import {
	addCounts,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	defineReport,
	emptyCounts,
	periodAt,
	periodInput,
} from "./shared.ts";

/**
 * Alerts — the account-wide rules of contract §5, evaluated in this order: usageSpike (tokens, conversations,
 * messages), limit (datasets, records, skillsets, abilities, files), negativeFeedback, sentiment, activity.
 * A day is complete when it has ended at the time of the request; for `last N days` today is incomplete, so the
 * spike compares yesterday with the mean of the N − 2 days before it (needs N ≥ 4). The breakdown granularity is
 * ignored: the rules read daily slices.
 */
export const Alerts = defineReport({
	id: "clr3m5n8k000f08jqcs1u2v6p",
	name: "Alerts",
	description: "Usage spikes, plan limits, negative feedback, sentiment shifts and activity surges of the account.",
	category: "performance",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: alertsOutput,
	run: Effect.fn("Reports.alerts")(function* (input, context) {
		const period = yield* periodAt(input, context, { breakdown: false });
		const now = yield* Clock.currentTimeMillis;
		const activity = yield* ActivityRepository;
		const accounts = yield* AccountRepository;
		const [slices, account] = yield* Effect.all(
			[
				activity.countsBySlice({ accountId: context.accountId }, previousAndBucketBoundaries(period)),
				accounts.usage(context.accountId),
			],
			{ concurrency: "unbounded" },
		);
		const previous = slices[0] ?? emptyCounts;
		const days = slices.slice(1);
		const current = addCounts(days);
		const completeDays = period.buckets.flatMap((bucket, index) => {
			const end = period.buckets[index + 1]?.start ?? period.current.end;
			const counts = days[index];
			return end <= now && counts !== undefined ? [{ date: bucket.label, counts }] : [];
		});
		const spikeOf = (metric: UsageMetric) =>
			usageSpike(
				metric,
				completeDays.map((day) => ({ date: day.date, value: day.counts[metric] })),
			);
		const alerts: Array<Alert> = [
			...(["tokens", "conversations", "messages"] as const).flatMap((metric) => fired(spikeOf(metric))),
			...limitAlerts(account.usage, account.limits),
			...fired(negativeFeedback(current.thumbsUp, current.thumbsDown, 10)),
			...fired(sentimentShift(current, previous)),
			...fired(activitySurge(current.conversations, previous.conversations)),
		];
		return summarize(alerts, period.label);
	}),
});
