import { z } from "zod";
import type { ResourceUsage } from "../repositories.ts";
import type { AccountLimits } from "../rows.ts";
import { round } from "./shared.ts";

/**
 * The alert rules of the Alerts and Bot Alerts reports (contract §5) as pure functions of already-counted numbers.
 * Thresholds are compared exactly (integer cross-multiplication, or the percentage rounded to 6 decimals where it
 * is a difference of shares) so a value sitting on a threshold always triggers it. `metric.percentage` is the
 * quantity the rule's thresholds apply to, rounded to 2 decimals:
 * - spikes, drops and activity: (current − baseline) / baseline × 100;
 * - limit: usage / limit × 100 (utilisation);
 * - negativeFeedback: thumbs-down share of thumbs up + down, × 100 (current = thumbs down, baseline = up + down);
 * - sentiment and abandonmentSpike: the rise in percentage points (current and baseline are the two shares).
 */

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];

export const alertTypes = [
	"usageSpike",
	"limit",
	"negativeFeedback",
	"sentiment",
	"activity",
	"tokenSpike",
	"conversationDrop",
	"abandonmentSpike",
] as const;

const alert = z.object({
	type: z.enum(alertTypes),
	severity: z.enum(severities),
	title: z.string(),
	message: z.string(),
	metric: z.object({ current: z.number(), baseline: z.number(), percentage: z.number() }),
});
export type Alert = z.output<typeof alert>;

export const alertsOutput = z.object({
	alerts: z.array(alert),
	summary: z.object({
		totalAlerts: z.number(),
		criticalCount: z.number(),
		warningCount: z.number(),
		infoCount: z.number(),
	}),
	period: z.string(),
});
export type AlertsOutput = z.output<typeof alertsOutput>;

export const summarize = (alerts: ReadonlyArray<Alert>, period: string): AlertsOutput => ({
	alerts: [...alerts],
	summary: {
		totalAlerts: alerts.length,
		criticalCount: alerts.filter((entry) => entry.severity === "critical").length,
		warningCount: alerts.filter((entry) => entry.severity === "warning").length,
		infoCount: alerts.filter((entry) => entry.severity === "info").length,
	},
	period,
});

const percent = (part: number, whole: number) => (part / whole) * 100;
const formatPercent = (value: number) => `${round(value, 1)}%`;

export type UsageMetric = "tokens" | "conversations" | "messages";

/**
 * `usageSpike`: the most recent complete day against the mean of the window's other complete days; needs at least
 * 3 complete days and a mean above 0. ≥ 20% info, ≥ 50% warning, ≥ 100% critical.
 */
export const usageSpike = (
	metric: UsageMetric,
	completeDays: ReadonlyArray<{ readonly date: string; readonly value: number }>,
): Alert | undefined => {
	const latest = completeDays[completeDays.length - 1];
	if (completeDays.length < 3 || latest === undefined) return undefined;
	const others = completeDays.slice(0, -1);
	const otherSum = others.reduce((total, day) => total + day.value, 0);
	if (otherSum <= 0) return undefined;
	// (latest − mean) / mean × 100 ≥ t  ⇔  (latest × k − sum) × 100 ≥ t × sum   (k = number of other days)
	const excess = (latest.value * others.length - otherSum) * 100;
	const severity: Severity | undefined =
		excess >= 100 * otherSum
			? "critical"
			: excess >= 50 * otherSum
				? "warning"
				: excess >= 20 * otherSum
					? "info"
					: undefined;
	if (severity === undefined) return undefined;
	const mean = otherSum / others.length;
	const percentage = ((latest.value - mean) / mean) * 100;
	return {
		type: "usageSpike",
		severity,
		title: `${metric[0]?.toUpperCase()}${metric.slice(1)} spike`,
		message: `${metric} on ${latest.date} were ${latest.value}, ${formatPercent(percentage)} above the daily mean of ${round(mean, 2)} over the other ${others.length} complete days of the period`,
		metric: { current: latest.value, baseline: round(mean, 2), percentage: round(percentage, 2) },
	};
};

export const limitResources = ["datasets", "records", "skillsets", "abilities", "files"] as const;

/** `limit`: usage against a plan limit (null = unlimited, 0 = resource disabled: no alert). ≥ 80% warning, ≥ 100% critical. */
export const limitAlert = (resource: (typeof limitResources)[number], usage: number, limit: number | null) => {
	if (limit === null || limit <= 0) return undefined;
	const severity: Severity | undefined =
		usage * 100 >= 100 * limit ? "critical" : usage * 100 >= 80 * limit ? "warning" : undefined;
	if (severity === undefined) return undefined;
	const percentage = percent(usage, limit);
	return {
		type: "limit",
		severity,
		title: `${resource[0]?.toUpperCase()}${resource.slice(1)} limit`,
		message: `${usage} of ${limit} ${resource} used (${formatPercent(percentage)} of the plan limit)`,
		metric: { current: usage, baseline: limit, percentage: round(percentage, 2) },
	} satisfies Alert;
};

export const limitAlerts = (usage: ResourceUsage, limits: AccountLimits): Array<Alert> =>
	limitResources.flatMap((resource) => limitAlert(resource, usage[resource], limits[resource]) ?? []);

/**
 * `negativeFeedback`: thumbs-down share of the thumbs up + down in the window, once there are at least
 * `minimumRated` of them. ≥ 30% warning, ≥ 50% critical.
 */
export const negativeFeedback = (thumbsUp: number, thumbsDown: number, minimumRated: number): Alert | undefined => {
	const rated = thumbsUp + thumbsDown;
	if (rated < minimumRated || rated === 0) return undefined;
	const severity: Severity | undefined =
		thumbsDown * 100 >= 50 * rated ? "critical" : thumbsDown * 100 >= 30 * rated ? "warning" : undefined;
	if (severity === undefined) return undefined;
	const share = percent(thumbsDown, rated);
	return {
		type: "negativeFeedback",
		severity,
		title: "Negative feedback",
		message: `${thumbsDown} of ${rated} thumbs ratings were negative (${formatPercent(share)})`,
		metric: { current: thumbsDown, baseline: rated, percentage: round(share, 2) },
	};
};

interface Thumbs {
	readonly thumbsUp: number;
	readonly thumbsDown: number;
}

/** `sentiment`: the thumbs-down share rose against the previous window (both with ≥ 10 thumbs). ≥ 20 points warning, ≥ 35 critical. */
export const sentimentShift = (current: Thumbs, previous: Thumbs): Alert | undefined => {
	const currentRated = current.thumbsUp + current.thumbsDown;
	const previousRated = previous.thumbsUp + previous.thumbsDown;
	if (currentRated < 10 || previousRated < 10) return undefined;
	const currentShare = percent(current.thumbsDown, currentRated);
	const previousShare = percent(previous.thumbsDown, previousRated);
	const rise = round(currentShare - previousShare, 6);
	const severity: Severity | undefined = rise >= 35 ? "critical" : rise >= 20 ? "warning" : undefined;
	if (severity === undefined) return undefined;
	return {
		type: "sentiment",
		severity,
		title: "Sentiment worsened",
		message: `The thumbs-down share rose from ${formatPercent(previousShare)} to ${formatPercent(currentShare)} (${round(rise, 1)} points)`,
		metric: { current: round(currentShare, 2), baseline: round(previousShare, 2), percentage: round(rise, 2) },
	};
};

/** `activity`: conversations up ≥ 200% on the previous window (previous > 0): info. */
export const activitySurge = (current: number, previous: number): Alert | undefined => {
	if (previous <= 0 || (current - previous) * 100 < 200 * previous) return undefined;
	const percentage = percent(current - previous, previous);
	return {
		type: "activity",
		severity: "info",
		title: "Conversation surge",
		message: `${current} conversations against ${previous} in the previous period (+${formatPercent(percentage)})`,
		metric: { current, baseline: previous, percentage: round(percentage, 2) },
	};
};

/** `tokenSpike` (bot): tokens against the previous window (previous > 0). ≥ 50% warning, ≥ 100% critical. */
export const tokenSpike = (current: number, previous: number): Alert | undefined => {
	if (previous <= 0) return undefined;
	const excess = (current - previous) * 100;
	const severity: Severity | undefined =
		excess >= 100 * previous ? "critical" : excess >= 50 * previous ? "warning" : undefined;
	if (severity === undefined) return undefined;
	const percentage = percent(current - previous, previous);
	return {
		type: "tokenSpike",
		severity,
		title: "Token spike",
		message: `${current} tokens against ${previous} in the previous period (+${formatPercent(percentage)})`,
		metric: { current, baseline: previous, percentage: round(percentage, 2) },
	};
};

/** `conversationDrop` (bot): conversations against the previous window (previous ≥ 5). ≤ −50% warning, ≤ −75% critical. */
export const conversationDrop = (current: number, previous: number): Alert | undefined => {
	if (previous < 5) return undefined;
	const change = (current - previous) * 100;
	const severity: Severity | undefined =
		change <= -75 * previous ? "critical" : change <= -50 * previous ? "warning" : undefined;
	if (severity === undefined) return undefined;
	const percentage = percent(current - previous, previous);
	return {
		type: "conversationDrop",
		severity,
		title: "Conversation drop",
		message: `${current} conversations against ${previous} in the previous period (${formatPercent(percentage)})`,
		metric: { current, baseline: previous, percentage: round(percentage, 2) },
	};
};

/**
 * A cohort's conversations: all of them, those with at least one `user` message, and those with at most one (the
 * single-turn ones of Bot Conversation Quality's depth).
 */
export interface Engagement {
	readonly conversations: number;
	readonly withUserMessage: number;
	readonly singleTurn: number;
}

/**
 * `abandonmentSpike` (bot): abandonment is Bot Conversation Quality's `abandonmentRate` — single-turn conversations
 * (0–1 user messages) / all conversations, × 100 — so the alert and the quality report never disagree; needs ≥ 5
 * conversations with a user message in both windows. Up ≥ 20 points warning, ≥ 30 critical.
 */
export const abandonmentSpike = (current: Engagement, previous: Engagement): Alert | undefined => {
	if (current.withUserMessage < 5 || previous.withUserMessage < 5) return undefined;
	const currentRate = percent(current.singleTurn, current.conversations);
	const previousRate = percent(previous.singleTurn, previous.conversations);
	const rise = round(currentRate - previousRate, 6);
	const severity: Severity | undefined = rise >= 30 ? "critical" : rise >= 20 ? "warning" : undefined;
	if (severity === undefined) return undefined;
	return {
		type: "abandonmentSpike",
		severity,
		title: "Abandonment spike",
		message: `Abandonment rose from ${formatPercent(previousRate)} to ${formatPercent(currentRate)} (${round(rise, 1)} points)`,
		metric: { current: round(currentRate, 2), baseline: round(previousRate, 2), percentage: round(rise, 2) },
	};
};

/** `[alert]` when a rule fired, else `[]`. */
export const fired = (entry: Alert | undefined): Array<Alert> => (entry === undefined ? [] : [entry]);
