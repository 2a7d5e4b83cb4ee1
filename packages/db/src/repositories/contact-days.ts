import type pg from "pg";
import { runTransaction } from "../database.ts";
import { CONTACT_DAY_MAX_PARTS, contactDayLock } from "../rollups.ts";

/** A packed entry of `contact_day` (written by `src/rollups.ts`): number (4 bytes, big-endian), first slot, last slot. */
export const ENTRY_BYTES = 6;

/** The contact number of the entry at `offset`. */
export const seqAt = (entries: Uint8Array, offset: number) =>
	(entries[offset]! << 24) | (entries[offset + 1]! << 16) | (entries[offset + 2]! << 8) | entries[offset + 3]!;

export const DAY_MS = 86_400_000;
/** The start of an instant's UTC day, as `contact_day.day` and the `*_day` rollups hold it. */
export const utcDay = (instant: number) => Math.floor(instant / DAY_MS) * DAY_MS;

/**
 * One packed day from several parts of it (see `contact_day`): each contact number once, with the earliest first
 * slot and the latest last slot any part gives it, in number order — the same entries a rebuild from the
 * conversations writes.
 */
export const mergePackedEntries = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
	let maxSeq = 0;
	for (const part of parts) {
		for (let offset = 0; offset + ENTRY_BYTES <= part.byteLength; offset += ENTRY_BYTES) {
			maxSeq = Math.max(maxSeq, seqAt(part, offset));
		}
	}
	const first = new Uint8Array(maxSeq + 1).fill(255);
	const last = new Int16Array(maxSeq + 1).fill(-1);
	let count = 0;
	for (const part of parts) {
		for (let offset = 0; offset + ENTRY_BYTES <= part.byteLength; offset += ENTRY_BYTES) {
			const seq = seqAt(part, offset);
			if (last[seq] === -1) count++;
			first[seq] = Math.min(first[seq]!, part[offset + 4]!);
			last[seq] = Math.max(last[seq]!, part[offset + 5]!);
		}
	}
	const merged = new Uint8Array(count * ENTRY_BYTES);
	for (let seq = 0, offset = 0; seq <= maxSeq; seq++) {
		if (last[seq] === -1) continue;
		merged[offset] = seq >>> 24;
		merged[offset + 1] = (seq >>> 16) & 255;
		merged[offset + 2] = (seq >>> 8) & 255;
		merged[offset + 3] = seq & 255;
		merged[offset + 4] = first[seq]!;
		merged[offset + 5] = last[seq]!;
		offset += ENTRY_BYTES;
	}
	return merged;
};

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
