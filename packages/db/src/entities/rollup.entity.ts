import { defineEntity, p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * Rollups: derived, exact summaries of the activity tables, maintained by PostgreSQL triggers in the same
 * transaction as every insert and delete (see `src/rollups/`), so reports read work proportional to time slots
 * instead of rows. A slot is 15 minutes (`date_bin('15 minutes', created_at, '2000-01-01Z')`): every current
 * timezone offset is a multiple of 15 minutes, so local day, week and month boundaries in any zone are slot
 * boundaries. `bot_key` is `''` for the whole account and the bot's id for one bot. Keys lead with `account_id`,
 * like every tenant table, so the rollups distribute with the data.
 */
const scopeKey = () => ({
	// No foreign key to account: erasing an account cascades into the activity tables, whose triggers then adjust
	// rollup rows of the account being erased; a foreign key would reject those adjustments.
	account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
	botKey: p.string().length(64).primary(),
});
const rollupKey = () => ({ ...scopeKey(), slot: p.datetime().primary() });
/**
 * The same sums per UTC day (`*_day` tables), kept by the same triggers: a window reads whole UTC days from them and
 * only its partial days from the slots, so a 30-day window reads ~30 day rows per scope instead of 2,880 slots.
 */
const dayKey = () => ({ ...scopeKey(), day: p.datetime().primary() });

const counter = () => p.bigint("number").default(0);

/** Additive counts per slot: conversations (by their creation), messages and tokens, ratings (by their own time). */
export const ActivitySlot = defineEntity({
	name: "ActivitySlot",
	tableName: "activity_slot",
	properties: {
		...rollupKey(),
		conversations: counter(),
		messages: counter(),
		userMessages: counter(),
		botMessages: counter(),
		activityMessages: counter(),
		tokens: counter(),
		ratings: counter(),
		thumbsUp: counter(),
		thumbsDown: counter(),
	},
	primaryKeys: ["account", "botKey", "slot"],
	// Every bot's slots in a time range (the bot rankings): the primary key would be searched once per bot.
	indexes: [{ name: "activity_slot_account_slot_idx", properties: ["account", "slot"] }],
});

export const ActivityDay = defineEntity({
	name: "ActivityDay",
	tableName: "activity_day",
	properties: {
		...dayKey(),
		conversations: counter(),
		messages: counter(),
		userMessages: counter(),
		botMessages: counter(),
		activityMessages: counter(),
		tokens: counter(),
		ratings: counter(),
		thumbsUp: counter(),
		thumbsDown: counter(),
	},
	primaryKeys: ["account", "botKey", "day"],
});

/**
 * Conversations by the slot they were created in, with all of their messages (whenever sent) and the histogram of
 * their `user` message counts: the cohort behind the per-conversation averages and depth buckets.
 */
export const CohortSlot = defineEntity({
	name: "CohortSlot",
	tableName: "cohort_slot",
	properties: {
		...rollupKey(),
		conversations: counter(),
		messages: counter(),
		userMessages: counter(),
		botMessages: counter(),
		activityMessages: counter(),
		tokens: counter(),
		depthZero: counter(),
		depthOne: counter(),
		depthTwoToThree: counter(),
		depthFourToTen: counter(),
		depthElevenOrMore: counter(),
	},
	primaryKeys: ["account", "botKey", "slot"],
});

export const CohortDay = defineEntity({
	name: "CohortDay",
	tableName: "cohort_day",
	properties: {
		...dayKey(),
		conversations: counter(),
		messages: counter(),
		userMessages: counter(),
		botMessages: counter(),
		activityMessages: counter(),
		tokens: counter(),
		depthZero: counter(),
		depthOne: counter(),
		depthTwoToThree: counter(),
		depthFourToTen: counter(),
		depthElevenOrMore: counter(),
	},
	primaryKeys: ["account", "botKey", "day"],
});

/** Activity messages per slot and named action (`unknown` for a missing type or name). */
export const ActionSlot = defineEntity({
	name: "ActionSlot",
	tableName: "action_slot",
	properties: {
		...rollupKey(),
		actionType: p.text().primary(),
		actionName: p.text().primary(),
		count: counter(),
	},
	primaryKeys: ["account", "botKey", "slot", "actionType", "actionName"],
});

export const ActionDay = defineEntity({
	name: "ActionDay",
	tableName: "action_day",
	properties: {
		...dayKey(),
		actionType: p.text().primary(),
		actionName: p.text().primary(),
		count: counter(),
	},
	primaryKeys: ["account", "botKey", "day", "actionType", "actionName"],
});

/** Per contact and slot: conversations created, messages sent and their tokens — what the contact rankings need. */
export const ContactSlot = defineEntity({
	name: "ContactSlot",
	tableName: "contact_slot",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		slot: p.datetime().primary(),
		contactId: p.string().length(64).primary(),
		conversations: counter(),
		messages: counter(),
		tokens: counter(),
	},
	primaryKeys: ["account", "slot", "contactId"],
	// One contact's slots in a window: the exact window values of the few contacts a ranking has to consider.
	indexes: [{ name: "contact_slot_contact_idx", properties: ["account", "contactId", "slot"] }],
});

/**
 * All-time conversations, messages and tokens per contact: a bound on the contact's value in any window, so the
 * contact rankings only sum the contacts that can still reach the top.
 */
export const ContactTotal = defineEntity({
	name: "ContactTotal",
	tableName: "contact_total",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		contactId: p.string().length(64).primary(),
		conversations: counter(),
		messages: counter(),
		tokens: counter(),
		// Bit length of each value: indexed instead of the value, so most updates are HOT (see src/rollups/).
		conversationsScale: p.smallint().default(0),
		messagesScale: p.smallint().default(0),
		tokensScale: p.smallint().default(0),
	},
	primaryKeys: ["account", "contactId"],
	indexes: [
		{ name: "contact_total_conversations_scale_idx", properties: ["account", "conversationsScale"] },
		{ name: "contact_total_messages_scale_idx", properties: ["account", "messagesScale"] },
		{ name: "contact_total_tokens_scale_idx", properties: ["account", "tokensScale"] },
	],
});

/**
 * Dense per-account contact numbers: `contact.seq` is taken from here by a row trigger on insert, so the contact
 * sets of `contact_day` can be unioned in arrays indexed by number. Numbers are never reused; a duplicate skipped by
 * `ON CONFLICT DO NOTHING` or an erased contact leaves a gap.
 */
export const ContactCounter = defineEntity({
	name: "ContactCounter",
	tableName: "contact_counter",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		last: p.integer().default(0),
		/** Contacts the account has now (Total Contacts). */
		contacts: counter(),
	},
	primaryKeys: ["account"],
});

/**
 * The contacts with at least one conversation created in a UTC day, packed for exact distinct counts: `entries` is
 * a sequence of 6-byte records — the contact's number (4 bytes, big-endian), then the first and the last 15-minute
 * slot of the day (0–95) in which it created a conversation. First and last slot answer "active in a prefix or a
 * suffix of the day", which is all a local day, week or month in any zone needs of a UTC day. A day is stored in
 * parts: part 0 is rebuilt from the conversations or merged from earlier parts; each writing transaction appends its
 * own part (its transaction id), and past a few parts the ingest merges the day into one (`compactContactDays`).
 * Reads union all parts.
 */
export const ContactDay = defineEntity({
	name: "ContactDay",
	tableName: "contact_day",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		day: p.datetime().primary(),
		part: p.bigint("number").primary(),
		entries: p.blob(),
	},
	primaryKeys: ["account", "day", "part"],
});

/**
 * A contact's conversations, messages and tokens per UTC day: the exact window values of the few contacts a ranking
 * considers, read by day for the whole days of the window (and from `contact_slot` for its partial days).
 */
export const ContactActivityDay = defineEntity({
	name: "ContactActivityDay",
	tableName: "contact_activity_day",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		contactId: p.string().length(64).primary(),
		day: p.datetime().primary(),
		conversations: counter(),
		messages: counter(),
		tokens: counter(),
	},
	primaryKeys: ["account", "contactId", "day"],
});

/** Contacts by the slot and by the UTC day they were created in (Total Contacts' new contacts per bucket). */
export const ContactsSlot = defineEntity({
	name: "ContactsSlot",
	tableName: "contacts_slot",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		slot: p.datetime().primary(),
		contacts: counter(),
	},
	primaryKeys: ["account", "slot"],
});

export const ContactsDay = defineEntity({
	name: "ContactsDay",
	tableName: "contacts_day",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		day: p.datetime().primary(),
		contacts: counter(),
	},
	primaryKeys: ["account", "day"],
});

/**
 * The account's data version: `sum(version)` over its rows changes in every transaction that writes its data (the
 * triggers of `src/rollups/` add 1 to the row of the writing backend's shard). The API keys cached report results
 * by it. No foreign key, like the rollups: an erase's cascade still bumps it.
 */
export const DataVersion = defineEntity({
	name: "DataVersion",
	tableName: "data_version",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		shard: p.smallint().primary(),
		version: counter(),
	},
	primaryKeys: ["account", "shard"],
});
