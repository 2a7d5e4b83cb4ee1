import { contactCountSql, contactCountTriggersSql } from "./contact.ts";
import { contactDaySql } from "./contact-day.ts";
import {
	contactTotalConversationFunctions,
	contactTotalConversations,
	contactTotalConversationTriggers,
	conversationFunctions,
	conversationSql,
	conversationTriggers,
} from "./conversation.ts";
import { dataVersionSql } from "./data-version.ts";
import { activity, cohort } from "./families.ts";
import {
	contactTotalMessageFunctions,
	contactTotalMessages,
	contactTotalMessageTriggers,
	messageFunctions,
	messageSql,
	messageTriggers,
} from "./message.ts";
import { ratingFunctions, ratingSql, ratingTriggers } from "./rating.ts";
import { signed } from "./sql.ts";

/**
 * The SQL that keeps the rollup tables (`src/entities/rollup.entity.ts`) exact, derived from one description per
 * family (`families.ts`), composed per source table (`message.ts`, `conversation.ts`, `rating.ts`, `contact.ts`).
 * Statement-level triggers with transition tables see exactly the rows a statement inserted or deleted — `ON
 * CONFLICT DO NOTHING` duplicates are not in them, and rows erased by a foreign-key cascade are — so every write
 * path (ingest, erase, bulk loads, manual SQL) maintains the rollups in its own transaction: a report that runs
 * after a write returns sees it.
 */

export { contactCountTriggersSql } from "./contact.ts";
export {
	CONTACT_DAY_MAX_PARTS,
	contactDayLock,
	contactDayPartSql,
	contactDaySql,
	contactDaysToRebuildSql,
} from "./contact-day.ts";
export { DATA_VERSION_SHARDS, dataVersionSql, dataVersionTables } from "./data-version.ts";
export { contactTotalScale } from "./family.ts";
export { recountContactDaysSql, recountSql } from "./recount.ts";
export { SLOT_MINUTES } from "./sql.ts";

/** The summed columns of `activity_slot` / `activity_day`. */
export const activityColumns = activity.counters;

/** The summed columns of `cohort_slot` / `cohort_day`. */
export const cohortColumns = cohort.counters;

/** Functions and triggers, in creation order. */
export const rollupTriggersSql: ReadonlyArray<string> = [
	messageFunctions.inserted,
	messageFunctions.deleted,
	conversationFunctions.inserted,
	conversationFunctions.deleted,
	conversationFunctions.updated,
	ratingFunctions.inserted,
	ratingFunctions.deleted,
	messageFunctions.updated,
	ratingFunctions.updated,
	messageTriggers.inserted,
	messageTriggers.deleted,
	conversationTriggers.inserted,
	conversationTriggers.deleted,
	conversationTriggers.updated,
	ratingTriggers.inserted,
	ratingTriggers.deleted,
	messageTriggers.updated,
	ratingTriggers.updated,
];

export const contactTotalSql: ReadonlyArray<string> = [
	contactTotalMessageFunctions.inserted,
	contactTotalMessageFunctions.deleted,
	contactTotalConversationFunctions.inserted,
	contactTotalConversationFunctions.deleted,
	contactTotalConversationFunctions.updated,
	contactTotalMessageFunctions.updated,
	contactTotalMessageTriggers.inserted,
	contactTotalMessageTriggers.deleted,
	contactTotalConversationTriggers.inserted,
	contactTotalConversationTriggers.deleted,
	contactTotalConversationTriggers.updated,
	contactTotalMessageTriggers.updated,
];

/**
 * What every write of a source table does to the rollups, as the statements of its trigger function: they read the
 * written rows as `new_rows` (inserted) or `old_rows` (deleted). Where the triggers exist (a single PostgreSQL) they
 * run these; where they cannot (Citus, see `src/maintenance.ts`) the writer runs the same statements itself, with
 * `new_rows`/`old_rows` read as a subquery over the written rows of the account bound as `$1` — which the updates of
 * existing rows also name, so that Citus routes them to one shard. Packed contact days and the data version are kept
 * apart (`contactDayPartSql`, `DATA_VERSION_SHARDS`): their trigger bodies loop or branch.
 */
export const rollupStatements = {
	message: {
		insert: [...messageSql("new_rows", 1, "$1"), ...contactTotalMessages("new_rows", 1)],
		delete: [...messageSql("old_rows", -1, "$1"), ...contactTotalMessages("old_rows", -1)],
	},
	conversation: {
		insert: [...conversationSql(signed("new_rows", 1)), ...contactTotalConversations(signed("new_rows", 1))],
		delete: [...conversationSql(signed("old_rows", -1)), ...contactTotalConversations(signed("old_rows", -1))],
	},
	rating: { insert: ratingSql("new_rows", 1), delete: ratingSql("old_rows", -1) },
	contact: { insert: contactCountSql("new_rows", 1, "$1"), delete: contactCountSql("old_rows", -1, "$1") },
} as const satisfies Record<string, Record<"insert" | "delete", ReadonlyArray<string>>>;

/** Every trigger that keeps rollups, packed days, contact numbers or data versions: `[name, table]`. */
export const maintenanceTriggers: ReadonlyArray<readonly [name: string, table: string]> = [
	...rollupTriggersSql,
	...contactDaySql,
	...contactTotalSql,
	...contactCountTriggersSql,
	...dataVersionSql,
].flatMap((sql) => {
	const match = /^CREATE TRIGGER (\w+) (?:AFTER|BEFORE) \w+ ON (\w+)/.exec(sql);
	return match ? [[match[1]!, match[2]!] as const] : [];
});
