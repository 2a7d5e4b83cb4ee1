import { defineEntity, p } from "@mikro-orm/core";
import { action, activity, cohort, contactSlot, contacts, contactTotal } from "../rollups/families.ts";
import { type Family, type PropertyName, propertyName } from "../rollups/family.ts";
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

const pascal = (table: string) => propertyName(`_${table}`);

/** A counter property per counter of the family, in its table order. */
const countersOf = <Counter extends string>(of: Family<Counter>) =>
	Object.fromEntries(of.counters.map((column) => [propertyName(column), counter()])) as {
		[C in Counter as PropertyName<C>]: ReturnType<typeof counter>;
	};

/** A family's keys after its grain's (`action_type`, …): text, part of the primary key. */
const keysOf = (of: Family) => Object.fromEntries(of.keys.map((key) => [propertyName(key.column), p.text().primary()]));

type Index = { readonly name: string; readonly properties: Array<string> };

/**
 * The tables of a family, derived from its description (`src/rollups/families.ts`) as its grain fixes them (see
 * `Grain` in `src/rollups/family.ts`): keys, then one counter per counter of the family. The statements that keep
 * them are derived from the same description, so a counter added there is a column here. `slotIndexes` are the
 * indexes a reader needs beyond the primary key.
 */
const scopedEntities = (of: Family, slotIndexes: Array<Index> = []) => {
	if (of.grain !== "scoped") throw new Error(`rollups: ${of.name} is not scoped`);
	const table = (bucket: "slot" | "day") => {
		// Typed loosely: the properties vary with the family, and only the metadata is read (schema, migrations).
		const properties: Record<string, unknown> = {
			...(bucket === "slot" ? rollupKey() : dayKey()),
			...keysOf(of),
			...countersOf(of),
		};
		return defineEntity({
			name: pascal(`${of.name}_${bucket}`),
			tableName: `${of.name}_${bucket}`,
			properties,
			// The primary key is the properties marked primary, in order: the scope, the bucket, the family's keys.
			...(bucket === "slot" && slotIndexes.length > 0 ? { indexes: slotIndexes } : {}),
		});
	};
	return { slot: table("slot"), day: table("day") };
};

/** Additive counts per slot: conversations (by their creation), messages and tokens, ratings (by their own time). */
export const { slot: ActivitySlot, day: ActivityDay } = scopedEntities(activity, [
	// Every bot's slots in a time range (the bot rankings): the primary key would be searched once per bot.
	{ name: "activity_slot_account_slot_idx", properties: ["account", "slot"] },
]);

/**
 * Conversations by the slot they were created in, with all of their messages (whenever sent) and the histogram of
 * their `user` message counts: the cohort behind the per-conversation averages and depth buckets.
 */
export const { slot: CohortSlot, day: CohortDay } = scopedEntities(cohort);

/** Activity messages per slot and named action (`unknown` for a missing type or name). */
export const { slot: ActionSlot, day: ActionDay } = scopedEntities(action);

/** The account key of the tables without bot scope; no foreign key, as for the scoped ones. */
const accountKey = () => p.manyToOne(Account).primary().createForeignKeyConstraint(false);
const contactKey = () => p.string().length(64).primary();
const scale = () => p.smallint().default(0);

/** Per contact and slot: conversations created, messages sent and their tokens — what the contact rankings need. */
export const ContactSlot = defineEntity({
	name: "ContactSlot",
	tableName: "contact_slot",
	properties: {
		account: accountKey(),
		slot: p.datetime().primary(),
		contactId: contactKey(),
		...countersOf(contactSlot),
	},
	primaryKeys: ["account", "slot", "contactId"],
	// One contact's slots in a window: the exact window values of the few contacts a ranking has to consider.
	indexes: [{ name: "contact_slot_contact_idx", properties: ["account", "contactId", "slot"] }],
});

/**
 * All-time conversations, messages and tokens per contact: a bound on the contact's value in any window, so the
 * contact rankings only sum the contacts that can still reach the top. Beside each counter, its bit length
 * (`*_scale`): indexed instead of the value, so most updates are HOT (see `src/rollups/family.ts`).
 */
export const ContactTotal = defineEntity({
	name: "ContactTotal",
	tableName: "contact_total",
	properties: {
		account: accountKey(),
		contactId: contactKey(),
		...countersOf(contactTotal),
		...(Object.fromEntries(contactTotal.counters.map((column) => [`${propertyName(column)}Scale`, scale()])) as {
			[C in (typeof contactTotal.counters)[number] as `${PropertyName<C>}Scale`]: ReturnType<typeof scale>;
		}),
	},
	primaryKeys: ["account", "contactId"],
	indexes: contactTotal.counters.map((column) => ({
		name: `contact_total_${column}_scale_idx`,
		properties: ["account" as const, `${propertyName(column)}Scale` as const],
	})),
});

/**
 * A contact's conversations, messages and tokens per UTC day: the exact window values of the few contacts a ranking
 * considers, read by day for the whole days of the window (and from `contact_slot` for its partial days).
 */
export const ContactActivityDay = defineEntity({
	name: "ContactActivityDay",
	tableName: "contact_activity_day",
	properties: {
		account: accountKey(),
		contactId: contactKey(),
		day: p.datetime().primary(),
		...countersOf(contactTotal),
	},
	primaryKeys: ["account", "contactId", "day"],
});

/** Contacts by the slot and by the UTC day they were created in (Total Contacts' new contacts per bucket). */
export const ContactsSlot = defineEntity({
	name: pascal(`${contacts.name}_slot`),
	tableName: `${contacts.name}_slot`,
	properties: { account: accountKey(), slot: p.datetime().primary(), ...countersOf(contacts) },
	primaryKeys: ["account", "slot"],
});

export const ContactsDay = defineEntity({
	name: pascal(`${contacts.name}_day`),
	tableName: `${contacts.name}_day`,
	properties: { account: accountKey(), day: p.datetime().primary(), ...countersOf(contacts) },
	primaryKeys: ["account", "day"],
});

/*
 * Not described by a family, so written here: the contact numbers (a sequence, not a sum), the packed contact
 * days (sets of contacts, kept by a looping trigger) and the data version (bumped per transaction, not per row).
 */

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
