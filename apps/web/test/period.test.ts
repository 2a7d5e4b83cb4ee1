import { describe, expect, it } from "vitest";
import { hashOf, parseLocation } from "../src/location.ts";
import {
	addDays,
	currentRange,
	dayNumber,
	describePeriod,
	periodInput,
	previousRange,
	rangeProblem,
	timezones,
	todayIn,
} from "../src/period.ts";

describe("the dashboard's period", () => {
	it("reads today's calendar date in the chosen timezone", () => {
		const now = new Date("2026-03-01T03:30:00Z");
		expect(todayIn("UTC", now)).toBe("2026-03-01");
		expect(todayIn("America/Los_Angeles", now)).toBe("2026-02-28");
		expect(todayIn("Asia/Tokyo", now)).toBe("2026-03-01");
		expect(todayIn("Pacific/Kiritimati", new Date("2026-12-31T10:00:00Z"))).toBe("2027-01-01");
	});

	it("covers the last N days including today, and compares with the N days before", () => {
		const now = new Date("2026-03-10T12:00:00Z");
		const period = { kind: "last", days: 7 } as const;
		expect(currentRange(period, "UTC", now)).toEqual({ startDate: "2026-03-04", endDate: "2026-03-10" });
		expect(previousRange(period, "UTC", now)).toEqual({ startDate: "2026-02-25", endDate: "2026-03-03" });
	});

	it("compares a custom range with the range of equal length that ends the day before it", () => {
		const period = { kind: "range", startDate: "2024-02-28", endDate: "2024-03-02" } as const;
		expect(previousRange(period, "UTC")).toEqual({ startDate: "2024-02-24", endDate: "2024-02-27" });
		expect(periodInput(period)).toEqual({ startDate: "2024-02-28", endDate: "2024-03-02" });
		expect(describePeriod(period)).toBe("2024-02-28 to 2024-03-02");
	});

	it("asks the reports for periodDays when the period is a preset", () => {
		expect(periodInput({ kind: "last", days: 90 })).toEqual({ periodDays: 90 });
		expect(describePeriod({ kind: "last", days: 90 })).toBe("Last 90 days");
	});

	it("does date arithmetic across month, leap-day and year ends", () => {
		expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
		expect(addDays("2023-02-28", 1)).toBe("2023-03-01");
		expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
		expect(dayNumber("2026-02-30")).toBeUndefined();
		expect(dayNumber("26-02-01")).toBeUndefined();
	});

	it("explains why a custom range cannot be used", () => {
		expect(rangeProblem("2026-01-01", "2026-01-31")).toBeUndefined();
		expect(rangeProblem("", "2026-01-31")).toBe("Choose a start date");
		expect(rangeProblem("2026-01-01", "")).toBe("Choose an end date");
		expect(rangeProblem("2026-02-01", "2026-01-31")).toBe("The end date is before the start date");
		expect(rangeProblem("2024-01-01", "2024-12-31")).toBeUndefined();
		expect(rangeProblem("2024-01-01", "2025-01-01")).toBe("A range can span at most 366 days");
	});

	it("offers UTC first and always the current choice among the timezones", () => {
		const zones = timezones("Europe/Berlin");
		expect(zones[0]).toBe("UTC");
		expect(zones).toContain("Europe/Berlin");
		expect(zones).toContain("America/New_York");
		expect(new Set(zones).size).toBe(zones.length);
	});
});

describe("the dashboard's URL", () => {
	it("reads the page, bot, period and zone of a shared link", () => {
		expect(parseLocation("#/bots/bot%201?days=7&tz=Asia%2FKolkata")).toEqual({
			view: { page: "bots", botId: "bot 1" },
			period: { kind: "last", days: 7 },
			timezone: "Asia/Kolkata",
		});
		expect(parseLocation("#/?from=2026-11-01&to=2026-11-30")).toEqual({
			view: { page: "overview" },
			period: { kind: "range", startDate: "2026-11-01", endDate: "2026-11-30" },
			timezone: undefined,
		});
		expect(parseLocation("")).toEqual({ view: { page: "overview" }, period: undefined, timezone: undefined });
	});

	it("leaves out what does not hold, so the dashboard's defaults apply", () => {
		for (const hash of [
			"#/?days=0",
			"#/?days=400",
			"#/?days=x",
			"#/?from=2026-11-30&to=2026-11-01",
			"#/?tz=Mars/Base",
		]) {
			const { period, timezone } = parseLocation(hash);
			expect([period, timezone], hash).toEqual([undefined, undefined]);
		}
		expect(parseLocation("#/bots/%E0%A4%A").view).toEqual({ page: "bots", botId: "%E0%A4%A" });
	});

	it("writes what it reads", () => {
		const cases = [
			{ view: { page: "overview" }, period: { kind: "last", days: 30 }, timezone: "UTC" },
			{
				view: { page: "bots", botId: "b/1" },
				period: { kind: "range", startDate: "2026-01-01", endDate: "2026-01-31" },
				timezone: "America/St_Johns",
			},
			{ view: { page: "bots", botId: undefined }, period: { kind: "last", days: 90 }, timezone: "Asia/Kathmandu" },
		] as const;
		for (const location of cases) {
			expect(parseLocation(hashOf(location.view, location.period, location.timezone))).toEqual(location);
		}
	});
});
