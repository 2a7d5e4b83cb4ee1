import {
	action,
	activity,
	cohort,
	contactSlot,
	contactTotal,
	conversationCounters,
	counterColumns,
} from "./families.ts";
import { aggregateSql, aliased, bare, familySql, signedRows } from "./family.ts";
import { fn, sameAccount, trigger, updateSql } from "./sql.ts";

/** Message rows (with their sign) → activity and action counts per slot and day, and contact slots. */
export const messageRollupSql = (source: string, sign: 1 | -1) => {
	const rows = aliased(source, "m", sign);
	return [
		...familySql(activity, "message", rows),
		...familySql(action, "message", rows),
		...familySql(contactSlot, "message", rows),
	];
};

/**
 * Message rows → their conversations' counters, and the cohort histogram moved from each conversation's old
 * counters to its new ones, in one statement: the update returns both. The update itself is marked
 * (`convolens.counting`), so the conversation update triggers — which would recompute everything a conversation
 * feeds from its old and new rows — skip it: only the counters changed, and only the cohort reads them.
 */
const conversationCountersSql = (source: string, sign: 1 | -1, account?: string) => {
	const [slots, days] = familySql(cohort, "conversation", signedRows("counted", "c"));
	const rows = bare(source, sign);
	return [
		"PERFORM set_config('convolens.counting', 'on', true);",
		`WITH d AS (
		SELECT account_id, conversation_id,
			${counterColumns.map((column) => `${aggregateSql(conversationCounters[column], rows)} AS ${column}`).join(", ")}
		FROM ${source} GROUP BY 1, 2 ORDER BY 1, 2
	), u AS (
		UPDATE conversation c SET
			${counterColumns.map((column) => `${column} = c.${column} + d.${column}`).join(",\n\t\t\t")}
		FROM d
		WHERE c.account_id = d.account_id AND c.id = d.conversation_id${sameAccount("c", account)}
		RETURNING c.account_id, c.bot_id, c.created_at, ${counterColumns.map((column) => `c.${column}, d.${column} AS d_${column}`).join(", ")}
	), counted AS (
		SELECT account_id, bot_id, created_at, -1 AS sign, ${counterColumns.map((column) => `${column} - d_${column} AS ${column}`).join(", ")} FROM u
		UNION ALL
		SELECT account_id, bot_id, created_at, 1 AS sign, ${counterColumns.join(", ")} FROM u
	), slots AS (${slots!.trim().replace(/;$/, "")})
	${days!.trim()}`,
		"PERFORM set_config('convolens.counting', '', true);",
	];
};

/**
 * Message rows (with their sign) → `messageRollupSql`, and their conversations' counters. `account`, when given, is
 * the SQL expression of the one account all rows belong to (see `rollupStatements`).
 */
export const messageSql = (source: string, sign: 1 | -1, account?: string) => [
	...messageRollupSql(source, sign),
	// A conversation being erased in the same statement is already gone here: nothing to update.
	...conversationCountersSql(source, sign, account),
];

/** Message rows (with their sign) → `contact_total` and `contact_activity_day`. */
export const contactTotalMessages = (source: string, sign: 1 | -1) =>
	familySql(contactTotal, "message", bare(source, sign));

/** The columns of a message the rollups read (besides its key). */
const messageRolledUp = [
	"created_at",
	"conversation_id",
	"type",
	"tokens",
	"bot_id",
	"contact_id",
	"action_type",
	"action_name",
];

export const messageFunctions = {
	inserted: fn("convolens_message_inserted", messageSql("new_rows", 1)),
	deleted: fn("convolens_message_deleted", messageSql("old_rows", -1)),
	updated: fn("convolens_message_updated", updateSql(messageRolledUp, messageSql)),
};

export const messageTriggers = {
	inserted: trigger("message_rollup_insert", "message", "INSERT", "convolens_message_inserted"),
	deleted: trigger("message_rollup_delete", "message", "DELETE", "convolens_message_deleted"),
	updated: trigger("message_rollup_update", "message", "UPDATE", "convolens_message_updated"),
};

export const contactTotalMessageFunctions = {
	inserted: fn("convolens_contact_total_messages_inserted", contactTotalMessages("new_rows", 1)),
	deleted: fn("convolens_contact_total_messages_deleted", contactTotalMessages("old_rows", -1)),
	updated: fn("convolens_contact_total_messages_updated", updateSql(messageRolledUp, contactTotalMessages)),
};

export const contactTotalMessageTriggers = {
	inserted: trigger("message_contact_total_insert", "message", "INSERT", "convolens_contact_total_messages_inserted"),
	deleted: trigger("message_contact_total_delete", "message", "DELETE", "convolens_contact_total_messages_deleted"),
	updated: trigger("message_contact_total_update", "message", "UPDATE", "convolens_contact_total_messages_updated"),
};
