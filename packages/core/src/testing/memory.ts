import { Effect, Layer } from "effect";
import {
	AccountRepository,
	type ActionCount,
	type ActivityCounts,
	ActivityRepository,
	type ActivityScope,
	type BotActivity,
	type ContactActivity,
	type ConversationQuery,
	type ConversationSummary,
	type RatingDetail,
	type SliceBoundaries,
	type TimeRange,
} from "../repositories.ts";
import type { ContactRow, ConversationRow, DataSnapshot, MessageRow } from "../rows.ts";

/**
 * The repository services over an in-memory `DataSnapshot`, written as straightforward loops. They define the
 * semantics the PostgreSQL layers must match:
 * - a slice or range is half-open `[start, end)`; conversations count by their own `createdAt`, messages and
 *   ratings by theirs;
 * - a bot scope selects the bot's conversations, the messages of those conversations and ratings whose `botId` is
 *   the bot;
 * - rankings break ties by ascending id (string code-unit order); actions by type, then name; an activity
 *   message without an action type or name is ranked under "unknown";
 * - `topContacts` / `topBots` list only rows whose ranking metric is above 0.
 */

const inRange = (instant: Date, range: TimeRange) => instant.getTime() >= range.start && instant.getTime() < range.end;

/** Index of the slice containing `instant`, or -1. */
const sliceOf = (instant: Date, boundaries: SliceBoundaries): number => {
	const time = instant.getTime();
	const first = boundaries[0];
	const last = boundaries[boundaries.length - 1];
	if (first === undefined || last === undefined || time < first || time >= last) return -1;
	let low = 0;
	let high = boundaries.length - 1;
	// invariant: boundaries[low] <= time < boundaries[high]
	while (high - low > 1) {
		const mid = (low + high) >> 1;
		if ((boundaries[mid] as number) <= time) low = mid;
		else high = mid;
	}
	return low;
};

const emptyCounts = (): { -readonly [K in keyof ActivityCounts]: number } => ({
	conversations: 0,
	messages: 0,
	userMessages: 0,
	botMessages: 0,
	activityMessages: 0,
	tokens: 0,
	ratings: 0,
	thumbsUp: 0,
	thumbsDown: 0,
});

const contactName = (contact: ContactRow | undefined): string | null =>
	contact === undefined ? null : (contact.name ?? contact.email ?? contact.nick ?? null);

const byIdAscending = (left: { readonly id: string }, right: { readonly id: string }) =>
	left.id < right.id ? -1 : left.id > right.id ? 1 : 0;

/** Plain (non-Effect) implementation, also handy for assertions in tests. */
export const memoryQueries = (snapshot: DataSnapshot) => {
	const conversationsOf = (scope: ActivityScope): Array<ConversationRow> =>
		snapshot.conversations.filter(
			(conversation) =>
				conversation.accountId === scope.accountId && (scope.botId === undefined || conversation.botId === scope.botId),
		);
	const conversationIndex = (accountId: string) => {
		const index = new Map<string, ConversationRow>();
		for (const conversation of snapshot.conversations) {
			if (conversation.accountId === accountId) index.set(conversation.id, conversation);
		}
		return index;
	};
	const messagesOf = (scope: ActivityScope): Array<MessageRow> => {
		const conversations = conversationIndex(scope.accountId);
		return snapshot.messages.filter((message) => {
			if (message.accountId !== scope.accountId) return false;
			if (scope.botId === undefined) return true;
			return conversations.get(message.conversationId)?.botId === scope.botId;
		});
	};

	const countsBySlice = (scope: ActivityScope, boundaries: SliceBoundaries): Array<ActivityCounts> => {
		const slices = Array.from({ length: Math.max(0, boundaries.length - 1) }, emptyCounts);
		for (const conversation of conversationsOf(scope)) {
			const slice = slices[sliceOf(conversation.createdAt, boundaries)];
			if (slice !== undefined) slice.conversations += 1;
		}
		for (const message of messagesOf(scope)) {
			const slice = slices[sliceOf(message.createdAt, boundaries)];
			if (slice === undefined) continue;
			slice.messages += 1;
			slice.tokens += message.tokens;
			if (message.type === "user") slice.userMessages += 1;
			else if (message.type === "bot") slice.botMessages += 1;
			else if (message.type === "activity") slice.activityMessages += 1;
		}
		for (const rating of snapshot.ratings) {
			if (rating.accountId !== scope.accountId) continue;
			if (scope.botId !== undefined && rating.botId !== scope.botId) continue;
			const slice = slices[sliceOf(rating.createdAt, boundaries)];
			if (slice === undefined) continue;
			slice.ratings += 1;
			if (rating.value > 0) slice.thumbsUp += 1;
			else if (rating.value < 0) slice.thumbsDown += 1;
		}
		return slices;
	};

	const activeContacts = (scope: ActivityScope, boundaries: SliceBoundaries) => {
		const perSlice = Array.from({ length: Math.max(0, boundaries.length - 1) }, () => new Set<string>());
		const total = new Set<string>();
		for (const conversation of conversationsOf(scope)) {
			if (conversation.contactId === null) continue;
			const slice = perSlice[sliceOf(conversation.createdAt, boundaries)];
			if (slice === undefined) continue;
			slice.add(conversation.contactId);
			total.add(conversation.contactId);
		}
		return { perSlice: perSlice.map((set) => set.size), total: total.size };
	};

	const conversationCohort = (scope: ActivityScope, range: TimeRange) => {
		const cohort = new Map<string, number>();
		for (const conversation of conversationsOf(scope)) {
			if (inRange(conversation.createdAt, range)) cohort.set(conversation.id, 0);
		}
		let messages = 0;
		let userMessages = 0;
		let botMessages = 0;
		let activityMessages = 0;
		let tokens = 0;
		for (const message of snapshot.messages) {
			if (message.accountId !== scope.accountId) continue;
			const userCount = cohort.get(message.conversationId);
			if (userCount === undefined) continue;
			messages += 1;
			tokens += message.tokens;
			if (message.type === "user") {
				userMessages += 1;
				cohort.set(message.conversationId, userCount + 1);
			} else if (message.type === "bot") botMessages += 1;
			else if (message.type === "activity") activityMessages += 1;
		}
		const userMessageDepth = { zero: 0, one: 0, twoToThree: 0, fourToTen: 0, elevenOrMore: 0 };
		for (const count of cohort.values()) {
			if (count === 0) userMessageDepth.zero += 1;
			else if (count === 1) userMessageDepth.one += 1;
			else if (count <= 3) userMessageDepth.twoToThree += 1;
			else if (count <= 10) userMessageDepth.fourToTen += 1;
			else userMessageDepth.elevenOrMore += 1;
		}
		return {
			conversations: cohort.size,
			messages,
			userMessages,
			botMessages,
			activityMessages,
			tokens,
			userMessageDepth,
		};
	};

	const topActions = (scope: ActivityScope, range: TimeRange, limit: number): Array<ActionCount> => {
		const counts = new Map<string, ActionCount>();
		for (const message of messagesOf(scope)) {
			if (message.type !== "activity" || !inRange(message.createdAt, range)) continue;
			const type = message.actionType ?? "unknown";
			const name = message.actionName ?? "unknown";
			const key = JSON.stringify([type, name]);
			const entry = counts.get(key);
			counts.set(key, { type, name, count: (entry?.count ?? 0) + 1 });
		}
		return [...counts.values()]
			.sort((left, right) => {
				if (left.count !== right.count) return right.count - left.count;
				if (left.type !== right.type) return left.type < right.type ? -1 : 1;
				return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
			})
			.slice(0, limit);
	};

	/** Activity per contact or bot: conversations created in the range, messages (and their tokens) sent in it. */
	const activityBy = (accountId: string, range: TimeRange, owner: (conversation: ConversationRow) => string | null) => {
		const totals = new Map<string, { conversations: number; messages: number; tokens: number }>();
		const entry = (id: string) => {
			let found = totals.get(id);
			if (found === undefined) {
				found = { conversations: 0, messages: 0, tokens: 0 };
				totals.set(id, found);
			}
			return found;
		};
		const conversations = conversationIndex(accountId);
		for (const conversation of conversations.values()) {
			const id = owner(conversation);
			if (id !== null && inRange(conversation.createdAt, range)) entry(id).conversations += 1;
		}
		for (const message of snapshot.messages) {
			if (message.accountId !== accountId || !inRange(message.createdAt, range)) continue;
			const conversation = conversations.get(message.conversationId);
			const id = conversation === undefined ? null : owner(conversation);
			if (id === null) continue;
			const found = entry(id);
			found.messages += 1;
			found.tokens += message.tokens;
		}
		return totals;
	};

	const rank = <
		Row extends {
			readonly id: string;
			readonly conversations: number;
			readonly messages: number;
			readonly tokens: number;
		},
	>(
		rows: ReadonlyArray<Row>,
		by: "conversations" | "messages" | "tokens",
		limit: number,
	) =>
		rows
			.filter((row) => row[by] > 0)
			.sort((left, right) => right[by] - left[by] || byIdAscending(left, right))
			.slice(0, limit);

	const topContacts = (
		accountId: string,
		range: TimeRange,
		by: "conversations" | "messages" | "tokens",
		limit: number,
	): Array<ContactActivity> => {
		const totals = activityBy(accountId, range, (conversation) => conversation.contactId);
		const rows = snapshot.contacts
			.filter((contact) => contact.accountId === accountId)
			.map((contact) => ({
				id: contact.id,
				name: contact.name,
				email: contact.email,
				nick: contact.nick,
				createdAt: contact.createdAt,
				...(totals.get(contact.id) ?? { conversations: 0, messages: 0, tokens: 0 }),
			}));
		return rank(rows, by, limit);
	};

	const topBots = (
		accountId: string,
		range: TimeRange,
		by: "conversations" | "messages" | "tokens",
		limit: number,
	): Array<BotActivity> => {
		const totals = activityBy(accountId, range, (conversation) => conversation.botId);
		const rows = snapshot.bots
			.filter((bot) => bot.accountId === accountId)
			.map((bot) => ({
				id: bot.id,
				name: bot.name,
				createdAt: bot.createdAt,
				...(totals.get(bot.id) ?? { conversations: 0, messages: 0, tokens: 0 }),
			}));
		return rank(rows, by, limit);
	};

	const ratings = (
		scope: ActivityScope,
		range: TimeRange,
		sign: "negative" | "positive",
		limit: number,
	): Array<RatingDetail> => {
		const contacts = new Map(
			snapshot.contacts.filter((contact) => contact.accountId === scope.accountId).map((row) => [row.id, row]),
		);
		return snapshot.ratings
			.filter(
				(rating) =>
					rating.accountId === scope.accountId &&
					(scope.botId === undefined || rating.botId === scope.botId) &&
					inRange(rating.createdAt, range) &&
					(sign === "negative" ? rating.value < 0 : rating.value > 0),
			)
			.sort(
				(left, right) =>
					right.createdAt.getTime() - left.createdAt.getTime() ||
					(left.id < right.id ? 1 : left.id > right.id ? -1 : 0),
			)
			.slice(0, limit)
			.map((rating) => ({
				id: rating.id,
				value: rating.value,
				reason: rating.reason,
				conversationId: rating.conversationId,
				messageId: rating.messageId,
				contactId: rating.contactId,
				contactName: rating.contactId === null ? null : contactName(contacts.get(rating.contactId)),
				createdAt: rating.createdAt,
			}));
	};

	const ofAccount = <Row extends { readonly accountId: string }>(rows: ReadonlyArray<Row>, accountId: string) =>
		rows.filter((row) => row.accountId === accountId);

	const conversations = (query: ConversationQuery): ReadonlyArray<ConversationSummary> => {
		const newestFirst = (left: { createdAt: Date; id: string }, right: { createdAt: Date; id: string }) =>
			right.createdAt.getTime() - left.createdAt.getTime() || (left.id < right.id ? 1 : left.id > right.id ? -1 : 0);
		const summaries = ofAccount(snapshot.conversations, query.accountId)
			.filter(
				(conversation) =>
					inRange(conversation.createdAt, query.range) &&
					(query.botId === undefined || conversation.botId === query.botId) &&
					(query.contactId === undefined || conversation.contactId === query.contactId) &&
					(query.after === undefined || newestFirst(query.after, conversation) < 0),
			)
			.map((conversation): ConversationSummary => {
				const messages = snapshot.messages.filter(
					(message) => message.accountId === query.accountId && message.conversationId === conversation.id,
				);
				const ratings = snapshot.ratings.filter(
					(rating) => rating.accountId === query.accountId && rating.conversationId === conversation.id,
				);
				const ofType = (type: string) => messages.filter((message) => message.type === type).length;
				return {
					id: conversation.id,
					botId: conversation.botId,
					contactId: conversation.contactId,
					createdAt: conversation.createdAt,
					userMessages: ofType("user"),
					botMessages: ofType("bot"),
					activityMessages: ofType("activity"),
					tokens: messages.reduce((total, message) => total + message.tokens, 0),
					thumbsUp: ratings.filter((rating) => rating.value > 0).length,
					thumbsDown: ratings.filter((rating) => rating.value < 0).length,
				};
			})
			.filter(
				(summary) =>
					query.rating === undefined || (query.rating === "up" ? summary.thumbsUp > 0 : summary.thumbsDown > 0),
			);
		return summaries.sort(newestFirst).slice(0, query.limit);
	};

	const conversationCohorts = (scope: ActivityScope, boundaries: SliceBoundaries) =>
		boundaries.slice(1).map((end, index) => conversationCohort(scope, { start: boundaries[index]!, end }));

	return {
		countsBySlice,
		activeContacts,
		conversationCohorts,
		topActions,
		topContacts,
		topBots,
		ratings,
		conversations,
		botExists: (accountId: string, botId: string) =>
			snapshot.bots.some((bot) => bot.accountId === accountId && bot.id === botId),
		datasetRecordCounts: (accountId: string, datasetIds: ReadonlyArray<string>) => {
			const counts = new Map<string, number>();
			for (const dataset of ofAccount(snapshot.datasets, accountId)) {
				if (datasetIds.includes(dataset.id)) counts.set(dataset.id, 0);
			}
			for (const record of ofAccount(snapshot.records, accountId)) {
				const count = counts.get(record.datasetId);
				if (count !== undefined) counts.set(record.datasetId, count + 1);
			}
			return counts as ReadonlyMap<string, number>;
		},
		totalContacts: (accountId: string) => ofAccount(snapshot.contacts, accountId).length,
		contactsCreated: (accountId: string, boundaries: SliceBoundaries) => {
			const slices = Array.from({ length: Math.max(0, boundaries.length - 1) }, () => 0);
			for (const contact of ofAccount(snapshot.contacts, accountId)) {
				const index = sliceOf(contact.createdAt, boundaries);
				if (index >= 0) slices[index] = (slices[index] ?? 0) + 1;
			}
			return slices;
		},
		usage: (accountId: string) => {
			const account = snapshot.accounts.find((row) => row.id === accountId);
			return {
				usage: {
					datasets: ofAccount(snapshot.datasets, accountId).length,
					records: ofAccount(snapshot.records, accountId).length,
					skillsets: ofAccount(snapshot.skillsets, accountId).length,
					abilities: ofAccount(snapshot.abilities, accountId).length,
					files: ofAccount(snapshot.files, accountId).length,
				},
				limits: account?.limits ?? { datasets: null, records: null, skillsets: null, abilities: null, files: null },
			};
		},
	};
};

/** `ActivityRepository` over a snapshot. */
export const memoryActivityRepository = (snapshot: DataSnapshot) => {
	const queries = memoryQueries(snapshot);
	return ActivityRepository.of({
		countsBySlice: (scope, boundaries) => Effect.sync(() => queries.countsBySlice(scope, boundaries)),
		activeContacts: (scope, boundaries) => Effect.sync(() => queries.activeContacts(scope, boundaries)),
		conversationCohorts: (scope, boundaries) => Effect.sync(() => queries.conversationCohorts(scope, boundaries)),
		topActions: (scope, range, limit) => Effect.sync(() => queries.topActions(scope, range, limit)),
		topContacts: (accountId, range, by, limit) => Effect.sync(() => queries.topContacts(accountId, range, by, limit)),
		contactRankings: (accountId, range, limit) =>
			Effect.sync(() => ({
				conversations: queries.topContacts(accountId, range, "conversations", limit),
				messages: queries.topContacts(accountId, range, "messages", limit),
				tokens: queries.topContacts(accountId, range, "tokens", limit),
			})),
		topBots: (accountId, range, by, limit) => Effect.sync(() => queries.topBots(accountId, range, by, limit)),
		ratings: (scope, range, sign, limit) => Effect.sync(() => queries.ratings(scope, range, sign, limit)),
		conversations: (query) => Effect.sync(() => queries.conversations(query)),
	});
};

/** `AccountRepository` over a snapshot. */
export const memoryAccountRepository = (snapshot: DataSnapshot) => {
	const queries = memoryQueries(snapshot);
	return AccountRepository.of({
		botExists: (accountId, botId) => Effect.sync(() => queries.botExists(accountId, botId)),
		datasetRecordCounts: (accountId, datasetIds) =>
			Effect.sync(() => queries.datasetRecordCounts(accountId, datasetIds)),
		totalContacts: (accountId) => Effect.sync(() => queries.totalContacts(accountId)),
		contactsCreated: (accountId, boundaries) => Effect.sync(() => queries.contactsCreated(accountId, boundaries)),
		usage: (accountId) => Effect.sync(() => queries.usage(accountId)),
	});
};

/** Both repositories over one snapshot. */
export const memoryRepositories = (snapshot: DataSnapshot) =>
	Layer.mergeAll(
		Layer.succeed(ActivityRepository, memoryActivityRepository(snapshot)),
		Layer.succeed(AccountRepository, memoryAccountRepository(snapshot)),
	);

export const emptySnapshot: DataSnapshot = {
	accounts: [],
	contacts: [],
	bots: [],
	conversations: [],
	messages: [],
	ratings: [],
	datasets: [],
	records: [],
	skillsets: [],
	abilities: [],
	files: [],
};
