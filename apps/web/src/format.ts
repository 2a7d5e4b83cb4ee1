const integerFormat = new Intl.NumberFormat("en-US");
const decimalFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const compactFormat = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Numbers as a person reads them: grouped, at most two decimals. */
export const formatNumber = (value: number): string =>
	Number.isInteger(value) ? integerFormat.format(value) : decimalFormat.format(value);

export const formatCompact = (value: number): string =>
	Math.abs(value) < 10_000 ? formatNumber(value) : compactFormat.format(value);

export const formatSigned = (value: number): string => (value > 0 ? `+${formatNumber(value)}` : formatNumber(value));

export const formatPercent = (value: number): string => `${value > 0 ? "+" : ""}${decimalFormat.format(value)}%`;

const dayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** A breakdown bucket's `date` (`YYYY-MM-DD`, or `YYYY-MM-DDTHH:00±hh:mm` for hours) as a short label. */
export const formatBucket = (date: string): string => {
	if (date.length > 10) return `${date.slice(5, 10)} ${date.slice(11, 16)}`;
	const time = Date.parse(`${date}T12:00:00Z`);
	return Number.isNaN(time) ? date : dayLabel.format(time);
};

export const formatDateTime = (iso: string, timezone: string): string => {
	const time = Date.parse(iso);
	if (Number.isNaN(time)) return iso;
	return new Intl.DateTimeFormat("en-US", {
		timeZone: timezone,
		month: "short",
		day: "numeric",
		hour: "2-digit",
		minute: "2-digit",
	}).format(time);
};
