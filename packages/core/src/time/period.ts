import { Effect } from "effect";
import { z } from "zod";
import { InvalidInput } from "../errors.ts";
import {
	addDays,
	daysBetween,
	hourLabel,
	isoWeekday,
	isValidTimeZone,
	localDate,
	localHourStarts,
	parseDate,
	startOfLocalDay,
} from "./zone.ts";

export const granularities = ["hour", "day", "week", "month"] as const;
export type Granularity = (typeof granularities)[number];

export const MAX_PERIOD_DAYS = 365;
export const MAX_EXPLICIT_DAYS = 366;
export const MAX_BUCKETS = 2000;
/** The range of explicit `startDate`/`endDate` values. */
const MIN_EXPLICIT_DATE = "1000-01-01";
const MAX_EXPLICIT_DATE = "9999-12-30";

const dateString = (field: string) =>
	z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${field} must be a date in YYYY-MM-DD format` });

/** The period fields shared by every period report (`periodDays` default differs per report). */
export const periodFields = (defaultDays: number) => ({
	// Bounds before `int()`: for 1e308 the first issue names 365, not the safe-integer bound that `int()` checks.
	periodDays: z
		.number()
		.min(1)
		.max(MAX_PERIOD_DAYS)
		.int()
		.default(defaultDays)
		.describe(`Number of calendar days up to and including today (1–${MAX_PERIOD_DAYS}, default ${defaultDays})`),
	startDate: dateString("startDate")
		.optional()
		.describe("First day of an explicit window (YYYY-MM-DD, inclusive); requires endDate"),
	endDate: dateString("endDate")
		.optional()
		.describe("Last day of an explicit window (YYYY-MM-DD, inclusive); requires startDate"),
	timezone: z
		.string()
		.min(1)
		.max(64)
		.optional()
		.describe("IANA timezone of the calendar days (default: the X-Timezone header, else UTC)"),
	granularity: z.enum(granularities).default("day").describe("Breakdown bucket size (default day)"),
});

export interface PeriodInput {
	readonly periodDays: number;
	readonly startDate?: string | undefined;
	readonly endDate?: string | undefined;
	readonly timezone?: string | undefined;
	readonly granularity: Granularity;
}

export interface TimeWindow {
	readonly start: number;
	readonly end: number;
}

export interface Bucket {
	/** Start instant (epoch ms); the bucket ends where the next starts, the last one at the window end. */
	readonly start: number;
	readonly label: string;
}

export interface ResolvedPeriod {
	readonly timezone: string;
	readonly granularity: Granularity;
	/** `last N days`, `last 1 day` or `YYYY-MM-DD to YYYY-MM-DD`. */
	readonly label: string;
	/** Calendar days in the window (also the length of the previous window). */
	readonly days: number;
	/** First and last local date of the current window (inclusive). */
	readonly firstDate: string;
	readonly lastDate: string;
	readonly current: TimeWindow;
	readonly previous: TimeWindow;
	readonly buckets: ReadonlyArray<Bucket>;
}

const invalidTimeZone = (timezone: string) =>
	new InvalidInput({
		message: `timezone must be an IANA timezone name such as "Europe/Berlin" (got "${timezone.slice(0, 64)}")`,
		field: "timezone",
	});

/** Validates a timezone name, failing with InvalidInput naming `timezone`. */
export const validateTimeZone = (timezone: string): Effect.Effect<string, InvalidInput> =>
	isValidTimeZone(timezone) ? Effect.succeed(timezone) : Effect.fail(invalidTimeZone(timezone));

const bucketStartDates = (firstDate: string, lastDate: string, granularity: "day" | "week" | "month") => {
	const dates: Array<string> = [firstDate];
	for (let date = addDays(firstDate, 1); date <= lastDate; date = addDays(date, 1)) {
		if (granularity === "day") dates.push(date);
		else if (granularity === "week" && isoWeekday(date) === 1) dates.push(date);
		else if (granularity === "month" && date.endsWith("-01")) dates.push(date);
	}
	return dates;
};

const tooManyBuckets = (granularity: Granularity) =>
	new InvalidInput({
		message: `granularity "${granularity}" would produce more than ${MAX_BUCKETS} buckets for this period; use a coarser granularity or a shorter period`,
		field: "granularity",
	});

/** Periods resolved recently, by input and the day they end on (see `resolvePeriod`). */
const resolvedPeriods = new Map<string, ResolvedPeriod>();
const RESOLVED_PERIODS = 512;

/**
 * Resolves the current window, the previous window of equal calendar length and the breakdown buckets at `now`.
 * Pure apart from failing with InvalidInput (naming the field and the bound) for impossible inputs.
 *
 * A period depends on `now` only through today's date in its zone, so the result is kept (frozen) by its input
 * and that date: the reports of a batch, and the batches of the same day, resolve each period once (the bucket
 * boundaries of a 30-day window take ~60 local-midnight computations).
 */
export const resolvePeriod = (
	input: PeriodInput,
	timezone: string,
	now: number,
): Effect.Effect<ResolvedPeriod, InvalidInput> =>
	Effect.flatMap(validateTimeZone(timezone), () => {
		const explicit = input.startDate !== undefined || input.endDate !== undefined;
		const key = `${timezone}\u0000${input.granularity}\u0000${
			explicit ? `${input.startDate}\u0000${input.endDate}` : `${input.periodDays}\u0000${localDate(timezone, now)}`
		}`;
		const kept = resolvedPeriods.get(key);
		if (kept !== undefined) return Effect.succeed(kept);
		return Effect.map(computePeriod(input, timezone, now), (period) => {
			if (resolvedPeriods.size >= RESOLVED_PERIODS) resolvedPeriods.clear();
			resolvedPeriods.set(key, period);
			return period;
		});
	});

const computePeriod = (
	input: PeriodInput,
	timezone: string,
	now: number,
): Effect.Effect<ResolvedPeriod, InvalidInput> =>
	Effect.gen(function* () {
		let firstDate: string;
		let lastDate: string;
		let label: string;
		if (input.startDate !== undefined || input.endDate !== undefined) {
			if (input.startDate === undefined) {
				return yield* new InvalidInput({ message: "startDate is required when endDate is given", field: "startDate" });
			}
			if (input.endDate === undefined) {
				return yield* new InvalidInput({ message: "endDate is required when startDate is given", field: "endDate" });
			}
			if (parseDate(input.startDate) === undefined) {
				return yield* new InvalidInput({
					message: `startDate is not a calendar date: ${input.startDate}`,
					field: "startDate",
				});
			}
			if (parseDate(input.endDate) === undefined) {
				return yield* new InvalidInput({
					message: `endDate is not a calendar date: ${input.endDate}`,
					field: "endDate",
				});
			}
			// The previous window reaches a year before startDate and the window ends the day after endDate; both must
			// stay four-digit years the calendar math (and PostgreSQL's timestamps) can represent.
			if (input.startDate < MIN_EXPLICIT_DATE) {
				return yield* new InvalidInput({
					message: `startDate must be ${MIN_EXPLICIT_DATE} or later (got ${input.startDate})`,
					field: "startDate",
				});
			}
			if (input.endDate > MAX_EXPLICIT_DATE) {
				return yield* new InvalidInput({
					message: `endDate must be ${MAX_EXPLICIT_DATE} or earlier (got ${input.endDate})`,
					field: "endDate",
				});
			}
			if (input.endDate < input.startDate) {
				return yield* new InvalidInput({ message: "endDate must not be before startDate", field: "endDate" });
			}
			const span = daysBetween(input.startDate, input.endDate) + 1;
			if (span > MAX_EXPLICIT_DAYS) {
				return yield* new InvalidInput({
					message: `startDate to endDate must span at most ${MAX_EXPLICIT_DAYS} days (got ${span})`,
					field: "endDate",
				});
			}
			firstDate = input.startDate;
			lastDate = input.endDate;
			label = `${firstDate} to ${lastDate}`;
		} else {
			const days = input.periodDays;
			if (!Number.isInteger(days) || days < 1 || days > MAX_PERIOD_DAYS) {
				return yield* new InvalidInput({
					message: `periodDays must be an integer between 1 and ${MAX_PERIOD_DAYS}`,
					field: "periodDays",
				});
			}
			lastDate = localDate(timezone, now);
			firstDate = addDays(lastDate, -(days - 1));
			label = days === 1 ? "last 1 day" : `last ${days} days`;
		}
		const days = daysBetween(firstDate, lastDate) + 1;
		const current = {
			start: startOfLocalDay(timezone, firstDate),
			end: startOfLocalDay(timezone, addDays(lastDate, 1)),
		};
		const previous = { start: startOfLocalDay(timezone, addDays(firstDate, -days)), end: current.start };
		const granularity = input.granularity;
		let buckets: Array<Bucket>;
		if (granularity === "hour") {
			const starts = localHourStarts(timezone, current.start, current.end, MAX_BUCKETS);
			if (starts.length > MAX_BUCKETS) return yield* tooManyBuckets(granularity);
			buckets = starts.map((start) => ({ start, label: hourLabel(timezone, start) }));
		} else {
			const dates = bucketStartDates(firstDate, lastDate, granularity);
			if (dates.length > MAX_BUCKETS) return yield* tooManyBuckets(granularity);
			buckets = dates.map((date) => ({ start: startOfLocalDay(timezone, date), label: date }));
		}
		return Object.freeze({
			timezone,
			granularity,
			label,
			days,
			firstDate,
			lastDate,
			current: Object.freeze(current),
			previous: Object.freeze(previous),
			buckets: Object.freeze(buckets.map((bucket) => Object.freeze(bucket))),
		});
	});

/** `[previous.start, ...bucket starts, current.end]`: slice 0 is the previous window, slice i+1 is bucket i. */
export const previousAndBucketBoundaries = (period: ResolvedPeriod): Array<number> => [
	period.previous.start,
	...period.buckets.map((bucket) => bucket.start),
	period.current.end,
];

/** `[...bucket starts, current.end]`: slice i is bucket i. */
export const bucketBoundaries = (period: ResolvedPeriod): Array<number> => [
	...period.buckets.map((bucket) => bucket.start),
	period.current.end,
];

export const toRange = (window: TimeWindow) => ({ start: window.start, end: window.end });
