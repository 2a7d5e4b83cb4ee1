import type { ContactRow, ConversationRow, DataSnapshot, MessageRow, RatingRow } from "../rows.ts";

/**
 * A plain reference computation of every report's output straight from a `DataSnapshot`, written without the
 * time module, the repositories or the report programs: each event is placed by formatting its instant with
 * `Intl.DateTimeFormat` in the report's timezone (local date, local hour and offset) and windows are compared as
 * calendar-date strings. The differential tests run both over random data and demand deep equality.
 *
 * Inputs must already be valid (the reference does not validate); the result is the output, or the tag of the
 * expected failure for a missing bot or datasets.
 */

// The Overview's and Analytics' texts and list items, written here from REPORTS.md rather than imported from the
// programs: an oracle that shared them would check them against themselves.

/** Title and description of each Overview (and Analytics) entry. */
const overviewTexts = {
	totalRatings: ["Total Ratings", "All ratings created in the period"],
	thumbsUp: ["Thumbs Up", "Ratings above 0 created in the period"],
	thumbsDown: ["Thumbs Down", "Ratings below 0 created in the period"],
	totalUsers: ["Total Users", "All contacts of the account; change counts the contacts added in the period"],
	activeUsers: ["Active Users", "Distinct contacts with a conversation created in the period"],
	totalConversations: ["Total Conversations", "Conversations created in the period"],
	totalMessages: ["Total Messages", "Messages of every type sent in the period"],
	userMessages: ["Total User Requests", "User messages sent in the period"],
	botMessages: ["Total Agent Responses", "Bot messages sent in the period"],
	activityMessages: ["Total Agent Actions", "Activity messages (bot actions) sent in the period"],
	averageUserMessagesPerConversation: [
		"Average User Requests per Conversation",
		"Mean user messages per conversation created in the period",
	],
	averageBotMessagesPerConversation: [
		"Average Agent Responses per Conversation",
		"Mean bot messages per conversation created in the period",
	],
	averageActionsPerConversation: [
		"Average Actions per Conversation",
		"Mean activity messages per conversation created in the period",
	],
	totalTokens: ["Total Tokens", "Tokens of the messages sent in the period"],
} as const;

const textsOf = (metric: keyof typeof overviewTexts) => {
	const [title, description] = overviewTexts[metric];
	return { title, description };
};

interface ListItem {
	readonly id: string;
	readonly name: string;
	readonly description: string;
	readonly createdAt?: string;
	readonly tags: ReadonlyArray<{ readonly name: string; readonly value: string | number }>;
}

interface Activity {
	readonly id: string;
	readonly createdAt: Date;
	readonly conversations: number;
	readonly messages: number;
	readonly tokens: number;
}

/** A ranked contact or bot: named by name (contacts: else email, else nick), else its id. */
const activityItem = (kind: "contact" | "bot", name: string | null, entry: Activity): ListItem => ({
	id: entry.id,
	name: name ?? entry.id,
	description: `${entry.conversations} conversations, ${entry.messages} messages, ${entry.tokens} tokens in the period`,
	createdAt: entry.createdAt.toISOString(),
	tags: [
		{ name: "kind", value: kind },
		{ name: "conversations", value: entry.conversations },
		{ name: "messages", value: entry.messages },
		{ name: "tokens", value: entry.tokens },
	],
});

const contactItem = (
	entry: Activity & { readonly name: string | null; readonly email: string | null; readonly nick: string | null },
) => activityItem("contact", entry.name ?? entry.email ?? entry.nick, entry);

const botItem = (entry: Activity & { readonly name: string | null }) => activityItem("bot", entry.name, entry);

const actionItem = (action: { readonly type: string; readonly name: string; readonly count: number }): ListItem => ({
	id: `${action.type}:${action.name}`,
	name: action.name,
	description: `${action.count} ${action.type} actions in the period`,
	tags: [
		{ name: "type", value: action.type },
		{ name: "count", value: action.count },
	],
});

export type ReferenceResult =
	| { readonly ok: true; readonly value: unknown }
	| { readonly ok: false; readonly tag: string };

export interface ReferenceContext {
	readonly accountId: string;
	readonly now: number;
	/** The default timezone (X-Timezone); UTC when absent. */
	readonly timezone?: string;
}

// --------------------------------------------------------------------------------------------------------------
// Calendar strings

const DAY = 86_400_000;
const toUtc = (date: string) =>
	Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
const fromUtc = (utc: number) => new Date(utc).toISOString().slice(0, 10);
const shift = (date: string, days: number) => fromUtc(toUtc(date) + days * DAY);
const datesFrom = (first: string, last: string) => {
	const dates: Array<string> = [];
	for (let utc = toUtc(first); utc <= toUtc(last); utc += DAY) dates.push(fromUtc(utc));
	return dates;
};
const mondayOf = (date: string) => shift(date, -((new Date(toUtc(date)).getUTCDay() + 6) % 7));

const roundTo = (value: number, decimals: number) => {
	const factor = 10 ** decimals;
	const rounded = Math.round((value + Number.EPSILON * Math.sign(value)) * factor) / factor;
	return Object.is(rounded, -0) ? 0 : rounded;
};
const mean2 = (numerator: number, denominator: number) => (denominator === 0 ? 0 : roundTo(numerator / denominator, 2));

class Clockface {
	private readonly dateFormat: Intl.DateTimeFormat;
	private readonly hourFormat: Intl.DateTimeFormat;
	private readonly dates = new Map<number, string>();
	private readonly hours = new Map<number, string>();
	constructor(timezone: string) {
		this.dateFormat = new Intl.DateTimeFormat("en-US", {
			timeZone: timezone,
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
		});
		this.hourFormat = new Intl.DateTimeFormat("en-US", {
			timeZone: timezone,
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			hourCycle: "h23",
			timeZoneName: "longOffset",
		});
	}
	date(instant: number): string {
		let date = this.dates.get(instant);
		if (date === undefined) {
			const parts = Object.fromEntries(this.dateFormat.formatToParts(instant).map((part) => [part.type, part.value]));
			date = `${parts.year}-${parts.month}-${parts.day}`;
			this.dates.set(instant, date);
		}
		return date;
	}
	hour(instant: number): string {
		let hour = this.hours.get(instant);
		if (hour === undefined) {
			const parts = Object.fromEntries(this.hourFormat.formatToParts(instant).map((part) => [part.type, part.value]));
			const zone = String(parts.timeZoneName);
			const offset = zone === "GMT" ? "+00:00" : zone.slice(3);
			hour = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:00${offset}`;
			this.hours.set(instant, hour);
		}
		return hour;
	}
}

const clockfaces = new Map<string, Clockface>();
const clockfaceFor = (timezone: string) => {
	let clockface = clockfaces.get(timezone);
	if (clockface === undefined) {
		clockface = new Clockface(timezone);
		clockfaces.set(timezone, clockface);
	}
	return clockface;
};

interface Window {
	readonly clock: Clockface;
	readonly first: string;
	readonly last: string;
	readonly previousFirst: string;
	readonly previousLast: string;
	readonly today: string;
	readonly label: string;
	readonly granularity: string;
	readonly buckets: ReadonlyArray<string>;
	readonly inCurrent: (instant: Date) => boolean;
	readonly inPrevious: (instant: Date) => boolean;
	readonly bucketOf: (instant: Date) => string;
	/** A bucket's label with its `[start, end)` as ISO-8601 instants. */
	readonly spanOf: (bucket: string) => { readonly date: string; readonly start: string; readonly end: string };
}

/**
 * The first instant whose local date in `clock`'s zone is `date` or later, found by bisection over milliseconds:
 * local midnight, or the first instant of the day when the zone skips midnight.
 */
const firstInstants = new WeakMap<Clockface, Map<string, number>>();
const firstInstantOf = (clock: Clockface, date: string): number => {
	let known = firstInstants.get(clock);
	if (known === undefined) {
		known = new Map();
		firstInstants.set(clock, known);
	}
	const kept = known.get(date);
	if (kept !== undefined) return kept;
	// Every offset lies within −12 h and +14 h: 15 h before UTC midnight is still the day before, 13 h after is the day.
	let before = toUtc(date) - 15 * 3_600_000;
	let onOrAfter = toUtc(date) + 13 * 3_600_000;
	while (onOrAfter - before > 1) {
		const middle = Math.floor((before + onOrAfter) / 2);
		if (clock.date(middle) >= date) onOrAfter = middle;
		else before = middle;
	}
	known.set(date, onOrAfter);
	return onOrAfter;
};

// biome-ignore lint/suspicious/noExplicitAny: the reference reads already-validated, loosely typed inputs
type Input = Record<string, any>;

const windowOf = (input: Input, context: ReferenceContext, defaultDays: number): Window => {
	const clock = clockfaceFor(input.timezone ?? context.timezone ?? "UTC");
	const today = clock.date(context.now);
	let first: string;
	let last: string;
	let label: string;
	if (input.startDate !== undefined) {
		first = input.startDate;
		last = input.endDate;
		label = `${first} to ${last}`;
	} else {
		const days: number = input.periodDays ?? defaultDays;
		last = today;
		first = shift(today, -(days - 1));
		label = days === 1 ? "last 1 day" : `last ${days} days`;
	}
	const length = datesFrom(first, last).length;
	const previousFirst = shift(first, -length);
	const previousLast = shift(first, -1);
	const granularity: string = input.granularity ?? "day";
	const dateBucket = (date: string) => {
		if (granularity === "week") return mondayOf(date) < first ? first : mondayOf(date);
		if (granularity === "month") return `${date.slice(0, 8)}01` < first ? first : `${date.slice(0, 8)}01`;
		return date;
	};
	let buckets: Array<string>;
	if (granularity === "hour") {
		buckets = [];
		for (
			let instant = toUtc(first) - 15 * 3_600_000;
			instant < toUtc(last) + DAY + 15 * 3_600_000;
			instant += 900_000
		) {
			const date = clock.date(instant);
			if (date < first || date > last) continue;
			const hour = clock.hour(instant);
			if (buckets[buckets.length - 1] !== hour) buckets.push(hour);
		}
	} else {
		buckets = [...new Set(datesFrom(first, last).map(dateBucket))];
	}
	const inCurrent = (instant: Date) => {
		const date = clock.date(instant.getTime());
		return date >= first && date <= last;
	};
	const inPrevious = (instant: Date) => {
		const date = clock.date(instant.getTime());
		return date >= previousFirst && date <= previousLast;
	};
	const bucketOf = (instant: Date) =>
		granularity === "hour" ? clock.hour(instant.getTime()) : dateBucket(clock.date(instant.getTime()));
	// A day, week or month starts at the local start of its date. An hour's label is its local start with its offset,
	// and that is its first instant unless a shift by less than an hour gave the instant another label (Lord Howe's
	// 02:00 +11:00 → 01:30 +10:30): then the hour starts later within the hour, at the first instant it labels.
	const startOf = (bucket: string) => {
		if (granularity !== "hour") return firstInstantOf(clock, bucket);
		const nominal = Date.parse(bucket);
		if (clock.hour(nominal) === bucket) return nominal;
		let before = nominal;
		let within = nominal + 3_599_999;
		while (within - before > 1) {
			const middle = Math.floor((before + within) / 2);
			if (clock.hour(middle) === bucket) within = middle;
			else before = middle;
		}
		return within;
	};
	const spanOf = (bucket: string) => {
		const next = buckets[buckets.indexOf(bucket) + 1];
		const end = next === undefined ? firstInstantOf(clock, shift(last, 1)) : startOf(next);
		return { date: bucket, start: new Date(startOf(bucket)).toISOString(), end: new Date(end).toISOString() };
	};
	return {
		clock,
		first,
		last,
		previousFirst,
		previousLast,
		today,
		label,
		granularity,
		buckets,
		inCurrent,
		inPrevious,
		bucketOf,
		spanOf,
	};
};

interface Weighted {
	readonly at: Date;
	readonly weight: number;
}

const seriesOf = (window: Window, events: ReadonlyArray<Weighted>) => {
	let value = 0;
	let previous = 0;
	const perBucket = new Map<string, number>(window.buckets.map((bucket) => [bucket, 0]));
	for (const event of events) {
		if (window.inCurrent(event.at)) {
			value += event.weight;
			const bucket = window.bucketOf(event.at);
			perBucket.set(bucket, (perBucket.get(bucket) ?? Number.NaN) + event.weight);
		} else if (window.inPrevious(event.at)) previous += event.weight;
	}
	return {
		value,
		previous,
		breakdown: window.buckets.map((date) => ({ ...window.spanOf(date), total: perBucket.get(date) ?? 0 })),
	};
};

const standard = (window: Window, events: ReadonlyArray<Weighted>) => {
	const { value, previous, breakdown } = seriesOf(window, events);
	return {
		value,
		change: value - previous,
		previous,
		changePercent: previous === 0 ? null : roundTo(((value - previous) / previous) * 100, 2),
		period: window.label,
		breakdown,
	};
};

const sentiment = (up: number, down: number) =>
	up === 0 && down === 0 ? "unknown" : up > down ? "positive" : up < down ? "negative" : "neutral";

// --------------------------------------------------------------------------------------------------------------
// Account data

const accountData = (snapshot: DataSnapshot, accountId: string, botId?: string) => {
	const conversations = snapshot.conversations.filter(
		(row) => row.accountId === accountId && (botId === undefined || row.botId === botId),
	);
	const conversationById = new Map<string, ConversationRow>(conversations.map((row) => [row.id, row]));
	const messages = snapshot.messages.filter(
		(row) => row.accountId === accountId && conversationById.has(row.conversationId),
	);
	const ratings = snapshot.ratings.filter(
		(row) => row.accountId === accountId && (botId === undefined || row.botId === botId),
	);
	const contacts = snapshot.contacts.filter((row) => row.accountId === accountId);
	return { conversations, conversationById, messages, ratings, contacts };
};

const at = (row: { readonly createdAt: Date }, weight = 1): Weighted => ({ at: row.createdAt, weight });
const ofType = (messages: ReadonlyArray<MessageRow>, type: string) => messages.filter((row) => row.type === type);
const thumbsUpOf = (ratings: ReadonlyArray<RatingRow>) => ratings.filter((row) => row.value > 0);
const thumbsDownOf = (ratings: ReadonlyArray<RatingRow>) => ratings.filter((row) => row.value < 0);

const cohortOf = (
	conversations: ReadonlyArray<ConversationRow>,
	messages: ReadonlyArray<MessageRow>,
	member: (at: Date) => boolean,
) => {
	const ids = new Set(conversations.filter((row) => member(row.createdAt)).map((row) => row.id));
	const own = messages.filter((row) => ids.has(row.conversationId));
	const userPerConversation = new Map<string, number>([...ids].map((id) => [id, 0]));
	for (const message of ofType(own, "user")) {
		userPerConversation.set(message.conversationId, (userPerConversation.get(message.conversationId) ?? 0) + 1);
	}
	const depths = [...userPerConversation.values()];
	return {
		conversations: ids.size,
		messages: own.length,
		user: ofType(own, "user").length,
		bot: ofType(own, "bot").length,
		activity: ofType(own, "activity").length,
		tokens: own.reduce((total, row) => total + row.tokens, 0),
		depths,
	};
};

const compareText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

const topActionsOf = (messages: ReadonlyArray<MessageRow>, member: (at: Date) => boolean, limit: number) => {
	const counts = new Map<string, { type: string; name: string; count: number }>();
	for (const message of messages) {
		if (message.type !== "activity" || !member(message.createdAt)) continue;
		const type = message.actionType ?? "unknown";
		const name = message.actionName ?? "unknown";
		const key = `${type}\u0000${name}`;
		counts.set(key, { type, name, count: (counts.get(key)?.count ?? 0) + 1 });
	}
	return [...counts.values()]
		.sort((a, b) => b.count - a.count || compareText(a.type, b.type) || compareText(a.name, b.name))
		.slice(0, limit);
};

const ownerTotals = <Row extends { readonly id: string }>(
	rows: ReadonlyArray<Row>,
	data: ReturnType<typeof accountData>,
	window: Window,
	owner: (conversation: ConversationRow) => string | null,
) =>
	rows.map((row) => {
		const conversations = data.conversations.filter((c) => owner(c) === row.id && window.inCurrent(c.createdAt)).length;
		const sent = data.messages.filter((m) => {
			const conversation = data.conversationById.get(m.conversationId);
			return conversation !== undefined && owner(conversation) === row.id && window.inCurrent(m.createdAt);
		});
		return { row, conversations, messages: sent.length, tokens: sent.reduce((total, m) => total + m.tokens, 0) };
	});

const rankBy = <T extends { row: { id: string }; conversations: number; messages: number; tokens: number }>(
	rows: ReadonlyArray<T>,
	by: "conversations" | "messages" | "tokens",
	limit: number,
) =>
	rows
		.filter((entry) => entry[by] > 0)
		.sort((a, b) => b[by] - a[by] || compareText(a.row.id, b.row.id))
		.slice(0, limit);

const contactList = (
	data: ReturnType<typeof accountData>,
	window: Window,
	by: "conversations" | "messages" | "tokens",
): Array<ListItem> =>
	rankBy(
		ownerTotals(data.contacts, data, window, (c) => c.contactId),
		by,
		20,
	).map((entry) => contactItem({ ...entry.row, ...entry }));

// --------------------------------------------------------------------------------------------------------------
// Alerts

const severityFor = (value: number, levels: ReadonlyArray<readonly [number, string]>) => {
	const rounded = roundTo(value, 6);
	for (const [threshold, severity] of levels) if (rounded >= threshold) return severity;
	return undefined;
};

interface ReferenceAlert {
	readonly type: string;
	readonly severity: string;
	readonly metric: { readonly current: number; readonly baseline: number; readonly percentage: number };
}

const summaryOf = (alerts: ReadonlyArray<ReferenceAlert>, period: string) => ({
	alerts,
	summary: {
		totalAlerts: alerts.length,
		criticalCount: alerts.filter((a) => a.severity === "critical").length,
		warningCount: alerts.filter((a) => a.severity === "warning").length,
		infoCount: alerts.filter((a) => a.severity === "info").length,
	},
	period,
});

const shareAlerts = (type: string, up: number, down: number, minimum: number): Array<ReferenceAlert> => {
	const rated = up + down;
	if (rated < minimum || rated === 0) return [];
	const share = (down / rated) * 100;
	const severity = severityFor(share, [
		[50, "critical"],
		[30, "warning"],
	]);
	return severity === undefined
		? []
		: [{ type, severity, metric: { current: down, baseline: rated, percentage: roundTo(share, 2) } }];
};

const changeAlert = (
	type: string,
	current: number,
	baseline: number,
	levels: ReadonlyArray<readonly [number, string]>,
): Array<ReferenceAlert> => {
	const change = ((current - baseline) / baseline) * 100;
	const severity = severityFor(change, levels);
	return severity === undefined
		? []
		: [{ type, severity, metric: { current, baseline, percentage: roundTo(change, 2) } }];
};

// --------------------------------------------------------------------------------------------------------------
// Reports

const nameOf = (contact: ContactRow | undefined) =>
	contact === undefined ? null : (contact.name ?? contact.email ?? contact.nick ?? null);

export const referenceReport = (
	snapshot: DataSnapshot,
	reportId: string,
	input: Input,
	context: ReferenceContext,
): ReferenceResult => {
	const { accountId } = context;
	const botId: string | undefined = input.botId;
	if (botId !== undefined && !snapshot.bots.some((bot) => bot.accountId === accountId && bot.id === botId)) {
		return { ok: false, tag: "ResourceNotFound" };
	}
	const data = accountData(snapshot, accountId, botId);
	const ok = (value: unknown): ReferenceResult => ({ ok: true, value });
	const window = () => windowOf(input, context, reportId === "clr3m5n8k000i08jqfv3w4x9s" ? 7 : 30);
	switch (reportId) {
		case "cm7k3m5n8k000008jq7h9e5b1a": {
			const ids: Array<string> = [...new Set<string>(input.datasetIds)];
			const owned = new Set(snapshot.datasets.filter((row) => row.accountId === accountId).map((row) => row.id));
			const breakdown = ids
				.filter((id) => owned.has(id))
				.map((datasetId) => ({
					datasetId,
					records: snapshot.records.filter((row) => row.accountId === accountId && row.datasetId === datasetId).length,
				}));
			if (breakdown.length === 0) return { ok: false, tag: "ResourceNotFound" };
			return ok({
				totalRecords: breakdown.reduce((total, entry) => total + entry.records, 0),
				breakdown,
				notFound: ids.filter((id) => !owned.has(id)),
			});
		}
		case "clr3m5n8k000008jq7h9e5b1a": {
			const w = window();
			const current = data.ratings.filter((row) => w.inCurrent(row.createdAt));
			return ok({
				...standard(
					w,
					data.ratings.map((row) => at(row)),
				),
				thumbsUp: thumbsUpOf(current).length,
				thumbsDown: thumbsDownOf(current).length,
			});
		}
		case "clr3m5n8k000108jq3c4d7f2b":
			return ok(
				standard(
					window(),
					thumbsUpOf(data.ratings).map((row) => at(row)),
				),
			);
		case "clr3m5n8k000208jq8e5f6g3c":
			return ok(
				standard(
					window(),
					thumbsDownOf(data.ratings).map((row) => at(row)),
				),
			);
		case "clr3m5n8k000308jq1h7i8j4d":
			return ok({ value: data.contacts.length, period: "all time" });
		case "clr3m5n8k000408jq9i8j9k5e": {
			const w = window();
			const distinct = (member: (row: ConversationRow) => boolean) =>
				new Set(data.conversations.filter((row) => row.contactId !== null && member(row)).map((row) => row.contactId))
					.size;
			const value = distinct((row) => w.inCurrent(row.createdAt));
			const previous = distinct((row) => w.inPrevious(row.createdAt));
			return ok({
				value,
				change: value - previous,
				previous,
				changePercent: previous === 0 ? null : roundTo(((value - previous) / previous) * 100, 2),
				period: w.label,
				breakdown: w.buckets.map((date) => ({
					...w.spanOf(date),
					total: distinct((row) => w.inCurrent(row.createdAt) && w.bucketOf(row.createdAt) === date),
				})),
			});
		}
		case "clr3m5n8k000508jq2j9k0l6f":
			return ok(
				standard(
					window(),
					data.conversations.map((row) => at(row)),
				),
			);
		case "clr3m5n8k000608jq3k0l1m7g":
			return ok(
				standard(
					window(),
					data.messages.map((row) => at(row)),
				),
			);
		case "clr3m5n8k000708jq4l1m2n8h":
			return ok(
				standard(
					window(),
					ofType(data.messages, "user").map((row) => at(row)),
				),
			);
		case "clr3m5n8k000808jq5m2n3o9i":
			return ok(
				standard(
					window(),
					ofType(data.messages, "bot").map((row) => at(row)),
				),
			);
		case "clr3m5n8k000908jq6n3o4p0j":
			return ok(
				standard(
					window(),
					ofType(data.messages, "activity").map((row) => at(row)),
				),
			);
		case "clr3m5n8k000a08jq7o4p5q1k":
		case "clr3m5n8k000b08jq8p5q6r2l":
		case "clr3m5n8k000c08jq9q6r7s3m": {
			const w = window();
			const cohort = cohortOf(data.conversations, data.messages, w.inCurrent);
			const numerator =
				reportId === "clr3m5n8k000a08jq7o4p5q1k"
					? cohort.user
					: reportId === "clr3m5n8k000b08jq8p5q6r2l"
						? cohort.bot
						: cohort.activity;
			return ok({ value: mean2(numerator, cohort.conversations), period: w.label });
		}
		case "clr3m5n8k000d08jqar7s8t4n":
		case "gpv2an25fuhe2k6v6ckv85v8":
			return ok(
				overview(snapshot, accountId, data, windowOf(input, context, 30), reportId === "gpv2an25fuhe2k6v6ckv85v8"),
			);
		case "clr3m5n8k000e08jqbs0t1u5o": {
			const w = window();
			const ratings = data.ratings.filter((row) => w.inCurrent(row.createdAt));
			const messages = data.messages.filter((row) => w.inCurrent(row.createdAt));
			const up = thumbsUpOf(ratings).length;
			const down = thumbsDownOf(ratings).length;
			return ok({
				totalConversations: data.conversations.filter((row) => w.inCurrent(row.createdAt)).length,
				totalMessages: messages.length,
				totalTokens: messages.reduce((total, row) => total + row.tokens, 0),
				totalRatings: ratings.length,
				thumbsUp: up,
				thumbsDown: down,
				sentimentSignal: sentiment(up, down),
				period: w.label,
			});
		}
		case "clr3m5n8k000f08jqcs1u2v6p": {
			const w = window();
			const alerts: Array<ReferenceAlert> = [];
			const completeDays = datesFrom(w.first, w.last).filter((date) => date < w.today);
			const perDay = (events: ReadonlyArray<Weighted>) =>
				completeDays.map((date) =>
					events
						.filter((event) => w.clock.date(event.at.getTime()) === date)
						.reduce((total, event) => total + event.weight, 0),
				);
			const usage: Array<[string, Array<number>]> = [
				["tokens", perDay(data.messages.map((row) => at(row, row.tokens)))],
				["conversations", perDay(data.conversations.map((row) => at(row)))],
				["messages", perDay(data.messages.map((row) => at(row)))],
			];
			for (const [, values] of usage) {
				if (values.length < 3) continue;
				const latest = values[values.length - 1] as number;
				const others = values.slice(0, -1);
				const meanValue = others.reduce((a, b) => a + b, 0) / others.length;
				if (meanValue <= 0) continue;
				const change = ((latest - meanValue) / meanValue) * 100;
				const severity = severityFor(change, [
					[100, "critical"],
					[50, "warning"],
					[20, "info"],
				]);
				if (severity !== undefined) {
					alerts.push({
						type: "usageSpike",
						severity,
						metric: { current: latest, baseline: roundTo(meanValue, 2), percentage: roundTo(change, 2) },
					});
				}
			}
			const account = snapshot.accounts.find((row) => row.id === accountId);
			const resources = ["datasets", "records", "skillsets", "abilities", "files"] as const;
			for (const resource of resources) {
				const limit = account?.limits[resource] ?? null;
				if (limit === null || limit <= 0) continue;
				const used = snapshot[resource].filter((row) => row.accountId === accountId).length;
				const utilisation = (used / limit) * 100;
				const severity = severityFor(utilisation, [
					[100, "critical"],
					[80, "warning"],
				]);
				if (severity !== undefined) {
					alerts.push({
						type: "limit",
						severity,
						metric: { current: used, baseline: limit, percentage: roundTo(utilisation, 2) },
					});
				}
			}
			const current = data.ratings.filter((row) => w.inCurrent(row.createdAt));
			const previous = data.ratings.filter((row) => w.inPrevious(row.createdAt));
			const [up, down] = [thumbsUpOf(current).length, thumbsDownOf(current).length];
			const [previousUp, previousDown] = [thumbsUpOf(previous).length, thumbsDownOf(previous).length];
			alerts.push(...shareAlerts("negativeFeedback", up, down, 10));
			if (up + down >= 10 && previousUp + previousDown >= 10) {
				const share = (down / (up + down)) * 100;
				const previousShare = (previousDown / (previousUp + previousDown)) * 100;
				const severity = severityFor(share - previousShare, [
					[35, "critical"],
					[20, "warning"],
				]);
				if (severity !== undefined) {
					alerts.push({
						type: "sentiment",
						severity,
						metric: {
							current: roundTo(share, 2),
							baseline: roundTo(previousShare, 2),
							percentage: roundTo(share - previousShare, 2),
						},
					});
				}
			}
			const conversationsNow = data.conversations.filter((row) => w.inCurrent(row.createdAt)).length;
			const conversationsBefore = data.conversations.filter((row) => w.inPrevious(row.createdAt)).length;
			if (conversationsBefore > 0) {
				alerts.push(...changeAlert("activity", conversationsNow, conversationsBefore, [[200, "info"]]));
			}
			return ok(summaryOf(alerts, w.label));
		}
		case "clr3m5n8k000g08jqdt1u2v7q": {
			const w = window();
			const trend = (events: ReadonlyArray<Weighted>) => {
				const series = seriesOf(w, events);
				return {
					current: series.value,
					previous: series.previous,
					change: series.value - series.previous,
					breakdown: series.breakdown,
				};
			};
			const ratingSeries = seriesOf(
				w,
				data.ratings.map((row) => at(row)),
			);
			const upSeries = seriesOf(
				w,
				thumbsUpOf(data.ratings).map((row) => at(row)),
			);
			const downSeries = seriesOf(
				w,
				thumbsDownOf(data.ratings).map((row) => at(row)),
			);
			return ok({
				conversations: trend(data.conversations.map((row) => at(row))),
				messages: trend(data.messages.map((row) => at(row))),
				tokens: trend(data.messages.map((row) => at(row, row.tokens))),
				ratings: {
					thumbsUp: upSeries.value,
					thumbsDown: downSeries.value,
					total: ratingSeries.value,
					change: ratingSeries.value - ratingSeries.previous,
					sentimentSignal: sentiment(upSeries.value, downSeries.value),
					breakdown: ratingSeries.breakdown.map((entry, index) => ({
						...entry,
						thumbsUp: upSeries.breakdown[index]?.total,
						thumbsDown: downSeries.breakdown[index]?.total,
					})),
				},
				period: w.label,
			});
		}
		case "clr3m5n8k000h08jqeu2v3w8r": {
			const w = window();
			const cohort = cohortOf(data.conversations, data.messages, w.inCurrent);
			const singleTurn = cohort.depths.filter((d) => d <= 1).length;
			return ok({
				avgMessagesPerConversation: {
					user: mean2(cohort.user, cohort.conversations),
					bot: mean2(cohort.bot, cohort.conversations),
					activity: mean2(cohort.activity, cohort.conversations),
				},
				conversationDepth: {
					singleTurn,
					short: cohort.depths.filter((d) => d >= 2 && d <= 3).length,
					medium: cohort.depths.filter((d) => d >= 4 && d <= 10).length,
					long: cohort.depths.filter((d) => d >= 11).length,
				},
				totalConversations: cohort.conversations,
				abandonmentRate: cohort.conversations === 0 ? 0 : roundTo((singleTurn / cohort.conversations) * 100, 1),
				avgTokensPerConversation: mean2(cohort.tokens, cohort.conversations),
				avgTokensPerMessage: mean2(cohort.tokens, cohort.messages),
				topActions: topActionsOf(data.messages, w.inCurrent, 10),
				period: w.label,
			});
		}
		case "clr3m5n8k000i08jqfv3w4x9s": {
			const w = window();
			const current = data.ratings.filter((row) => w.inCurrent(row.createdAt));
			const alerts: Array<ReferenceAlert> = [
				...shareAlerts("negativeFeedback", thumbsUpOf(current).length, thumbsDownOf(current).length, 3),
			];
			const tokensNow = data.messages.filter((m) => w.inCurrent(m.createdAt)).reduce((t, m) => t + m.tokens, 0);
			const tokensBefore = data.messages.filter((m) => w.inPrevious(m.createdAt)).reduce((t, m) => t + m.tokens, 0);
			if (tokensBefore > 0) {
				alerts.push(
					...changeAlert("tokenSpike", tokensNow, tokensBefore, [
						[100, "critical"],
						[50, "warning"],
					]),
				);
			}
			const conversationsNow = data.conversations.filter((c) => w.inCurrent(c.createdAt)).length;
			const conversationsBefore = data.conversations.filter((c) => w.inPrevious(c.createdAt)).length;
			if (conversationsBefore >= 5) {
				const drop = -(((conversationsNow - conversationsBefore) / conversationsBefore) * 100);
				const severity = severityFor(drop, [
					[75, "critical"],
					[50, "warning"],
				]);
				if (severity !== undefined) {
					alerts.push({
						type: "conversationDrop",
						severity,
						metric: { current: conversationsNow, baseline: conversationsBefore, percentage: roundTo(-drop, 2) },
					});
				}
			}
			// Abandonment as Bot Conversation Quality states it: 0–1 user messages over all the cohort's conversations.
			const engagement = (member: (at: Date) => boolean) => {
				const { depths } = cohortOf(data.conversations, data.messages, member);
				return {
					engaged: depths.filter((d) => d >= 1).length,
					rate: (depths.filter((d) => d <= 1).length / depths.length) * 100,
				};
			};
			const now = engagement(w.inCurrent);
			const before = engagement(w.inPrevious);
			if (now.engaged >= 5 && before.engaged >= 5) {
				const severity = severityFor(now.rate - before.rate, [
					[30, "critical"],
					[20, "warning"],
				]);
				if (severity !== undefined) {
					alerts.push({
						type: "abandonmentSpike",
						severity,
						metric: {
							current: roundTo(now.rate, 2),
							baseline: roundTo(before.rate, 2),
							percentage: roundTo(now.rate - before.rate, 2),
						},
					});
				}
			}
			return ok(summaryOf(alerts, w.label));
		}
		case "clr3m5n8k000j08jqgw4x5y0t": {
			const w = window();
			const current = data.ratings.filter((row) => w.inCurrent(row.createdAt));
			const contacts = new Map(data.contacts.map((row) => [row.id, row]));
			const items = thumbsDownOf(current)
				.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || compareText(b.id, a.id))
				.slice(0, input.limit ?? 10)
				.map((row) => ({
					id: row.id,
					value: row.value,
					reason: row.reason,
					conversationId: row.conversationId,
					messageId: row.messageId,
					contactId: row.contactId,
					contactName: row.contactId === null ? null : nameOf(contacts.get(row.contactId)),
					createdAt: row.createdAt.toISOString(),
				}));
			return ok({
				items,
				total: current.length,
				thumbsDown: thumbsDownOf(current).length,
				thumbsUp: thumbsUpOf(current).length,
				period: w.label,
			});
		}
		default:
			return { ok: false, tag: "ReportNotFound" };
	}
};

const overview = (
	snapshot: DataSnapshot,
	accountId: string,
	data: ReturnType<typeof accountData>,
	w: Window,
	withTokens: boolean,
) => {
	const chartOf = (events: ReadonlyArray<Weighted>) => ({ type: "line" as const, data: seriesOf(w, events).breakdown });
	const additive = (metric: keyof typeof overviewTexts, events: ReadonlyArray<Weighted>, list?: Array<ListItem>) => {
		const series = seriesOf(w, events);
		return {
			...textsOf(metric),
			value: series.value,
			change: series.value - series.previous,
			period: w.label,
			details: { metric, chart: { type: "line" as const, data: series.breakdown }, ...(list ? { list } : {}) },
		};
	};
	const ratingEvents = data.ratings.map((row) => at(row));
	const upEvents = thumbsUpOf(data.ratings).map((row) => at(row));
	const downEvents = thumbsDownOf(data.ratings).map((row) => at(row));
	const upChart = chartOf(upEvents).data;
	const downChart = chartOf(downEvents).data;
	const ratingsChart = {
		type: "line" as const,
		data: chartOf(ratingEvents).data.map((entry, index) => ({
			...entry,
			thumbsUp: upChart[index]?.total,
			thumbsDown: downChart[index]?.total,
		})),
	};
	const contactsInWindow = data.contacts.filter((row) => w.inCurrent(row.createdAt));
	const conversationsInBucket = new Map<string, number>();
	for (const row of data.conversations) {
		if (w.inCurrent(row.createdAt)) {
			const bucket = w.bucketOf(row.createdAt);
			conversationsInBucket.set(bucket, (conversationsInBucket.get(bucket) ?? 0) + 1);
		}
	}
	const cohortNow = cohortOf(data.conversations, data.messages, w.inCurrent);
	const cohortBefore = cohortOf(data.conversations, data.messages, w.inPrevious);
	const averageEntry = (
		metric: keyof typeof overviewTexts,
		type: "user" | "bot" | "activity",
		list?: Array<ListItem>,
	) => {
		const value = mean2(cohortNow[type], cohortNow.conversations);
		const previous = mean2(cohortBefore[type], cohortBefore.conversations);
		const flow = seriesOf(
			w,
			ofType(data.messages, type).map((row) => at(row)),
		).breakdown;
		return {
			...textsOf(metric),
			value,
			change: roundTo(value - previous, 2),
			period: w.label,
			details: {
				metric,
				chart: {
					type: "line" as const,
					data: flow.map((entry) => ({
						...entry,
						total: mean2(entry.total, conversationsInBucket.get(entry.date) ?? 0),
					})),
				},
				...(list ? { list } : {}),
			},
		};
	};
	// Running total of contacts at the end of each bucket: everything created before the window, plus the buckets so far.
	const createdBefore = data.contacts.filter((row) => w.clock.date(row.createdAt.getTime()) < w.first).length;
	const createdPerBucket = seriesOf(
		w,
		contactsInWindow.map((row) => at(row)),
	).breakdown;
	let running = createdBefore;
	const activeIn = (member: (row: ConversationRow) => boolean) =>
		new Set(data.conversations.filter((row) => row.contactId !== null && member(row)).map((row) => row.contactId)).size;
	const activeNow = activeIn((row) => w.inCurrent(row.createdAt));
	const byConversations = contactList(data, w, "conversations");
	const byMessages = contactList(data, w, "messages");
	const actions = topActionsOf(data.messages, w.inCurrent, 20).map(actionItem);
	const entries: Array<unknown> = [
		{ ...additive("totalRatings", ratingEvents), details: { metric: "totalRatings", chart: ratingsChart } },
		{ ...additive("thumbsUp", upEvents), details: { metric: "thumbsUp", chart: ratingsChart } },
		{ ...additive("thumbsDown", downEvents), details: { metric: "thumbsDown", chart: ratingsChart } },
		{
			...textsOf("totalUsers"),
			value: data.contacts.length,
			change: contactsInWindow.length,
			period: "all time",
			details: {
				metric: "totalUsers",
				chart: {
					type: "line" as const,
					data: createdPerBucket.map((entry) => {
						running += entry.total;
						return { ...entry, total: running };
					}),
				},
			},
		},
		{
			...textsOf("activeUsers"),
			value: activeNow,
			change: activeNow - activeIn((row) => w.inPrevious(row.createdAt)),
			period: w.label,
			details: {
				metric: "activeUsers",
				chart: {
					type: "line" as const,
					data: w.buckets.map((date) => ({
						...w.spanOf(date),
						total: activeIn((row) => w.inCurrent(row.createdAt) && w.bucketOf(row.createdAt) === date),
					})),
				},
				list: byConversations,
			},
		},
		additive(
			"totalConversations",
			data.conversations.map((row) => at(row)),
			byConversations,
		),
		additive(
			"totalMessages",
			data.messages.map((row) => at(row)),
			byMessages,
		),
		additive(
			"userMessages",
			ofType(data.messages, "user").map((row) => at(row)),
			byMessages,
		),
		additive(
			"botMessages",
			ofType(data.messages, "bot").map((row) => at(row)),
		),
		additive(
			"activityMessages",
			ofType(data.messages, "activity").map((row) => at(row)),
			actions,
		),
		averageEntry("averageUserMessagesPerConversation", "user"),
		averageEntry("averageBotMessagesPerConversation", "bot"),
		averageEntry("averageActionsPerConversation", "activity", actions),
	];
	if (withTokens) {
		const accountBots = snapshot.bots.filter((row) => row.accountId === accountId);
		const botList = rankBy(
			ownerTotals(accountBots, data, w, (c) => c.botId),
			"tokens",
			20,
		).map((entry) => botItem({ ...entry.row, ...entry }));
		entries.push(
			additive(
				"totalTokens",
				data.messages.map((row) => at(row, row.tokens)),
				[...botList, ...contactList(data, w, "tokens")],
			),
		);
	}
	return { data: entries };
};
