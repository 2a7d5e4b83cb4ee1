import { type Period, rangeProblem } from "./period.ts";

/**
 * What the dashboard shows, as its URL's hash, so a view can be bookmarked or sent to someone:
 * `#/` or `#/bots/<botId>`, then `?days=30` or `?from=2026-11-01&to=2026-11-30`, and `&tz=Europe/Berlin`.
 * Parsing never throws: a value that does not hold (an unknown zone, a range the reports refuse) is left out, and
 * the dashboard falls back to its own default for it.
 */
export type Page = { readonly page: "overview" } | { readonly page: "bots"; readonly botId: string | undefined };

export interface Location {
	readonly view: Page;
	readonly period: Period | undefined;
	readonly timezone: string | undefined;
}

const isZone = (value: string) => {
	try {
		new Intl.DateTimeFormat("en-US", { timeZone: value });
		return true;
	} catch {
		return false;
	}
};

export const parseLocation = (hash: string): Location => {
	const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
	const bots = /^\/bots(?:\/([^/]+))?\/?$/.exec(path);
	const view: Page =
		bots === null
			? { page: "overview" }
			: { page: "bots", botId: bots[1] === undefined ? undefined : safeDecode(bots[1]) };
	const params = new URLSearchParams(query);
	const days = Number(params.get("days"));
	const [from, to] = [params.get("from"), params.get("to")];
	const period: Period | undefined =
		from !== null && to !== null && rangeProblem(from, to) === undefined
			? { kind: "range", startDate: from, endDate: to }
			: Number.isInteger(days) && days >= 1 && days <= 365
				? { kind: "last", days }
				: undefined;
	const zone = params.get("tz");
	return { view, period, timezone: zone !== null && isZone(zone) ? zone : undefined };
};

const safeDecode = (value: string) => {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
};

/** The hash of a view with its period and timezone (the inverse of `parseLocation`). */
export const hashOf = (view: Page, period: Period, timezone: string): string => {
	const path =
		view.page === "overview" ? "/" : view.botId === undefined ? "/bots" : `/bots/${encodeURIComponent(view.botId)}`;
	const params = new URLSearchParams(
		period.kind === "last" ? { days: String(period.days) } : { from: period.startDate, to: period.endDate },
	);
	params.set("tz", timezone);
	return `#${path}?${params.toString()}`;
};
