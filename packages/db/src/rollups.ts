/**
 * The SQL that keeps the rollup tables (`src/entities/rollup.entity.ts`) exact. Statement-level triggers with
 * transition tables see exactly the rows a statement inserted or deleted — `ON CONFLICT DO NOTHING` duplicates are
 * not in them, and rows erased by a foreign-key cascade are — so every write path (ingest, erase, bulk loads, manual
 * SQL) maintains the rollups in its own transaction: a report that runs after a write returns sees it.
 *
 * Upserts are ordered by key so concurrent writers lock rollup rows in the same order.
 */

/** 15-minute slot of an instant; every current UTC offset is a multiple of 15 minutes. */
export const SLOT_MINUTES = 15;
const slot = (column: string) => `date_bin('15 minutes', ${column}, timestamptz '2000-01-01 00:00:00+00')`;

/** Each row counts once for the whole account (`''`) and once for its bot, when it has one. */
const scopes = (alias: string, botColumn = "bot_id") =>
	`CROSS JOIN LATERAL (VALUES (''::varchar), (${alias}.${botColumn})) AS scope(bot_key)`;

const upsert = (table: string, keys: ReadonlyArray<string>, columns: ReadonlyArray<string>, select: string) => `
	INSERT INTO ${table} AS t (${[...keys, ...columns].join(", ")})
	${select}
	ON CONFLICT (${keys.join(", ")}) DO UPDATE SET
		${columns.map((column) => `${column} = t.${column} + EXCLUDED.${column}`).join(",\n\t\t")};`;

const slotKeys = ["account_id", "bot_key", "slot"];
const dayKeys = ["account_id", "bot_key", "day"];
const utcDay = (column: string) => `date_bin('1 day', ${column}, timestamptz '2000-01-01 00:00:00+00')`;

/** The same sums into `<name>_slot` (15-minute slots) and `<name>_day` (UTC days); `select` gets the bucket. */
const slotAndDay = (
	name: "activity" | "cohort" | "action",
	extraKeys: ReadonlyArray<string>,
	columns: ReadonlyArray<string>,
	select: (bucket: (column: string) => string) => string,
) => [
	upsert(`${name}_slot`, [...slotKeys, ...extraKeys], columns, select(slot)),
	upsert(`${name}_day`, [...dayKeys, ...extraKeys], columns, select(utcDay)),
];
const contactKeys = ["account_id", "slot", "contact_id"];

/** Message rows (with their sign) → activity and action counts per slot and day, and contact_slot. */
const messageRollupSql = (source: string, sign: 1 | -1) => {
	const s = sign === 1 ? "" : "-";
	return [
		...slotAndDay(
			"activity",
			[],
			["messages", "user_messages", "bot_messages", "activity_messages", "tokens"],
			(bucket) => `SELECT m.account_id, scope.bot_key, ${bucket("m.created_at")},
				${s}count(*), ${s}count(*) FILTER (WHERE m.type = 'user'), ${s}count(*) FILTER (WHERE m.type = 'bot'),
				${s}count(*) FILTER (WHERE m.type = 'activity'), ${s}coalesce(sum(m.tokens), 0)
			FROM ${source} m ${scopes("m")}
			WHERE scope.bot_key IS NOT NULL
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
		),
		...slotAndDay(
			"action",
			["action_type", "action_name"],
			["count"],
			(bucket) => `SELECT m.account_id, scope.bot_key, ${bucket("m.created_at")},
				coalesce(m.action_type, 'unknown'), coalesce(m.action_name, 'unknown'), ${s}count(*)
			FROM ${source} m ${scopes("m")}
			WHERE scope.bot_key IS NOT NULL AND m.type = 'activity'
			GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
		),
		upsert(
			"contact_slot",
			contactKeys,
			["messages", "tokens"],
			`SELECT m.account_id, ${slot("m.created_at")}, m.contact_id, ${s}count(*), ${s}coalesce(sum(m.tokens), 0)
			FROM ${source} m
			WHERE m.contact_id IS NOT NULL
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
		),
	];
};

/**
 * Message rows (with their sign) → `messageRollupSql`, and their conversations' counters. `account`, when given, is
 * the SQL expression of the one account all rows belong to (see `rollupStatements`).
 */
const messageSql = (source: string, sign: 1 | -1, account?: string) => [
	...messageRollupSql(source, sign),
	// A conversation being erased in the same statement is already gone here: nothing to update.
	...conversationCountersSql(source, sign === 1 ? "" : "-", account),
];

/** ` AND <alias>.account_id = <account>` when the rows' one account is known, so Citus routes the update. */
const sameAccount = (alias: string, account: string | undefined) =>
	account === undefined ? "" : ` AND ${alias}.account_id = ${account}`;

const depth = (condition: string) => `coalesce(sum(c.sign) FILTER (WHERE ${condition}), 0)`;

/** The message counts and tokens both the activity and the cohort rollups sum. */
const messageColumns = ["conversations", "messages", "user_messages", "bot_messages", "activity_messages", "tokens"];

/** The summed columns of `activity_slot` / `activity_day`. */
export const activityColumns = [...messageColumns, "ratings", "thumbs_up", "thumbs_down"];

/** The summed columns of `cohort_slot` / `cohort_day`. */
export const cohortColumns = [
	...messageColumns,
	"depth_zero",
	"depth_one",
	"depth_two_to_three",
	"depth_four_to_ten",
	"depth_eleven_or_more",
];

/** Conversation rows with a sign column `sign` → the cohort histogram (`cohort_slot`, `cohort_day`). */
const cohortSql = (signedSource: string) =>
	slotAndDay(
		"cohort",
		[],
		cohortColumns,
		(bucket) => `SELECT c.account_id, scope.bot_key, ${bucket("c.created_at")},
			sum(c.sign), sum(c.sign * c.messages), sum(c.sign * c.user_messages), sum(c.sign * c.bot_messages),
			sum(c.sign * c.activity_messages), sum(c.sign * c.tokens),
			${depth("c.user_messages = 0")}, ${depth("c.user_messages = 1")},
			${depth("c.user_messages BETWEEN 2 AND 3")}, ${depth("c.user_messages BETWEEN 4 AND 10")},
			${depth("c.user_messages >= 11")}
		FROM ${signedSource} c ${scopes("c")}
		WHERE scope.bot_key IS NOT NULL
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
	);

const counterColumns = ["messages", "user_messages", "bot_messages", "activity_messages", "tokens"];

/**
 * Message rows → their conversations' counters, and the cohort histogram moved from each conversation's old
 * counters to its new ones, in one statement: the update returns both. The update itself is marked
 * (`convolens.counting`), so the conversation update triggers — which would recompute everything a conversation
 * feeds from its old and new rows — skip it: only the counters changed, and only the cohort reads them.
 */
const conversationCountersSql = (source: string, s: "" | "-", account?: string) => {
	const [slots, days] = cohortSql("counted");
	return [
		"PERFORM set_config('convolens.counting', 'on', true);",
		`WITH d AS (
		SELECT account_id, conversation_id,
			${s}count(*) AS messages, ${s}count(*) FILTER (WHERE type = 'user') AS user_messages,
			${s}count(*) FILTER (WHERE type = 'bot') AS bot_messages,
			${s}count(*) FILTER (WHERE type = 'activity') AS activity_messages, ${s}coalesce(sum(tokens), 0) AS tokens
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

/** Skips an update of conversation counters alone (see `conversationCountersSql`). */
const skipCounting = "\tIF current_setting('convolens.counting', true) = 'on' THEN RETURN NULL; END IF;";

/** Conversation rows with a sign column `sign` → activity_slot conversations and the cohort_slot histogram. */
const conversationSql = (signedSource: string) => [
	upsert(
		"contact_slot",
		contactKeys,
		["conversations"],
		`SELECT c.account_id, ${slot("c.created_at")}, c.contact_id, sum(c.sign)
		FROM ${signedSource} c
		WHERE c.contact_id IS NOT NULL
		GROUP BY 1, 2, 3 HAVING sum(c.sign) <> 0 ORDER BY 1, 2, 3`,
	),
	...slotAndDay(
		"activity",
		[],
		["conversations"],
		(bucket) => `SELECT c.account_id, scope.bot_key, ${bucket("c.created_at")}, sum(c.sign)
		FROM ${signedSource} c ${scopes("c")}
		WHERE scope.bot_key IS NOT NULL
		GROUP BY 1, 2, 3 HAVING sum(c.sign) <> 0 ORDER BY 1, 2, 3`,
	),
	...cohortSql(signedSource),
];

/** Rating rows → activity_slot ratings and thumbs. */
const ratingSql = (source: string, sign: 1 | -1) => {
	const s = sign === 1 ? "" : "-";
	return [
		...slotAndDay(
			"activity",
			[],
			["ratings", "thumbs_up", "thumbs_down"],
			(bucket) => `SELECT r.account_id, scope.bot_key, ${bucket("r.created_at")},
				${s}count(*), ${s}count(*) FILTER (WHERE r.value > 0), ${s}count(*) FILTER (WHERE r.value < 0)
			FROM ${source} r ${scopes("r")}
			WHERE scope.bot_key IS NOT NULL
			GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
		),
	];
};

const fn = (name: string, statements: ReadonlyArray<string>) =>
	`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
${statements.join("\n")}
	RETURN NULL;
END
$fn$;`;

const trigger = (name: string, table: string, event: "INSERT" | "DELETE" | "UPDATE", fnName: string) => {
	const referencing =
		event === "INSERT"
			? "REFERENCING NEW TABLE AS new_rows"
			: event === "DELETE"
				? "REFERENCING OLD TABLE AS old_rows"
				: "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows";
	return `CREATE TRIGGER ${name} AFTER ${event} ON ${table} ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION ${fnName}();`;
};

const signed = (source: string, sign: 1 | -1) => `(SELECT x.*, ${sign} AS sign FROM ${source} x)`;

/**
 * The body of an UPDATE trigger that counts the old rows out and the new rows in (`unsigned` given a source and its
 * sign), skipped when no row changed a column in `columns` (a key changed counts as changed): the rollups of a
 * message, rating or contact edited by hand stay exact, and an edit of other columns costs one scan of the
 * transition tables.
 */
const updateSql = (
	columns: ReadonlyArray<string>,
	unsigned: (source: string, sign: 1 | -1) => ReadonlyArray<string>,
): ReadonlyArray<string> => [
	`\tIF NOT EXISTS (SELECT 1 FROM old_rows o LEFT JOIN new_rows n ON n.account_id = o.account_id AND n.id = o.id
		WHERE n.id IS NULL OR (${columns.map((column) => `o.${column}`).join(", ")}) IS DISTINCT FROM (${columns.map((column) => `n.${column}`).join(", ")})) THEN
		RETURN NULL;
	END IF;`,
	...unsigned("old_rows", -1),
	...unsigned("new_rows", 1),
];

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

/** Functions and triggers, in creation order. */
export const rollupTriggersSql: ReadonlyArray<string> = [
	fn("convolens_message_inserted", messageSql("new_rows", 1)),
	fn("convolens_message_deleted", messageSql("old_rows", -1)),
	fn("convolens_conversation_inserted", conversationSql(signed("new_rows", 1))),
	fn("convolens_conversation_deleted", conversationSql(signed("old_rows", -1))),
	fn("convolens_conversation_updated", [
		skipCounting,
		...conversationSql(`(${signed("old_rows", -1).slice(1, -1)} UNION ALL ${signed("new_rows", 1).slice(1, -1)})`),
	]),
	fn("convolens_rating_inserted", ratingSql("new_rows", 1)),
	fn("convolens_rating_deleted", ratingSql("old_rows", -1)),
	fn("convolens_message_updated", updateSql(messageRolledUp, messageSql)),
	fn("convolens_rating_updated", updateSql(["created_at", "value", "bot_id"], ratingSql)),
	trigger("message_rollup_insert", "message", "INSERT", "convolens_message_inserted"),
	trigger("message_rollup_delete", "message", "DELETE", "convolens_message_deleted"),
	trigger("conversation_rollup_insert", "conversation", "INSERT", "convolens_conversation_inserted"),
	trigger("conversation_rollup_delete", "conversation", "DELETE", "convolens_conversation_deleted"),
	trigger("conversation_rollup_update", "conversation", "UPDATE", "convolens_conversation_updated"),
	trigger("rating_rollup_insert", "rating", "INSERT", "convolens_rating_inserted"),
	trigger("rating_rollup_delete", "rating", "DELETE", "convolens_rating_deleted"),
	trigger("message_rollup_update", "message", "UPDATE", "convolens_message_updated"),
	trigger("rating_rollup_update", "rating", "UPDATE", "convolens_rating_updated"),
];

/**
 * Distinct active contacts (`contact_day`, see its entity): contacts are numbered densely per account on insert,
 * and each UTC day holds the numbers of the contacts that created a conversation that day, with the first and last
 * slot of the day they did. Inserts append a part per transaction (no row is rewritten, so concurrent writers do not
 * wait for each other); the ingest merges a day's parts into one once it has more than `CONTACT_DAY_MAX_PARTS`
 * (`compactContactDays`, off the writers' path). Deletes and changed conversations rebuild their days from
 * `conversation`, as does an insert that finds a day past `CONTACT_DAY_REBUILD_PARTS` (a writer that never merges).
 * Rebuilds and merges hold the day's advisory lock (`contactDayLock`). Each statement of a trigger function sees
 * every transaction committed before it (READ COMMITTED), so a rebuild after the lock includes whatever a concurrent
 * rebuild or merge committed, and parts of transactions still in flight are neither seen nor deleted.
 */
const slotOfDay = (column: string, dayColumn: string) =>
	`floor(extract(epoch FROM ${column} - ${dayColumn}) / ${SLOT_MINUTES * 60})::int`;
/** A packed entry: number (int4, big-endian), first slot (1 byte), last slot (1 byte). */
const entry = (seq: string, first: string, last: string) =>
	`int4send(${seq}) || int2send((${first} * 256 + ${last})::int2)`;
/** Days with more parts than this are merged into one after an ingest (`compactContactDays`). */
export const CONTACT_DAY_MAX_PARTS = 16;
/** Days with more parts than this are rebuilt by the inserting transaction: the backstop for writers that never merge. */
export const CONTACT_DAY_REBUILD_PARTS = 256;

/**
 * The arguments of the advisory lock of one account's day, whose rebuilds and merges it serialises (`pg_advisory_…`
 * with two int4 keys). The day enters as epoch seconds, so the key does not depend on the session's time zone.
 */
export const contactDayLock = (account: string, day: string) =>
	`hashtext('contact_day'), hashtext(${account} || '/' || extract(epoch FROM ${day})::bigint::text)`;

const contactDayRebuildFn = `CREATE OR REPLACE FUNCTION convolens_contact_day_rebuild(p_account varchar, p_day timestamptz) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
	PERFORM pg_advisory_xact_lock(${contactDayLock("p_account", "p_day")});
	DELETE FROM contact_day WHERE account_id = p_account AND day = p_day;
	INSERT INTO contact_day (account_id, day, part, entries)
	SELECT p_account, p_day, 0, string_agg(${entry("e.seq", "e.first", "e.last")}, ''::bytea ORDER BY e.seq)
	FROM (
		SELECT ct.seq, min(${slotOfDay("c.created_at", "p_day")}) AS first, max(${slotOfDay("c.created_at", "p_day")}) AS last
		FROM conversation c JOIN contact ct ON ct.account_id = c.account_id AND ct.id = c.contact_id
		WHERE c.account_id = p_account AND c.created_at >= p_day AND c.created_at < p_day + interval '1 day'
		GROUP BY ct.seq
	) e
	HAVING count(*) > 0;
END
$fn$;`;

const rebuildDays = (daysQuery: string) => `
	FOR r IN ${daysQuery} LOOP
		PERFORM convolens_contact_day_rebuild(r.account_id, r.day);
	END LOOP;`;

const contactDayFn = (name: string, body: string) =>
	`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
	r record;
BEGIN${body}
	RETURN NULL;
END
$fn$;`;

/**
 * Appends a part per UTC day holding the contacts of the inserted conversations (`new_rows`); `part` names the
 * writing transaction, so its statements extend one part.
 */
export const contactDayPartSql = (part: string) => `	INSERT INTO contact_day AS t (account_id, day, part, entries)
	SELECT e.account_id, e.day, ${part},
		string_agg(${entry("e.seq", "e.first", "e.last")}, ''::bytea ORDER BY e.seq)
	FROM (
		SELECT n.account_id, n.day, ct.seq,
			min(${slotOfDay("n.created_at", "n.day")}) AS first, max(${slotOfDay("n.created_at", "n.day")}) AS last
		FROM (SELECT x.account_id, x.contact_id, x.created_at, ${utcDay("x.created_at")} AS day FROM new_rows x) n
		JOIN contact ct ON ct.account_id = n.account_id AND ct.id = n.contact_id
		GROUP BY 1, 2, 3
	) e
	GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (account_id, day, part) DO UPDATE SET entries = t.entries || EXCLUDED.entries;
`;

/** The days the inserted conversations (`new_rows`) touch that hold more than `CONTACT_DAY_REBUILD_PARTS` parts. */
export const contactDaysToRebuildSql = `SELECT d.account_id, d.day FROM contact_day d
		JOIN (SELECT DISTINCT account_id, ${utcDay("created_at")} AS day FROM new_rows WHERE contact_id IS NOT NULL) n
			ON n.account_id = d.account_id AND n.day = d.day
		GROUP BY 1, 2 HAVING count(*) > ${CONTACT_DAY_REBUILD_PARTS} ORDER BY 1, 2`;

export const contactDaySql: ReadonlyArray<string> = [
	`CREATE OR REPLACE FUNCTION convolens_contact_numbered() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
	INSERT INTO contact_counter AS t (account_id, last) VALUES (NEW.account_id, 1)
	ON CONFLICT (account_id) DO UPDATE SET last = t.last + 1
	RETURNING t.last INTO NEW.seq;
	RETURN NEW;
END
$fn$;`,
	contactDayRebuildFn,
	contactDayFn(
		"convolens_contact_day_inserted",
		`
${contactDayPartSql("pg_current_xact_id()::text::bigint")}${rebuildDays(contactDaysToRebuildSql)}`,
	),
	contactDayFn(
		"convolens_contact_day_deleted",
		rebuildDays(
			`SELECT DISTINCT account_id, ${utcDay("created_at")} AS day FROM old_rows WHERE contact_id IS NOT NULL ORDER BY 1, 2`,
		),
	),
	contactDayFn(
		"convolens_contact_day_updated",
		`\n${skipCounting}` +
			rebuildDays(`SELECT DISTINCT x.account_id, ${utcDay("x.created_at")} AS day
		FROM old_rows o JOIN new_rows n ON n.account_id = o.account_id AND n.id = o.id
		CROSS JOIN LATERAL (VALUES (o.account_id, o.created_at), (n.account_id, n.created_at)) AS x(account_id, created_at)
		WHERE o.contact_id IS DISTINCT FROM n.contact_id OR o.created_at <> n.created_at
		ORDER BY 1, 2`),
	),
	"CREATE TRIGGER contact_numbered BEFORE INSERT ON contact FOR EACH ROW EXECUTE FUNCTION convolens_contact_numbered();",
	trigger("conversation_contact_day_insert", "conversation", "INSERT", "convolens_contact_day_inserted"),
	trigger("conversation_contact_day_delete", "conversation", "DELETE", "convolens_contact_day_deleted"),
	trigger("conversation_contact_day_update", "conversation", "UPDATE", "convolens_contact_day_updated"),
];

/**
 * All-time conversations, messages and tokens per contact (`contact_total`): an upper bound of the contact's value
 * in any window, which lets the contact rankings skip the contacts that cannot reach the top (see
 * `rankContacts` in `src/repositories/contact-rankings.ts`).
 */
const contactTotalKeys = ["account_id", "contact_id"];
const contactDayKeys = ["account_id", "contact_id", "day"];
/** The same sums into `contact_total` (all time) and `contact_activity_day` (per UTC day). */
/** Bit length of a non-negative count (0 for 0): the magnitude the ranking bound is indexed by. */
export const contactTotalScale = (value: string) =>
	`CASE WHEN ${value} > 0 THEN floor(log(2, (${value})::numeric))::int + 1 ELSE 0 END`;

/**
 * `contact_total` keeps, beside each value, its `*_scale` (bit length): the indexed column. A new value rarely
 * changes its scale, so most updates leave every index untouched (HOT updates), while the index still finds every
 * contact whose value reaches a threshold (value ≥ T implies scale ≥ scale(T)).
 */
const contactTotalUpsert = (columns: ReadonlyArray<string>, select: string) => `
	INSERT INTO contact_total AS t (${[...contactTotalKeys, ...columns, ...columns.map((column) => `${column}_scale`)].join(", ")})
	SELECT s.*, ${columns.map((column) => contactTotalScale(`s.${column}`)).join(", ")}
	FROM (${select}) AS s(${[...contactTotalKeys, ...columns].join(", ")})
	ON CONFLICT (${contactTotalKeys.join(", ")}) DO UPDATE SET
		${columns
			.flatMap((column) => [
				`${column} = t.${column} + EXCLUDED.${column}`,
				`${column}_scale = ${contactTotalScale(`t.${column} + EXCLUDED.${column}`)}`,
			])
			.join(",\n\t\t")};`;

const contactTotalAndDay = (columns: ReadonlyArray<string>, select: (day: string) => string) => [
	contactTotalUpsert(columns, select("")),
	upsert("contact_activity_day", contactDayKeys, columns, select(`, ${utcDay("created_at")}`)),
];
const contactTotalMessages = (source: string, sign: 1 | -1) =>
	contactTotalAndDay(
		["messages", "tokens"],
		(
			day,
		) => `SELECT account_id, contact_id${day}, ${sign === 1 ? "" : "-"}count(*), ${sign === 1 ? "" : "-"}coalesce(sum(tokens), 0)
		FROM ${source} WHERE contact_id IS NOT NULL
		GROUP BY ${day ? "1, 2, 3 ORDER BY 1, 2, 3" : "1, 2 ORDER BY 1, 2"}`,
	);
const contactTotalConversations = (signedSource: string) =>
	contactTotalAndDay(
		["conversations"],
		(day) => `SELECT account_id, contact_id${day}, sum(sign)
		FROM ${signedSource} c WHERE contact_id IS NOT NULL
		GROUP BY ${day ? "1, 2, 3" : "1, 2"} HAVING sum(sign) <> 0 ORDER BY ${day ? "1, 2, 3" : "1, 2"}`,
	);

export const contactTotalSql: ReadonlyArray<string> = [
	fn("convolens_contact_total_messages_inserted", contactTotalMessages("new_rows", 1)),
	fn("convolens_contact_total_messages_deleted", contactTotalMessages("old_rows", -1)),
	fn("convolens_contact_total_conversations_inserted", contactTotalConversations(signed("new_rows", 1))),
	fn("convolens_contact_total_conversations_deleted", contactTotalConversations(signed("old_rows", -1))),
	fn("convolens_contact_total_conversations_updated", [
		skipCounting,
		...contactTotalConversations(
			`(${signed("old_rows", -1).slice(1, -1)} UNION ALL ${signed("new_rows", 1).slice(1, -1)})`,
		),
	]),
	fn("convolens_contact_total_messages_updated", updateSql(messageRolledUp, contactTotalMessages)),
	trigger("message_contact_total_insert", "message", "INSERT", "convolens_contact_total_messages_inserted"),
	trigger("message_contact_total_delete", "message", "DELETE", "convolens_contact_total_messages_deleted"),
	trigger(
		"conversation_contact_total_insert",
		"conversation",
		"INSERT",
		"convolens_contact_total_conversations_inserted",
	),
	trigger(
		"conversation_contact_total_delete",
		"conversation",
		"DELETE",
		"convolens_contact_total_conversations_deleted",
	),
	trigger(
		"conversation_contact_total_update",
		"conversation",
		"UPDATE",
		"convolens_contact_total_conversations_updated",
	),
	trigger("message_contact_total_update", "message", "UPDATE", "convolens_contact_total_messages_updated"),
];

/**
 * Contacts by creation (`contacts_slot`, `contacts_day`) and the account's running count (`contact_counter.contacts`):
 * Total Contacts without counting the contact table.
 */
const contactCountSql = (source: string, sign: 1 | -1, account?: string) => {
	const s = sign === 1 ? "" : "-";
	return [
		upsert(
			"contacts_slot",
			["account_id", "slot"],
			["contacts"],
			`SELECT account_id, ${slot("created_at")}, ${s}count(*) FROM ${source} GROUP BY 1, 2 ORDER BY 1, 2`,
		),
		upsert(
			"contacts_day",
			["account_id", "day"],
			["contacts"],
			`SELECT account_id, ${utcDay("created_at")}, ${s}count(*) FROM ${source} GROUP BY 1, 2 ORDER BY 1, 2`,
		),
		`UPDATE contact_counter t SET contacts = t.contacts + d.n
		FROM (SELECT account_id, ${s}count(*) AS n FROM ${source} GROUP BY 1 ORDER BY 1) d
		WHERE t.account_id = d.account_id${sameAccount("t", account)};`,
	];
};

export const contactCountTriggersSql: ReadonlyArray<string> = [
	fn("convolens_contacts_inserted", contactCountSql("new_rows", 1)),
	fn("convolens_contacts_deleted", contactCountSql("old_rows", -1)),
	fn("convolens_contacts_updated", updateSql(["created_at"], contactCountSql)),
	trigger("contact_count_insert", "contact", "INSERT", "convolens_contacts_inserted"),
	trigger("contact_count_delete", "contact", "DELETE", "convolens_contacts_deleted"),
	trigger("contact_count_update", "contact", "UPDATE", "convolens_contacts_updated"),
];

/**
 * The data version of each account (`data_version`): every statement that writes an account's data adds 1 to one of
 * its rows, in the writing transaction, so `sum(version)` changes exactly when the account's committed data does.
 * The API keys its result cache by it (`@convolens/core`'s `ResultCache`). Rows are spread over
 * `DATA_VERSION_SHARDS` per account by backend, so concurrent writers of one account rarely wait for each other's
 * commit on the same row.
 */
export const DATA_VERSION_SHARDS = 16;

/** Every table an account's reports read, with the column that names the account. */
export const dataVersionTables: ReadonlyArray<
	readonly [table: string, column: string, events: ReadonlyArray<"INSERT" | "UPDATE" | "DELETE">]
> = [
	["account", "id", ["UPDATE"]],
	...["bot", "contact", "conversation", "message", "rating", "dataset", "record", "skillset", "ability", "file"].map(
		(table) => [table, "account_id", ["INSERT", "UPDATE", "DELETE"]] as const,
	),
];

const bumpDataVersion = (source: string, column: string) => `
		INSERT INTO data_version AS t (account_id, shard, version)
		SELECT DISTINCT ${column}, (pg_backend_pid() % ${DATA_VERSION_SHARDS})::smallint, 1 FROM ${source} ORDER BY 1
		ON CONFLICT (account_id, shard) DO UPDATE SET version = t.version + 1;`;

const dataChangedFn = (name: string, column: string) =>
	fn(name, [
		`	IF TG_OP = 'DELETE' THEN${bumpDataVersion("old_rows", column)}
	ELSE${bumpDataVersion("new_rows", column)}
	END IF;`,
	]);

export const dataVersionSql: ReadonlyArray<string> = [
	dataChangedFn("convolens_data_changed", "account_id"),
	dataChangedFn("convolens_account_changed", "id"),
	...dataVersionTables.flatMap(([table, column, events]) =>
		events.map((event) =>
			trigger(
				`${table}_data_version_${event.toLowerCase()}`,
				table,
				event,
				column === "id" ? "convolens_account_changed" : "convolens_data_changed",
			),
		),
	),
];

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
