import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, localDate, startOfLocalDay } from "../src/index.ts";
import { localHourStarts, wallTime } from "../src/time/zone.ts";

/** Zones with DST at midnight, sub-hour offsets, 30-minute DST, date-line jumps and plain UTC. */
const zones = [
	"UTC",
	"Europe/Berlin",
	"America/New_York",
	"America/Santiago",
	"America/Havana",
	"Asia/Beirut",
	"Asia/Kolkata",
	"Asia/Kathmandu",
	"Pacific/Marquesas",
	"Pacific/Chatham",
	"Australia/Lord_Howe",
	"Pacific/Apia",
	"Africa/Casablanca",
];
const instant = fc.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2035-12-31T00:00:00Z") });

describe("zone arithmetic (properties)", () => {
	it("every instant lies in [start of its local day, start of the next local day)", () => {
		fc.assert(
			fc.property(fc.constantFrom(...zones), instant, (zone, at) => {
				const date = localDate(zone, at);
				const start = startOfLocalDay(zone, date);
				const next = startOfLocalDay(zone, addDays(date, 1));
				expect(start).toBeLessThanOrEqual(at);
				expect(at).toBeLessThan(next);
				expect(localDate(zone, start)).toBe(date);
				// the instant before the start belongs to an earlier day
				expect(localDate(zone, start - 1) < date).toBe(true);
			}),
			{ numRuns: 400 },
		);
	});

	it("hour starts tile the day; each begins a new (date, hour, offset) and reads :00 unless it is a transition", () => {
		fc.assert(
			fc.property(fc.constantFrom(...zones), instant, (zone, at) => {
				const date = localDate(zone, at);
				const start = startOfLocalDay(zone, date);
				const end = startOfLocalDay(zone, addDays(date, 1));
				const starts = localHourStarts(zone, start, end, 2000);
				expect(starts[0]).toBe(start);
				expect(starts.length).toBeGreaterThanOrEqual(22);
				expect(starts.length).toBeLessThanOrEqual(26);
				for (let index = 1; index < starts.length; index++) {
					const current = starts[index] as number;
					const previous = starts[index - 1] as number;
					expect(current).toBeGreaterThan(previous);
					const wall = wallTime(zone, current);
					const before = wallTime(zone, current - 60_000);
					const changed = wall.hour !== before.hour || wall.offsetMinutes !== before.offsetMinutes;
					expect(changed).toBe(true);
				}
			}),
			{ numRuns: 200 },
		);
	});
});

describe("zone arithmetic (every day of 2024–2026)", () => {
	it("days tile time without gaps, and DST days split into the right number of hour buckets", () => {
		for (const zone of zones) {
			let date = "2024-01-01";
			let start = startOfLocalDay(zone, date);
			let irregularDays = 0;
			while (date < "2027-01-01") {
				const nextDate = addDays(date, 1);
				const next = startOfLocalDay(zone, nextDate);
				expect(localDate(zone, start), `${zone} ${date}`).toBe(date);
				expect(localDate(zone, next - 1), `${zone} ${date}`).toBe(date);
				const hours = (next - start) / 3_600_000;
				if (hours !== 24) {
					irregularDays += 1;
					const buckets = localHourStarts(zone, start, next, 2000);
					if (zone === "Pacific/Chatham") {
						// the shift happens at :45, so the repeated or skipped hour is split across two partial buckets
						expect(buckets.length, `${zone} ${date}`).toBeOneOf([23, 24, 25, 26]);
					} else {
						// a day of 23 h has 23 hour buckets, 25 h has 25; a 30-minute shift adds one partial bucket
						expect(buckets.length, `${zone} ${date}`).toBe(Math.ceil(hours));
					}
				}
				date = nextDate;
				start = next;
			}
			if (zone === "UTC" || zone.startsWith("Asia/K") || zone === "Pacific/Marquesas") expect(irregularDays).toBe(0);
			if (zone === "Europe/Berlin" || zone === "America/New_York") expect(irregularDays).toBe(6);
		}
	});
});
