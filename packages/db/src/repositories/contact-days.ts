import type pg from "pg";
import { runTransaction } from "../database.ts";
import { CONTACT_DAY_MAX_PARTS, contactDayLock } from "../rollups/index.ts";
import { mergePackedEntries } from "./packed-day.ts";

export const DAY_MS = 86_400_000;
/** The start of an instant's UTC day, as `contact_day.day` and the `*_day` rollups hold it. */
export const utcDay = (instant: number) => Math.floor(instant / DAY_MS) * DAY_MS;

/** The UTC days (epoch ms) in which a batch's conversations with a contact were created. */
export const contactDaysOf = (conversations: ReadonlyArray<{ createdAt: Date; contactId: string | null }>) => [
	...new Set(conversations.flatMap((item) => (item.contactId === null ? [] : [utcDay(item.createdAt.getTime())]))),
];

/** Merges one day's committed parts into part 0 under the day's lock; false when another transaction holds it. */
const compactDay = async (client: pg.PoolClient, accountId: string, day: Date) => {
	const { rows: locked } = await client.query<{ locked: boolean }>(
		`SELECT pg_try_advisory_xact_lock(${contactDayLock("$1::text", "$2::timestamptz")}) AS locked`,
		[accountId, day],
	);
	if (!locked[0]?.locked) return false;
	const { rows: parts } = await client.query<{ part: string; entries: Uint8Array }>(
		"SELECT part, entries FROM contact_day WHERE account_id = $1 AND day = $2",
		[accountId, day],
	);
	if (parts.length <= 1) return false;
	await client.query("DELETE FROM contact_day WHERE account_id = $1 AND day = $2 AND part = ANY($3::bigint[])", [
		accountId,
		day,
		parts.map((row) => row.part),
	]);
	await client.query("INSERT INTO contact_day (account_id, day, part, entries) VALUES ($1, $2, 0, $3)", [
		accountId,
		day,
		mergePackedEntries(parts.map((row) => row.entries)),
	]);
	return true;
};

/**
 * Keeps the packed days of `days` at a few parts each: every writing transaction appends a part to each day it
 * touches (so concurrent writers never wait for each other there), and this merges a day past
 * `CONTACT_DAY_MAX_PARTS` parts into one, in a transaction of its own. The day before a written day is, in
 * practice, over (yesterday, once today's traffic starts; the previous day of a history load): it is merged as soon
 * as it has two parts, so past days are read as one part each. Only committed parts are merged; parts of
 * transactions still in flight stay as they are. A day whose lock another transaction holds (a rebuild after an
 * erase, or another merge) is left for a later call. Returns the number of days merged.
 */
export const compactContactDays = async (pool: pg.Pool, accountId: string, days: ReadonlyArray<number>) => {
	if (days.length === 0) return 0;
	const before = days.map((day) => day - DAY_MS).filter((day) => !days.includes(day));
	const { rows } = await pool.query<{ day: Date }>(
		`SELECT day FROM contact_day
		WHERE account_id = $1 AND (day = ANY($2::timestamptz[]) OR day = ANY($3::timestamptz[]))
		GROUP BY day HAVING count(*) > CASE WHEN day = ANY($2::timestamptz[]) THEN $4 ELSE 1 END ORDER BY day`,
		[accountId, days.map((day) => new Date(day)), before.map((day) => new Date(day)), CONTACT_DAY_MAX_PARTS],
	);
	let merged = 0;
	for (const { day } of rows) {
		if (await runTransaction(pool, (client) => compactDay(client, accountId, day))) merged++;
	}
	return merged;
};
