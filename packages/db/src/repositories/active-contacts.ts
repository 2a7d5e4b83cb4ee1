import { DAY_MS, utcDay } from "./contact-days.ts";
import type { PackedDay } from "./packed-day.ts";
import { SLOT_MS, SLOTS_PER_DAY } from "./span-cover.ts";

// Distinct active contacts per slice, counted from the packed days of `contact_day`.

/**
 * `contact_day` knows, per UTC day, each contact's first and last slot: enough for a slice that covers a prefix, a
 * suffix or the whole of every UTC day it touches — any slice of a day or longer, in any zone. A slice lying
 * strictly inside one UTC day (hourly slices) needs the raw rows.
 */
export const contactDaysApply = (instants: ReadonlyArray<number>) =>
	instants.slice(1).every((end, index) => {
		const start = instants[index]!;
		const day = utcDay(start);
		return start === day || end - day >= DAY_MS;
	});

/**
 * Exact distinct counts from the packed days (`contact_day`): for each slice, in order, every entry of every day it
 * touches marks its contact when the contact created a conversation inside the slice's part of that day; a contact
 * counts once per slice (`slice` holds the last slice that counted it) and once for the whole span.
 */
export const countActiveContacts = (
	instants: ReadonlyArray<number>,
	rows: ReadonlyArray<{ readonly day: number; readonly entries: PackedDay; readonly numbers: number }>,
) => {
	const days: Array<{ day: number; parts: Array<PackedDay> }> = [];
	// Contact numbers never exceed the account's last number (read in the same statement as the days).
	const maxSeq = rows.reduce((most, row) => Math.max(most, Number(row.numbers)), 0);
	for (const row of rows) {
		const day = Number(row.day);
		if (days.at(-1)?.day !== day) days.push({ day, parts: [] });
		days.at(-1)!.parts.push(row.entries);
	}
	const slices = instants.length - 1;
	const perSlice = new Array<number>(slices).fill(0);
	const counted = new Int32Array(maxSeq + 1);
	const inSpan = new Uint8Array(maxSeq + 1);
	let total = 0;
	let firstDay = 0;
	for (let slice = 0; slice < slices; slice++) {
		const start = instants[slice]!;
		const end = instants[slice + 1]!;
		const mark = slice + 1;
		let count = 0;
		while (firstDay < days.length && days[firstDay]!.day + DAY_MS <= start) firstDay++;
		for (let index = firstDay; index < days.length && days[index]!.day < end; index++) {
			const { day, parts } = days[index]!;
			const from = Math.max(0, (start - day) / SLOT_MS);
			const to = Math.min(SLOTS_PER_DAY, (end - day) / SLOT_MS);
			for (const { seqs, first, last, byLast } of parts) {
				if (from === 0) {
					// A prefix [0, to) (or the whole day) holds the contact when its first slot is in it.
					for (let entry = 0; entry < seqs.length; entry++) {
						if (first[entry]! >= to) continue;
						const seq = seqs[entry]!;
						if (counted[seq] === mark) continue;
						counted[seq] = mark;
						count++;
						if (inSpan[seq] === 0) {
							inSpan[seq] = 1;
							total++;
						}
					}
				} else {
					// A suffix [from, 96) holds it when its last slot is: only the entries that reach `from`.
					for (let rank = 0; rank < byLast.length && last[byLast[rank]!]! >= from; rank++) {
						const seq = seqs[byLast[rank]!]!;
						if (counted[seq] === mark) continue;
						counted[seq] = mark;
						count++;
						if (inSpan[seq] === 0) {
							inSpan[seq] = 1;
							total++;
						}
					}
				}
			}
		}
		perSlice[slice] = count;
	}
	return { perSlice, total };
};

/**
 * The columns of a `contact_day` read: the day (epoch ms), the row version `day/part/xmin/length` that keys the
 * copies of `PackedDayCache`, the given entries expression, and the account's last contact number.
 */
export interface PackedDayRow {
	readonly day: number;
	readonly key: string;
	readonly entries: Uint8Array | null;
	readonly numbers: number;
}

export const packedDayColumns = (entries: string) =>
	`(extract(epoch FROM day) * 1000)::float8 AS day,
	concat_ws('/', (extract(epoch FROM day) * 1000)::bigint, part, xmin, octet_length(entries)) AS key,
	${entries} AS entries, (SELECT last FROM contact_counter WHERE account_id = $1) AS numbers`;
