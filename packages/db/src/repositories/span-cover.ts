import { instantParam, instantsParam } from "../database.ts";
import { SLOT_MINUTES } from "../rollups/index.ts";
import { DAY_MS } from "./contact-days.ts";

/**
 * Which rollup rows answer a span cut into slices. Every rollup column is a count or a sum, so a UTC day's row
 * equals the sum of its 96 slot rows, and the part of a day inside a slice can be read either as its slots or as
 * the whole day minus the slots outside that part. A 30-day window in Europe/Berlin cuts every UTC day at 23:00 (or
 * 22:00): read as slots, each day costs 96 rows; read as the day minus its last hour, which is added to the next
 * slice, 1 + 4.
 */

export const SLOT_MS = SLOT_MINUTES * 60_000;
export const SLOTS_PER_DAY = DAY_MS / SLOT_MS;

/** Half-open ranges of instants (epoch ms). */
export type Ranges = Array<[number, number]>;

export interface SpanCover {
	/** UTC days read whole from the day rollups, each counted in the slice holding its start. */
	readonly days: Ranges;
	/** UTC days read whole, counted in the slice that holds `at` (a later instant of the day). */
	readonly shiftedDays: Array<{ readonly day: number; readonly at: number }>;
	/** Slot ranges added, each slot counted in its own slice. */
	readonly slots: Ranges;
	/** Slot ranges subtracted, counted in the slice that holds `at`: the parts of a whole-read day outside it. */
	readonly minus: Array<{ readonly start: number; readonly end: number; readonly at: number }>;
	/**
	 * Slot ranges read once and counted twice: added to their own slice and subtracted from the slice that holds
	 * `at` — the parts of a whole-read day inside the span but outside that slice, which would otherwise be read
	 * once for each.
	 */
	readonly moved: Array<{ readonly start: number; readonly end: number; readonly at: number }>;
}

const addRange = (ranges: Ranges, start: number, end: number) => {
	if (start >= end) return;
	const last = ranges.at(-1);
	if (last && last[1] === start) last[1] = end;
	else ranges.push([start, end]);
};

/**
 * The cheapest cover of the span of `instants` (sorted slot boundaries, at least two) by rows: for each UTC day the
 * span touches, either the slots of its part inside the span, or — when one slice holds more than half of the day —
 * the day row counted in that slice, the slots of its other slices' parts added to them and the slots of the day
 * outside that slice subtracted from it (97 − 2 × the slice's slots fewer rows).
 */
export const coverSpan = (instants: ReadonlyArray<number>): SpanCover => {
	const cover: SpanCover = { days: [], shiftedDays: [], slots: [], minus: [], moved: [] };
	const first = instants[0]!;
	const last = instants.at(-1)!;
	let boundary = 0;
	for (let day = Math.floor(first / DAY_MS) * DAY_MS; day < last; day += DAY_MS) {
		const start = Math.max(day, first);
		const end = Math.min(day + DAY_MS, last);
		// The day's pieces: its part of the span cut at the boundaries strictly inside it.
		while (boundary < instants.length && instants[boundary]! <= start) boundary++;
		const next = instants[boundary] ?? last;
		if (start === day && next >= day + DAY_MS) {
			// Whole days up to the next boundary lie in one slice (a span can start in 1970).
			const through = Math.floor(Math.min(next, last) / DAY_MS) * DAY_MS;
			addRange(cover.days, day, through);
			day = through - DAY_MS;
			continue;
		}
		const cuts = [start];
		for (let index = boundary; index < instants.length && instants[index]! < end; index++) cuts.push(instants[index]!);
		cuts.push(end);
		let largest = 0;
		for (let piece = 1; piece < cuts.length - 1; piece++) {
			if (cuts[piece + 1]! - cuts[piece]! > cuts[largest + 1]! - cuts[largest]!) largest = piece;
		}
		const [pieceStart, pieceEnd] = [cuts[largest]!, cuts[largest + 1]!];
		if (2 * ((pieceEnd - pieceStart) / SLOT_MS) <= SLOTS_PER_DAY) {
			addRange(cover.slots, start, end);
			continue;
		}
		if (pieceStart === day) addRange(cover.days, day, day + DAY_MS);
		else cover.shiftedDays.push({ day, at: pieceStart });
		// The day's slots outside the piece: those inside the span move to their own slices, the rest are subtracted.
		if (start < pieceStart) cover.moved.push({ start, end: pieceStart, at: pieceStart });
		if (pieceEnd < end) cover.moved.push({ start: pieceEnd, end, at: pieceStart });
		if (day < start) cover.minus.push({ start: day, end: start, at: pieceStart });
		if (end < day + DAY_MS) cover.minus.push({ start: end, end: day + DAY_MS, at: pieceStart });
	}
	return cover;
};

/** `(column >= $a AND column < $b) OR …` for the ranges, their instants appended to `params`; `false` when none. */
const inRanges = (column: string, ranges: ReadonlyArray<readonly [number, number]>, params: Array<unknown>) =>
	ranges.length === 0
		? "false"
		: `(${ranges
				.map(([start, end]) => {
					params.push(instantParam(start), instantParam(end));
					return `(${column} >= $${params.length - 1} AND ${column} < $${params.length})`;
				})
				.join(" OR ")})`;

/** Appends `value` to `params` and returns its placeholder. */
const param = (params: Array<unknown>, value: unknown) => {
	params.push(value);
	return `$${params.length}`;
};

/** Rows of a rollup table in `[start, end)`, counted in the slice of `at` (else their own) with `sign`. */
interface Read {
	readonly start: number;
	readonly end: number;
	readonly at?: number;
	readonly sign: 1 | -1;
}

/**
 * The rows of `<name>_slot` and `<name>_day` that cover the span of `instants` (see `coverSpan`), as one relation:
 * `t`, an instant of the slice each row counts in, then `keys` as they are and `values` negated on subtracted
 * rows, so that summing `values` grouped by the slice of `t` (and `keys`) gives each slice's totals. `where`
 * filters both tables (unqualified columns; its parameters already in `params`). The ranges travel as arrays and
 * each is read by its own index scan: the statement's text and plan do not grow with the number of ranges.
 */
export const slotsAndDays = (
	name: "activity" | "cohort" | "action" | "contacts",
	keys: ReadonlyArray<string>,
	values: ReadonlyArray<string>,
	where: string,
	instants: ReadonlyArray<number>,
	params: Array<unknown>,
) => {
	const { days, shiftedDays, slots, minus, moved } = coverSpan(instants);
	/** Each row read counts once (at its anchor, else its own instant) or, `twice`, added at its own instant and subtracted at its anchor. */
	const read = (table: string, column: string, reads: ReadonlyArray<Read>, twice = false) => {
		const low = param(params, instantsParam(reads.map((entry) => entry.start)));
		const high = param(params, instantsParam(reads.map((entry) => entry.end)));
		const anchor = param(params, instantsParam(reads.map((entry) => entry.at ?? null)));
		const sign = param(
			params,
			reads.map((entry) => entry.sign),
		);
		const [t, signOf, counted] = twice
			? ["c.t", "c.sign", "CROSS JOIN LATERAL (VALUES (x.own, 1), (r.anchor, -1)) c(t, sign)"]
			: ["coalesce(r.anchor, x.own)", "r.sign", ""];
		return `SELECT ${t} AS t, ${[...keys.map((key) => `x.${key}`), ...values.map((value) => `${signOf} * x.${value} AS ${value}`)].join(", ")}
			FROM unnest(${low}::timestamptz[], ${high}::timestamptz[], ${anchor}::timestamptz[], ${sign}::int[])
				r(low, high, anchor, sign)
			CROSS JOIN LATERAL (
				SELECT ${column} AS own, ${[...keys, ...values].join(", ")} FROM ${table}
				WHERE ${where} AND ${column} >= r.low AND ${column} < r.high OFFSET 0
			) x
			${counted}`;
	};
	const dayReads: Array<Read> = [
		...days.map(([start, end]): Read => ({ start, end, sign: 1 })),
		...shiftedDays.map(({ day, at }): Read => ({ start: day, end: day + DAY_MS, at, sign: 1 })),
	];
	const slotReads: Array<Read> = [
		...slots.map(([start, end]): Read => ({ start, end, sign: 1 })),
		...minus.map(({ start, end, at }): Read => ({ start, end, at, sign: -1 })),
	];
	const movedReads = moved.map(({ start, end, at }): Read => ({ start, end, at, sign: 1 }));
	const parts = [
		...(dayReads.length > 0 ? [read(`${name}_day`, "day", dayReads)] : []),
		...(slotReads.length > 0 ? [read(`${name}_slot`, "slot", slotReads)] : []),
		...(movedReads.length > 0 ? [read(`${name}_slot`, "slot", movedReads, true)] : []),
	];
	// An empty span (boundaries out of order, as the windows before 1970 of a "since 1970" read) covers no row.
	if (parts.length === 0) {
		parts.push(
			`SELECT NULL::timestamptz AS t, ${[...keys, ...values].join(", ")} FROM ${name}_slot WHERE ${where} AND false`,
		);
	}
	return `(${parts.join(" UNION ALL ")})`;
};

/**
 * The same cover for one range, as three filters on a day table's and a slot table's time columns — whole days,
 * slots added, slots subtracted — for callers that sum one range per key (contact windows).
 */
export const rangeCover = (range: readonly [number, number], params: Array<unknown>) => {
	const { days, shiftedDays, slots, minus } = coverSpan(range);
	// One range: every day counts in it, whatever its anchor, and no day has a part outside it to move.
	const wholeDays: Ranges = days.map(([start, end]) => [start, end]);
	for (const { day } of shiftedDays) addRange(wholeDays, day, day + DAY_MS);
	const subtracted: Ranges = [];
	for (const { start, end } of minus) addRange(subtracted, start, end);
	return {
		days: (column: string) => inRanges(column, wholeDays, params),
		slots: (column: string) => inRanges(column, slots, params),
		minus: minus.length === 0 ? undefined : (column: string) => inRanges(column, subtracted, params),
	};
};
