import { Context, type Effect } from "effect";
import type { StorageError } from "./errors.ts";
import type { AccountLimits } from "./rows.ts";

/**
 * Repository services the report programs require. `packages/db` provides the PostgreSQL layers; the in-memory
 * layers (over a `DataSnapshot`) serve tests and the differential reference.
 *
 * Time is always passed as explicit instants: the core computes calendar windows and bucket boundaries in the
 * caller's timezone, so a repository never needs to know about timezones.
 */

/** n+1 ascending instants (epoch milliseconds) describing n contiguous half-open slices `[b[i], b[i+1])`. */
export type SliceBoundaries = ReadonlyArray<number>;

export interface ActivityScope {
	readonly accountId: string;
	/** Restrict to one bot: its conversations, the messages of its conversations, ratings whose `bot_id` is it. */
	readonly botId?: string;
}

/** Additive counts over one slice. Conversations by their own `created_at`; messages and ratings by theirs. */
export interface ActivityCounts {
	readonly conversations: number;
	readonly messages: number;
	readonly userMessages: number;
	readonly botMessages: number;
	readonly activityMessages: number;
	readonly tokens: number;
	readonly ratings: number;
	readonly thumbsUp: number;
	readonly thumbsDown: number;
}

/** Conversations created in a window, with all of their messages (whenever those were sent). */
export interface ConversationCohort {
	readonly conversations: number;
	readonly messages: number;
	readonly userMessages: number;
	readonly botMessages: number;
	readonly activityMessages: number;
	readonly tokens: number;
	/** How many of the cohort's conversations have 0, 1, 2–3, 4–10 and 11+ `user` messages. */
	readonly userMessageDepth: {
		readonly zero: number;
		readonly one: number;
		readonly twoToThree: number;
		readonly fourToTen: number;
		readonly elevenOrMore: number;
	};
}

export interface ActionCount {
	readonly type: string;
	readonly name: string;
	readonly count: number;
}

export interface ContactActivity {
	readonly id: string;
	readonly name: string | null;
	readonly email: string | null;
	readonly nick: string | null;
	readonly createdAt: Date;
	readonly conversations: number;
	readonly messages: number;
	readonly tokens: number;
}

export interface ContactRankings {
	readonly conversations: ReadonlyArray<ContactActivity>;
	readonly messages: ReadonlyArray<ContactActivity>;
	readonly tokens: ReadonlyArray<ContactActivity>;
}

export interface BotActivity {
	readonly id: string;
	readonly name: string | null;
	readonly createdAt: Date;
	readonly conversations: number;
	readonly messages: number;
	readonly tokens: number;
}

export interface RatingDetail {
	readonly id: string;
	readonly value: number;
	readonly reason: string | null;
	readonly conversationId: string | null;
	readonly messageId: string | null;
	readonly contactId: string | null;
	/** name, else email, else nick, else null */
	readonly contactName: string | null;
	readonly createdAt: Date;
}

/** A half-open range `[start, end)` of instants in epoch milliseconds. */
export interface TimeRange {
	readonly start: number;
	readonly end: number;
}

/** Which conversations a drill-down lists (contract §8.4), newest first. */
export interface ConversationQuery {
	readonly accountId: string;
	/** Conversations created in `[start, end)`. */
	readonly range: TimeRange;
	readonly botId?: string | undefined;
	readonly contactId?: string | undefined;
	/** Only conversations with at least one thumbs up (`up`) or thumbs down (`down`). */
	readonly rating?: "up" | "down" | undefined;
	/** Keyset paging: only conversations after this one in newest-first order (created_at, then id, descending). */
	readonly after?: { readonly createdAt: Date; readonly id: string } | undefined;
	readonly limit: number;
}

/** One conversation with its message counts by type, its tokens and its ratings' thumbs. */
export interface ConversationSummary {
	readonly id: string;
	readonly botId: string | null;
	readonly contactId: string | null;
	readonly createdAt: Date;
	readonly userMessages: number;
	readonly botMessages: number;
	readonly activityMessages: number;
	readonly tokens: number;
	readonly thumbsUp: number;
	readonly thumbsDown: number;
}

export class ActivityRepository extends Context.Service<
	ActivityRepository,
	{
		/** Additive counts for each slice of `boundaries` (length = boundaries.length − 1). */
		readonly countsBySlice: (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) => Effect.Effect<ReadonlyArray<ActivityCounts>, StorageError>;
		/**
		 * Distinct contacts with at least one conversation created in each slice, and across the whole span
		 * `[boundaries[0], boundaries[last])` (not additive, so returned separately).
		 */
		readonly activeContacts: (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) => Effect.Effect<{ readonly perSlice: ReadonlyArray<number>; readonly total: number }, StorageError>;
		/**
		 * The cohort of the conversations created in each slice (length = boundaries.length − 1): one read for the
		 * current and the previous window of a period (`[previous.start, current.start, current.end]`).
		 */
		readonly conversationCohorts: (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) => Effect.Effect<ReadonlyArray<ConversationCohort>, StorageError>;
		/** Most frequent `(action_type, action_name)` of `activity` messages created in the range; ties by type, name. */
		readonly topActions: (
			scope: ActivityScope,
			range: TimeRange,
			limit: number,
		) => Effect.Effect<ReadonlyArray<ActionCount>, StorageError>;
		/** Contacts ranked by `by` over conversations created / messages sent in the range; ties by id. */
		readonly topContacts: (
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) => Effect.Effect<ReadonlyArray<ContactActivity>, StorageError>;
		/**
		 * The three contact rankings of `topContacts` (by conversations, messages and tokens) over one range: what the
		 * Overview and Analytics lists show, computed together (a fast path shares the work between them).
		 */
		readonly contactRankings: (
			accountId: string,
			range: TimeRange,
			limit: number,
		) => Effect.Effect<ContactRankings, StorageError>;
		/** Bots ranked by `by` over the range; ties by id. */
		readonly topBots: (
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) => Effect.Effect<ReadonlyArray<BotActivity>, StorageError>;
		/** Ratings of the scope created in the range with the given sign, newest first (ties by id desc). */
		readonly ratings: (
			scope: ActivityScope,
			range: TimeRange,
			sign: "negative" | "positive",
			limit: number,
		) => Effect.Effect<ReadonlyArray<RatingDetail>, StorageError>;
		/** The conversations a drill-down lists (see `ConversationQuery`). */
		readonly conversations: (
			query: ConversationQuery,
		) => Effect.Effect<ReadonlyArray<ConversationSummary>, StorageError>;
	}
>()("@convolens/core/ActivityRepository") {}

export interface ResourceUsage {
	readonly datasets: number;
	readonly records: number;
	readonly skillsets: number;
	readonly abilities: number;
	readonly files: number;
}

export class AccountRepository extends Context.Service<
	AccountRepository,
	{
		readonly botExists: (accountId: string, botId: string) => Effect.Effect<boolean, StorageError>;
		/** Record counts of the given datasets that exist in the account (missing ones are absent from the map). */
		readonly datasetRecordCounts: (
			accountId: string,
			datasetIds: ReadonlyArray<string>,
		) => Effect.Effect<ReadonlyMap<string, number>, StorageError>;
		readonly totalContacts: (accountId: string) => Effect.Effect<number, StorageError>;
		/** Contacts created in each slice. */
		readonly contactsCreated: (
			accountId: string,
			boundaries: SliceBoundaries,
		) => Effect.Effect<ReadonlyArray<number>, StorageError>;
		readonly usage: (
			accountId: string,
		) => Effect.Effect<{ readonly usage: ResourceUsage; readonly limits: AccountLimits }, StorageError>;
	}
>()("@convolens/core/AccountRepository") {}
