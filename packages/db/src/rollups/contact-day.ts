import { SLOT_MINUTES, skipCounting, trigger, utcDay } from "./sql.ts";

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
const CONTACT_DAY_REBUILD_PARTS = 256;

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
