/**
 * The dashboard's period: the last N calendar days (today included) or an explicit inclusive range, both in the
 * chosen timezone — the same rules as the reports (contract §3), so the previous window asked for here is exactly the
 * one the reports compare against.
 */
export type Period =
	| { readonly kind: "last"; readonly days: number }
	| { readonly kind: "range"; readonly startDate: string; readonly endDate: string };

export interface DateRange {
	readonly startDate: string;
	readonly endDate: string;
}

export const presetDays = [7, 30, 90] as const;

/** The longest explicit range the reports accept. */
const maxRangeDays = 366;

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → days since 1970-01-01, or `undefined` when it is not a real calendar date. */
export const dayNumber = (date: string): number | undefined => {
	const match = isoDate.exec(date);
	if (match === null) return undefined;
	const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
	const time = Date.UTC(year, month - 1, day);
	const parsed = new Date(time);
	if (parsed.getUTCFullYear() !== year || parsed.getUTCMonth() !== month - 1 || parsed.getUTCDate() !== day) {
		return undefined;
	}
	return time / 86_400_000;
};

const dateOfDayNumber = (days: number): string => new Date(days * 86_400_000).toISOString().slice(0, 10);

export const addDays = (date: string, days: number): string => {
	const start = dayNumber(date);
	if (start === undefined) throw new RangeError(`Not a date: ${date}`);
	return dateOfDayNumber(start + days);
};

/** Today's calendar date in `timezone`. */
export const todayIn = (timezone: string, now: Date = new Date()): string => {
	const parts = new Intl.DateTimeFormat("en-US", {
		timeZone: timezone,
		year: "numeric",
		month: "2-digit",
		day: "2-digit",
	}).formatToParts(now);
	const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
	return `${part("year")}-${part("month")}-${part("day")}`;
};

/** Why a custom range cannot be used, or `undefined` when it can. */
export const rangeProblem = (startDate: string, endDate: string): string | undefined => {
	const start = dayNumber(startDate);
	const end = dayNumber(endDate);
	if (start === undefined) return "Choose a start date";
	if (end === undefined) return "Choose an end date";
	if (end < start) return "The end date is before the start date";
	if (end - start + 1 > maxRangeDays) return `A range can span at most ${maxRangeDays} days`;
	return undefined;
};

/** The inclusive calendar days the period covers. */
export const currentRange = (period: Period, timezone: string, now: Date = new Date()): DateRange => {
	if (period.kind === "range") return { startDate: period.startDate, endDate: period.endDate };
	const today = todayIn(timezone, now);
	return { startDate: addDays(today, -(period.days - 1)), endDate: today };
};

/** The window of equal length that ends where the period starts. */
export const previousRange = (period: Period, timezone: string, now: Date = new Date()): DateRange => {
	const { startDate, endDate } = currentRange(period, timezone, now);
	const length = (dayNumber(endDate) ?? 0) - (dayNumber(startDate) ?? 0) + 1;
	return { startDate: addDays(startDate, -length), endDate: addDays(startDate, -1) };
};

/** The report input for the period (the timezone travels as the client's `X-Timezone`). */
export const periodInput = (period: Period): { periodDays: number } | DateRange =>
	period.kind === "last" ? { periodDays: period.days } : { startDate: period.startDate, endDate: period.endDate };

export const describePeriod = (period: Period): string =>
	period.kind === "last" ? `Last ${period.days} days` : `${period.startDate} to ${period.endDate}`;

/** IANA zones for the picker: the browser's list, always with UTC and the current choice. */
export const timezones = (current: string): ReadonlyArray<string> => {
	const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
	return [...new Set(["UTC", current, ...known])].sort((a, b) =>
		a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b),
	);
};

export const browserTimezone = (): string => {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
	} catch {
		return "UTC";
	}
};
