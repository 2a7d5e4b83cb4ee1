import { count, family, type Ref, sum } from "./family.ts";

/**
 * Every rollup family, described once: its keys, its counters, and the aggregate that derives each counter from the
 * rows of each source table. The maintenance statements (`message.ts`, `conversation.ts`, `rating.ts`,
 * `contact.ts`), the recount and the tables (`src/entities/rollup.entity.ts`) are derived from these.
 */

const ofType = (type: "user" | "bot" | "activity") => (ref: Ref) => `${ref("type")} = '${type}'`;

/**
 * A conversation's counters (`conversation.messages`, …), from its messages. The activity rollups count the same
 * from messages, and the cohort rollups sum them per conversation.
 */
export const conversationCounters = {
	messages: count(),
	user_messages: count(ofType("user")),
	bot_messages: count(ofType("bot")),
	activity_messages: count(ofType("activity")),
	tokens: sum("tokens"),
} as const;

export const counterColumns = Object.keys(conversationCounters) as ReadonlyArray<keyof typeof conversationCounters>;

/** Conversations, messages, tokens and ratings per slot or day and bot scope. */
export const activity = family({
	name: "activity",
	grain: "scoped",
	keys: [],
	counters: ["conversations", ...counterColumns, "ratings", "thumbs_up", "thumbs_down"],
	sources: {
		message: { counters: conversationCounters },
		conversation: { counters: { conversations: count() }, dropZero: true },
		rating: {
			counters: {
				ratings: count(),
				thumbs_up: count((ref) => `${ref("value")} > 0`),
				thumbs_down: count((ref) => `${ref("value")} < 0`),
			},
		},
	},
});

const depth = (condition: string) => count((ref) => `${ref("user_messages")} ${condition}`);

/**
 * Conversations by their creation's slot or day and bot scope, with their counters summed and a histogram of their
 * depth (user messages). Conversation rows carry their counters; a message changes them (`message.ts`).
 */
export const cohort = family({
	name: "cohort",
	grain: "scoped",
	keys: [],
	counters: [
		"conversations",
		...counterColumns,
		"depth_zero",
		"depth_one",
		"depth_two_to_three",
		"depth_four_to_ten",
		"depth_eleven_or_more",
	],
	sources: {
		conversation: {
			counters: {
				conversations: count(),
				...Object.fromEntries(counterColumns.map((column) => [column, sum(column)])),
				depth_zero: depth("= 0"),
				depth_one: depth("= 1"),
				depth_two_to_three: depth("BETWEEN 2 AND 3"),
				depth_four_to_ten: depth("BETWEEN 4 AND 10"),
				depth_eleven_or_more: depth(">= 11"),
			},
		},
	},
});

/** Activity messages per slot or day, bot scope and action. */
export const action = family({
	name: "action",
	grain: "scoped",
	keys: [
		{ column: "action_type", from: (ref) => `coalesce(${ref("action_type")}, 'unknown')` },
		{ column: "action_name", from: (ref) => `coalesce(${ref("action_name")}, 'unknown')` },
	],
	counters: ["count"],
	sources: { message: { counters: { count: count() }, where: ofType("activity") } },
});

const contactActivity = {
	message: { counters: { messages: count(), tokens: sum("tokens") } },
	conversation: { counters: { conversations: count() }, dropZero: true },
} as const;

/** Conversations, messages and tokens per slot and contact. */
export const contactSlot = family({
	name: "contact_slot",
	grain: "contact-slot",
	keys: [],
	counters: ["conversations", "messages", "tokens"],
	sources: contactActivity,
});

/**
 * All-time conversations, messages and tokens per contact (`contact_total`): an upper bound of the contact's value
 * in any window, which lets the contact rankings skip the contacts that cannot reach the top (`rankContacts` in
 * `src/repositories/contact-rankings.ts`); the same per UTC day in `contact_activity_day`.
 */
export const contactTotal = family({
	name: "contact_total",
	grain: "contact-total",
	keys: [],
	counters: ["conversations", "messages", "tokens"],
	sources: contactActivity,
});

/** Contacts by creation (`contacts_slot`, `contacts_day`): Total Contacts without counting the contact table. */
export const contacts = family({
	name: "contacts",
	grain: "account",
	keys: [],
	counters: ["contacts"],
	sources: { contact: { counters: { contacts: count() } } },
});
