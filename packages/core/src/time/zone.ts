/**
 * Calendar arithmetic in an IANA timezone using only `Intl` (no timezone database of our own).
 *
 * Instants are epoch milliseconds; calendar dates are `YYYY-MM-DD` strings. A local day starts at the first
 * instant whose local date is that day, so days with a DST change have 23 or 25 hours and a day whose midnight
 * is skipped starts at the transition.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
	let formatter = formatters.get(timeZone);
	if (formatter === undefined) {
		formatter = new Intl.DateTimeFormat("en-US", {
			timeZone,
			hourCycle: "h23",
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			minute: "2-digit",
			second: "2-digit",
		});
		formatters.set(timeZone, formatter);
	}
	return formatter;
};

/** True for names `Intl` knows as a timezone (IANA names and their aliases, e.g. `UTC`, `Asia/Calcutta`). */
export const isValidTimeZone = (timeZone: string): boolean => {
	// Intl also accepts raw offsets such as "+05:30"; the contract asks for IANA names only.
	if (timeZone.length === 0 || timeZone.length > 64 || /^[+-]/.test(timeZone)) return false;
	try {
		formatterFor(timeZone);
		return true;
	} catch {
		return false;
	}
};

export interface WallTime {
	readonly year: number;
	readonly month: number;
	readonly day: number;
	readonly hour: number;
	readonly minute: number;
	/** Local time minus UTC, in minutes (e.g. 330 for +05:30). */
	readonly offsetMinutes: number;
}

/**
 * Readings already computed, per timezone: `formatToParts` costs microseconds, and a batch of reports resolves the
 * same local midnights many times (every report of a 30-day window asks for the same 62 boundaries). Bounded: a
 * zone's map is dropped when it grows past `WALL_TIME_CACHE_SIZE` entries.
 */
const WALL_TIME_CACHE_SIZE = 20_000;
const wallTimes = new Map<string, Map<number, WallTime>>();

/** The local wall-clock reading of an instant in a timezone. */
export const wallTime = (timeZone: string, instant: number): WallTime => {
	let cache = wallTimes.get(timeZone);
	if (cache === undefined) {
		cache = new Map();
		wallTimes.set(timeZone, cache);
	}
	const cached = cache.get(instant);
	if (cached !== undefined) return cached;
	const reading = readWallTime(timeZone, instant);
	if (cache.size >= WALL_TIME_CACHE_SIZE) cache.clear();
	cache.set(instant, reading);
	return reading;
};

const readWallTime = (timeZone: string, instant: number): WallTime => {
	const parts = formatterFor(timeZone).formatToParts(instant);
	let year = 0;
	let month = 0;
	let day = 0;
	let hour = 0;
	let minute = 0;
	let second = 0;
	for (const part of parts) {
		switch (part.type) {
			case "year":
				year = Number(part.value);
				break;
			case "month":
				month = Number(part.value);
				break;
			case "day":
				day = Number(part.value);
				break;
			case "hour":
				hour = Number(part.value);
				break;
			case "minute":
				minute = Number(part.value);
				break;
			case "second":
				second = Number(part.value);
				break;
		}
	}
	const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
	const wholeSecond = Math.floor(instant / 1000) * 1000;
	return { year, month, day, hour, minute, offsetMinutes: Math.round((wallAsUtc - wholeSecond) / 60_000) };
};

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

const formatDate = (year: number, month: number, day: number): string => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

const formatOffset = (offsetMinutes: number): string => {
	const sign = offsetMinutes < 0 ? "-" : "+";
	const abs = Math.abs(offsetMinutes);
	return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
};

/** The local calendar date (`YYYY-MM-DD`) of an instant. */
export const localDate = (timeZone: string, instant: number): string => {
	const wall = wallTime(timeZone, instant);
	return formatDate(wall.year, wall.month, wall.day);
};

/** Parses `YYYY-MM-DD`; undefined when it is not a real calendar date (e.g. 2025-02-30). */
export const parseDate = (
	date: string,
): { readonly year: number; readonly month: number; readonly day: number } | undefined => {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
	if (match === null) return undefined;
	const year = Number(match[1]);
	const month = Number(match[2]);
	const day = Number(match[3]);
	const utc = new Date(Date.UTC(year, month - 1, day));
	if (utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined;
	return { year, month, day };
};

/** Calendar dates already converted (a batch converts the same few dozen dates thousands of times). */
const utcMidnights = new Map<string, number>();

const dateToUtcMidnight = (date: string): number => {
	const cached = utcMidnights.get(date);
	if (cached !== undefined) return cached;
	const parsed = parseDate(date);
	if (parsed === undefined) throw new Error(`not a calendar date: ${date}`);
	const midnight = Date.UTC(parsed.year, parsed.month - 1, parsed.day);
	if (utcMidnights.size >= WALL_TIME_CACHE_SIZE) utcMidnights.clear();
	utcMidnights.set(date, midnight);
	return midnight;
};

const utcMidnightToDate = (utcMidnight: number): string => {
	const d = new Date(utcMidnight);
	return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
};

/** Calendar arithmetic on `YYYY-MM-DD`. */
export const addDays = (date: string, days: number): string =>
	utcMidnightToDate(dateToUtcMidnight(date) + days * DAY_MS);

/** Whole calendar days from `from` to `to` (positive when `to` is later). */
export const daysBetween = (from: string, to: string): number =>
	Math.round((dateToUtcMidnight(to) - dateToUtcMidnight(from)) / DAY_MS);

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string): number => {
	const weekday = new Date(dateToUtcMidnight(date)).getUTCDay();
	return weekday === 0 ? 7 : weekday;
};

/** The first instant whose local date is `date` in `timeZone`. */
export const startOfLocalDay = (timeZone: string, date: string): number => {
	const utcMidnight = dateToUtcMidnight(date);
	// Fast path: midnight exists under one of the offsets in force around it.
	let best: number | undefined;
	for (const probe of [utcMidnight - 14 * HOUR_MS, utcMidnight, utcMidnight + 14 * HOUR_MS]) {
		const candidate = utcMidnight - wallTime(timeZone, probe).offsetMinutes * 60_000;
		const wall = wallTime(timeZone, candidate);
		if (
			Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) === utcMidnight &&
			(best === undefined || candidate < best)
		) {
			best = candidate;
		}
	}
	if (best !== undefined) return best;
	// Midnight is skipped by a transition: search the first instant (whole minute) whose local date is `date`.
	let low = utcMidnight - 26 * HOUR_MS;
	let high = utcMidnight + 26 * HOUR_MS;
	while (high - low > 60_000) {
		const mid = Math.floor((low + high) / 2 / 60_000) * 60_000;
		if (localDate(timeZone, mid) >= date) high = mid;
		else low = mid;
	}
	return high;
};

/**
 * Start instants of every local hour in `[start, end)`, where `start` is a local day start. A bucket is a maximal
 * run of instants sharing local date, hour and offset: during a fall-back transition the repeated hour yields two
 * buckets (different offsets), a skipped hour yields none, and a 30-minute shift (Australia/Lord_Howe) starts a
 * bucket at the transition itself. Transitions happen on quarter hours, so scanning in 15-minute steps is exact.
 */
export const localHourStarts = (timeZone: string, start: number, end: number, limit: number): Array<number> => {
	const starts: Array<number> = [];
	const keyOf = (wall: WallTime) => `${wall.day}T${wall.hour}${wall.offsetMinutes}`;
	let current = start;
	while (current < end) {
		starts.push(current);
		if (starts.length > limit) return starts;
		const wall = wallTime(timeZone, current);
		let next = current + HOUR_MS;
		if (wall.minute !== 0 || wallTime(timeZone, next).offsetMinutes !== wall.offsetMinutes) {
			const key = keyOf(wall);
			next = current + 15 * 60_000;
			while (keyOf(wallTime(timeZone, next)) === key) next += 15 * 60_000;
		}
		current = next;
	}
	return starts;
};

/** `YYYY-MM-DDTHH:00±hh:mm` for the local hour starting at `instant`. */
export const hourLabel = (timeZone: string, instant: number): string => {
	const wall = wallTime(timeZone, instant);
	return `${formatDate(wall.year, wall.month, wall.day)}T${pad(wall.hour)}:00${formatOffset(wall.offsetMinutes)}`;
};
