import { Effect } from "effect";
import { z } from "zod";
import {
	AccountRepository,
	type ActionCount,
	type ActivityCounts,
	ActivityRepository,
	type BotActivity,
	type ContactActivity,
} from "../repositories.ts";
import { bucketBoundaries, type PeriodInput, toRange } from "../time/period.ts";
import {
	average,
	breakdownOf,
	bucketSpanFields,
	bucketSpans,
	periodAt,
	periodCohorts,
	type ReportContext,
	round,
	slicedCounts,
	sum,
} from "./shared.ts";

const OVERVIEW_LIST_LIMIT = 20;

const listItem = z.object({
	id: z.string(),
	name: z.string(),
	description: z.string(),
	createdAt: z.string().optional().describe("ISO-8601"),
	tags: z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number()]) })),
});
type ListItem = z.output<typeof listItem>;

const chartPoint = z.object({
	...bucketSpanFields,
	total: z.number(),
	thumbsUp: z.number().optional(),
	thumbsDown: z.number().optional(),
});

export const overviewEntry = z.object({
	title: z.string(),
	description: z.string(),
	value: z.number(),
	change: z.number().optional(),
	period: z.string(),
	details: z.object({
		metric: z.string(),
		chart: z.object({ type: z.literal("line"), data: z.array(chartPoint) }),
		list: z.array(listItem).optional(),
	}),
});
type OverviewEntry = z.output<typeof overviewEntry>;

/** Title and description of each entry, keyed by its `details.metric`, in report order. */
const overviewTexts = {
	totalRatings: { title: "Total Ratings", description: "All ratings created in the period" },
	thumbsUp: { title: "Thumbs Up", description: "Ratings above 0 created in the period" },
	thumbsDown: { title: "Thumbs Down", description: "Ratings below 0 created in the period" },
	totalUsers: {
		title: "Total Users",
		description: "All contacts of the account; change counts the contacts added in the period",
	},
	activeUsers: { title: "Active Users", description: "Distinct contacts with a conversation created in the period" },
	totalConversations: { title: "Total Conversations", description: "Conversations created in the period" },
	totalMessages: { title: "Total Messages", description: "Messages of every type sent in the period" },
	userMessages: { title: "Total User Requests", description: "User messages sent in the period" },
	botMessages: { title: "Total Agent Responses", description: "Bot messages sent in the period" },
	activityMessages: { title: "Total Agent Actions", description: "Activity messages (bot actions) sent in the period" },
	averageUserMessagesPerConversation: {
		title: "Average User Requests per Conversation",
		description: "Mean user messages per conversation created in the period",
	},
	averageBotMessagesPerConversation: {
		title: "Average Agent Responses per Conversation",
		description: "Mean bot messages per conversation created in the period",
	},
	averageActionsPerConversation: {
		title: "Average Actions per Conversation",
		description: "Mean activity messages per conversation created in the period",
	},
	totalTokens: { title: "Total Tokens", description: "Tokens of the messages sent in the period" },
} as const;
type OverviewMetric = keyof typeof overviewTexts;

const contactItem = (contact: ContactActivity): ListItem => ({
	id: contact.id,
	name: contact.name ?? contact.email ?? contact.nick ?? contact.id,
	description: `${contact.conversations} conversations, ${contact.messages} messages, ${contact.tokens} tokens in the period`,
	createdAt: contact.createdAt.toISOString(),
	tags: [
		{ name: "kind", value: "contact" },
		{ name: "conversations", value: contact.conversations },
		{ name: "messages", value: contact.messages },
		{ name: "tokens", value: contact.tokens },
	],
});

const botItem = (bot: BotActivity): ListItem => ({
	id: bot.id,
	name: bot.name ?? bot.id,
	description: `${bot.conversations} conversations, ${bot.messages} messages, ${bot.tokens} tokens in the period`,
	createdAt: bot.createdAt.toISOString(),
	tags: [
		{ name: "kind", value: "bot" },
		{ name: "conversations", value: bot.conversations },
		{ name: "messages", value: bot.messages },
		{ name: "tokens", value: bot.tokens },
	],
});

const actionItem = (action: ActionCount): ListItem => ({
	id: `${action.type}:${action.name}`,
	name: action.name,
	description: `${action.count} ${action.type} actions in the period`,
	tags: [
		{ name: "type", value: action.type },
		{ name: "count", value: action.count },
	],
});

/**
 * The 13 entries of Comprehensive Overview (and Comprehensive Analytics' 14th, Total Tokens). See
 * REPORTS.md for each entry's definition; in short:
 * - additive entries: value over the window, change against the previous window, chart per bucket;
 * - Total Users: all contacts now; change = contacts created in the window (growth); chart = running total at
 *   the end of each bucket; period "all time";
 * - Active Users: distinct contacts with a conversation created in the window (chart per bucket, not additive);
 * - averages: the cohort mean of the window (change against the previous window's cohort); the chart shows each
 *   bucket's messages of the type per conversation created in that bucket (a flow ratio, 2 decimals).
 * Lists: Active Users and Total Conversations rank contacts by conversations, Total Messages and Total User
 * Requests by messages, Total Agent Actions and Average Actions per Conversation the top actions, Total Tokens
 * the top 20 bots then the top 20 contacts by tokens.
 */
/**
 * A boundary after every instant a contact can be created at (ingest takes instants up to 9999-12-31 in any
 * offset). The contacts created before a window are the account's total less those created from the window's start
 * to this boundary: a read of the window and what follows it, rather than of everything since 1970.
 */
const AFTER_EVERY_CONTACT = Date.UTC(10000, 0, 2);

/** What both reports build on: the 13 entries, and the Total Tokens entry for a list of bots. */
const overviewParts = Effect.fnUntraced(function* (input: PeriodInput, context: ReportContext) {
	const period = yield* periodAt(input, context);
	const activity = yield* ActivityRepository;
	const accounts = yield* AccountRepository;
	const scope = { accountId: context.accountId };
	const current = toRange(period.current);
	const buckets = bucketBoundaries(period);
	const [counts, totalContacts, contactsCreated, activeNow, activeBefore, cohorts, contactRankings, actions] =
		yield* Effect.all(
			[
				slicedCounts(context.accountId, period),
				accounts.totalContacts(context.accountId),
				accounts.contactsCreated(context.accountId, [...buckets, AFTER_EVERY_CONTACT]),
				activity.activeContacts(scope, buckets),
				activity.activeContacts(scope, [period.previous.start, period.previous.end]),
				periodCohorts(scope, period),
				activity.contactRankings(context.accountId, current, OVERVIEW_LIST_LIMIT),
				activity.topActions(scope, current, OVERVIEW_LIST_LIMIT),
			],
			{ concurrency: "unbounded" },
		);
	const label = period.label;
	const chart = (values: ReadonlyArray<number>) => ({
		type: "line" as const,
		data: breakdownOf(period, values),
	});
	const additive = (
		metric: OverviewMetric,
		pick: (slice: ActivityCounts) => number,
		list?: ReadonlyArray<ListItem>,
	): OverviewEntry => {
		const value = pick(counts.current);
		return {
			...overviewTexts[metric],
			value,
			change: value - pick(counts.previous),
			period: label,
			details: {
				metric,
				chart: chart(counts.buckets.map(pick)),
				...(list === undefined ? {} : { list: [...list] }),
			},
		};
	};
	const ratingsChart = {
		type: "line" as const,
		data: bucketSpans(period).map((span, index) => {
			const slice = counts.buckets[index];
			return {
				...span,
				total: slice?.ratings ?? 0,
				thumbsUp: slice?.thumbsUp ?? 0,
				thumbsDown: slice?.thumbsDown ?? 0,
			};
		}),
	};
	const averageEntry = (
		metric: OverviewMetric,
		pick: (slice: {
			readonly userMessages: number;
			readonly botMessages: number;
			readonly activityMessages: number;
		}) => number,
		list?: ReadonlyArray<ListItem>,
	): OverviewEntry => {
		const value = average(pick(cohorts.current), cohorts.current.conversations);
		const previous = average(pick(cohorts.previous), cohorts.previous.conversations);
		return {
			...overviewTexts[metric],
			value,
			change: round(value - previous, 2),
			period: label,
			details: {
				metric,
				chart: chart(counts.buckets.map((slice) => average(pick(slice), slice.conversations))),
				...(list === undefined ? {} : { list: [...list] }),
			},
		};
	};
	// Contacts created before the window: all of them, less those created since its start (in its buckets or after).
	const createdInBuckets = contactsCreated.slice(0, -1);
	const createdBefore = totalContacts - sum(contactsCreated);
	let runningTotal = createdBefore;
	const contactsRunningTotal = createdInBuckets.map((created) => {
		runningTotal += created;
		return runningTotal;
	});
	const actionItems = actions.map(actionItem);
	const entries: Array<OverviewEntry> = [
		{
			...additive("totalRatings", (slice) => slice.ratings),
			details: { metric: "totalRatings", chart: ratingsChart },
		},
		{
			...additive("thumbsUp", (slice) => slice.thumbsUp),
			details: { metric: "thumbsUp", chart: ratingsChart },
		},
		{
			...additive("thumbsDown", (slice) => slice.thumbsDown),
			details: { metric: "thumbsDown", chart: ratingsChart },
		},
		{
			...overviewTexts.totalUsers,
			value: totalContacts,
			change: sum(createdInBuckets),
			period: "all time",
			details: { metric: "totalUsers", chart: chart(contactsRunningTotal) },
		},
		{
			...overviewTexts.activeUsers,
			value: activeNow.total,
			change: activeNow.total - activeBefore.total,
			period: label,
			details: {
				metric: "activeUsers",
				chart: chart(activeNow.perSlice),
				list: contactRankings.conversations.map(contactItem),
			},
		},
		additive("totalConversations", (slice) => slice.conversations, contactRankings.conversations.map(contactItem)),
		additive("totalMessages", (slice) => slice.messages, contactRankings.messages.map(contactItem)),
		additive("userMessages", (slice) => slice.userMessages, contactRankings.messages.map(contactItem)),
		additive("botMessages", (slice) => slice.botMessages),
		additive("activityMessages", (slice) => slice.activityMessages, actionItems),
		averageEntry("averageUserMessagesPerConversation", (slice) => slice.userMessages),
		averageEntry("averageBotMessagesPerConversation", (slice) => slice.botMessages),
		averageEntry("averageActionsPerConversation", (slice) => slice.activityMessages, actionItems),
	];
	const tokensEntry = (bots: ReadonlyArray<BotActivity>) =>
		additive("totalTokens", (slice) => slice.tokens, [
			...bots.map(botItem),
			...contactRankings.tokens.map(contactItem),
		]);
	return { entries, tokensEntry, current };
});

/** Comprehensive Overview's 13 entries. */
export const comprehensiveOverviewEntries = Effect.fnUntraced(function* (input: PeriodInput, context: ReportContext) {
	const { entries } = yield* overviewParts(input, context);
	return { data: entries } satisfies { data: Array<OverviewEntry> };
});

/** Comprehensive Analytics' 14: the Overview's, then Total Tokens with the top bots and then the top contacts. */
export const comprehensiveAnalyticsEntries = Effect.fnUntraced(function* (input: PeriodInput, context: ReportContext) {
	const { entries, tokensEntry, current } = yield* overviewParts(input, context);
	const activity = yield* ActivityRepository;
	const bots = yield* activity.topBots(context.accountId, current, "tokens", OVERVIEW_LIST_LIMIT);
	return { data: [...entries, tokensEntry(bots)] } satisfies { data: Array<OverviewEntry> };
});
