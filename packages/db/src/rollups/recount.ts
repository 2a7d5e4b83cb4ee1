import { contactCountSql } from "./contact.ts";
import { contactTotalConversations, conversationSql } from "./conversation.ts";
import { counterColumns } from "./families.ts";
import { contactTotalMessages, messageRollupSql } from "./message.ts";
import { ratingSql } from "./rating.ts";
import { signed, utcDay } from "./sql.ts";

/** The tables `recountSql` empties and refills for an account (every rollup keyed by account but the counters). */
const recountedTables = [
	"activity_slot",
	"activity_day",
	"cohort_slot",
	"cohort_day",
	"action_slot",
	"action_day",
	"contact_slot",
	"contact_activity_day",
	"contact_total",
	"contacts_slot",
	"contacts_day",
	"contact_day",
];

/** The raw tables `recountSql` reads, each through a temporary view of one account's rows (`recount_<table>`). */
const recountSources = ["conversation", "message", "rating", "contact"];

/**
 * Recomputes one account's rollups from its raw rows, for a database whose rollups were changed by something that
 * bypassed the triggers (rows edited by hand before a trigger existed, a restore of some tables only, a bug): the
 * conversation counters where they differ from a count of their messages (marked, so the conversation triggers skip
 * the update), every rollup table of the account emptied and refilled by the same statements the triggers run (with
 * the account's rows as their source), the contact count, each day's packed contacts rebuilt, and the data version
 * moved so no cached answer survives. `account` is the account id as an SQL literal. Run in one transaction after
 * `LOCK … IN SHARE MODE` on the raw tables (`src/recount.ts`), so no write lands halfway.
 */
export const recountSql = (account: string): ReadonlyArray<string> => {
	const view = (table: string) => `recount_${table}`;
	return [
		...recountSources.map(
			(table) => `CREATE TEMP VIEW ${view(table)} AS SELECT * FROM ${table} WHERE account_id = ${account}`,
		),
		"SELECT set_config('convolens.counting', 'on', true)",
		`UPDATE conversation c SET ${counterColumns.map((column) => `${column} = d.${column}`).join(", ")}
		FROM (
			SELECT c.id, count(m.id) AS messages, count(m.id) FILTER (WHERE m.type = 'user') AS user_messages,
				count(m.id) FILTER (WHERE m.type = 'bot') AS bot_messages,
				count(m.id) FILTER (WHERE m.type = 'activity') AS activity_messages, coalesce(sum(m.tokens), 0) AS tokens
			FROM recount_conversation c LEFT JOIN recount_message m ON m.conversation_id = c.id
			GROUP BY c.id
		) d
		WHERE c.account_id = ${account} AND c.id = d.id
			AND (${counterColumns.map((column) => `c.${column}`).join(", ")}) <> (${counterColumns.map((column) => `d.${column}`).join(", ")})`,
		"SELECT set_config('convolens.counting', '', true)",
		...recountedTables.map((table) => `DELETE FROM ${table} WHERE account_id = ${account}`),
		...messageRollupSql(view("message"), 1),
		...conversationSql(signed(view("conversation"), 1)),
		...ratingSql(view("rating"), 1),
		...contactTotalMessages(view("message"), 1),
		...contactTotalConversations(signed(view("conversation"), 1)),
		`UPDATE contact_counter SET contacts = 0 WHERE account_id = ${account}`,
		...contactCountSql(view("contact"), 1),
		`INSERT INTO data_version AS t (account_id, shard, version) VALUES (${account}, 0, 1)
		ON CONFLICT (account_id, shard) DO UPDATE SET version = t.version + 1`,
		`DROP VIEW ${recountSources.map(view).join(", ")}`,
	].map((sql) => sql.trim().replace(/;$/, ""));
};

/**
 * The UTC days whose packed contacts a recount of `account` (an SQL literal) rebuilds after `recountSql`, each in a
 * statement of its own (`rebuildContactDays`): a distributed database refuses the rebuild function inside a query
 * of the tables it writes.
 */
export const recountContactDaysSql = (account: string) =>
	`SELECT DISTINCT ${utcDay("created_at")} AS day FROM conversation
	WHERE account_id = ${account} AND contact_id IS NOT NULL ORDER BY 1`;
