import { seededRandom } from "@convolens/core/random";
import { describe, expect, it } from "vitest";
import { coverSpan, SLOT_MS, SLOTS_PER_DAY } from "../src/repositories/span-cover.ts";

const day = 86_400_000;
const hour = 3_600_000;
const at = (days: number, hours = 0) => days * day + hours * hour;

/** Seeded pseudo-random integers in [0, n). */
const random = (seed: number) => {
	const generator = seededRandom(seed);
	return (n: number) => generator.int(0, n - 1);
};

describe("covering a span with day and slot rows", () => {
	it("reads whole days from the day rollups and the short edges of the span from the slots", () => {
		expect(coverSpan([at(10, 23), at(14, 5)])).toEqual({
			days: [[at(11), at(14)]],
			shiftedDays: [],
			slots: [
				[at(10, 23), at(11)],
				[at(14), at(14, 5)],
			],
			minus: [],
			moved: [],
		});
	});

	it("reads a day cut by a slice boundary as the day minus the slots outside its larger part", () => {
		// Local days at +01:00: every UTC day is cut at 23:00, so each day counts in the slice holding its first 23
		// hours, and its last hour, read once, is added to the next slice and subtracted from that one (the span's
		// last hour lies outside it: subtracted only).
		expect(coverSpan([at(10, 23), at(11, 23), at(12, 23)])).toEqual({
			days: [[at(11), at(13)]],
			shiftedDays: [],
			slots: [[at(10, 23), at(11)]],
			minus: [{ start: at(12, 23), end: at(13), at: at(12) }],
			moved: [{ start: at(11, 23), end: at(12), at: at(11) }],
		});
		// A boundary at 06:00 of day 12: the day counts in the slice holding its last 18 hours.
		expect(coverSpan([at(10), at(12, 6), at(14)])).toEqual({
			days: [
				[at(10), at(12)],
				[at(13), at(14)],
			],
			shiftedDays: [{ day: at(12), at: at(12, 6) }],
			slots: [],
			minus: [],
			moved: [{ start: at(12), end: at(12, 6), at: at(12, 6) }],
		});
	});

	it("reads a 30-day window of local days at +01:00 as one day row and one hour of slots per day", () => {
		const cover = coverSpan(Array.from({ length: 31 }, (_, index) => at(10 + index, 23)));
		const slotsIn = (ranges: ReadonlyArray<{ start: number; end: number }>) =>
			ranges.reduce((sum, { start, end }) => sum + (end - start) / SLOT_MS, 0);
		const days = cover.days.reduce((sum, [start, end]) => sum + (end - start) / day, 0);
		const slots = slotsIn(cover.slots.map(([start, end]) => ({ start, end })));
		// 30 day rows, the first hour of the span (4 slots), 29 moved hours and the last one subtracted (4 each).
		expect([days, slots, slotsIn(cover.moved), slotsIn(cover.minus)]).toEqual([30, 4, 29 * 4, 4]);
	});

	it("reads the whole days between distant boundaries as one range", () => {
		expect(coverSpan([0, at(20_000, 23), at(20_001, 23)])).toEqual({
			days: [[0, at(20_002)]],
			shiftedDays: [],
			slots: [],
			minus: [{ start: at(20_001, 23), end: at(20_002), at: at(20_001) }],
			moved: [{ start: at(20_000, 23), end: at(20_001), at: at(20_000) }],
		});
	});

	it("covers nothing for an empty or inverted span", () => {
		const none = { days: [], shiftedDays: [], slots: [], minus: [], moved: [] };
		expect(coverSpan([at(3), at(3)])).toEqual(none);
		expect(coverSpan([0, at(-300), at(-200)])).toEqual(none);
	});

	it("reads slots while no slice holds more than half of a day", () => {
		const none = { days: [], shiftedDays: [], minus: [], moved: [] };
		expect(coverSpan([at(3, 2), at(3, 9)])).toEqual({ ...none, slots: [[at(3, 2), at(3, 9)]] });
		expect(coverSpan([at(3), at(3, 12)])).toEqual({ ...none, slots: [[at(3), at(3, 12)]] });
		expect(coverSpan([at(3), at(3, 12.25)])).toEqual({
			days: [[at(3), at(4)]],
			shiftedDays: [],
			slots: [],
			minus: [{ start: at(3, 12.25), end: at(4), at: at(3) }],
			moved: [],
		});
	});

	it("gives every slice the sum of its slots, reading no more rows than the slots themselves, for random slices", () => {
		const next = random(7);
		const days = 12;
		for (let round = 0; round < 300; round++) {
			const values = Array.from({ length: days * SLOTS_PER_DAY }, () => next(1000));
			const dayValue = (start: number) =>
				values.slice(start / SLOT_MS, start / SLOT_MS + SLOTS_PER_DAY).reduce((sum, value) => sum + value, 0);
			// Sorted slot boundaries: regular slices (hours, local days at any offset) or random cuts.
			const instants: Array<number> = [];
			if (round % 2 === 0) {
				const width = [4, 24, 96, 96 * 7][next(4)]! * SLOT_MS;
				const first = next(2 * SLOTS_PER_DAY) * SLOT_MS;
				for (let instant = first; instant <= first + width * (1 + next(8)) && instant <= days * day; instant += width) {
					instants.push(instant);
				}
				if (instants.length < 2) instants.push(Math.min(instants[0]! + width, days * day));
			} else {
				const cuts = new Set<number>();
				for (let count = 2 + next(10); cuts.size < count; ) cuts.add(next(days * SLOTS_PER_DAY + 1) * SLOT_MS);
				instants.push(...[...cuts].sort((a, b) => a - b));
			}
			const sliceOf = (instant: number) => instants.findLastIndex((boundary) => boundary <= instant);
			const expected = instants.slice(1).map((end, index) => {
				let sum = 0;
				for (let instant = instants[index]!; instant < end; instant += SLOT_MS) sum += values[instant / SLOT_MS]!;
				return sum;
			});
			const cover = coverSpan(instants);
			const actual = expected.map(() => 0);
			let rows = 0;
			for (const [start, end] of cover.days) {
				for (let instant = start; instant < end; instant += day) {
					actual[sliceOf(instant)]! += dayValue(instant);
					rows++;
				}
			}
			for (const entry of cover.shiftedDays) {
				expect(entry.at).toBeGreaterThan(entry.day);
				actual[sliceOf(entry.at)]! += dayValue(entry.day);
				rows++;
			}
			for (const [start, end] of cover.slots) {
				for (let instant = start; instant < end; instant += SLOT_MS) {
					actual[sliceOf(instant)]! += values[instant / SLOT_MS]!;
					rows++;
				}
			}
			for (const { start, end, at: anchor } of cover.minus) {
				for (let instant = start; instant < end; instant += SLOT_MS) {
					actual[sliceOf(anchor)]! -= values[instant / SLOT_MS]!;
					rows++;
				}
			}
			for (const { start, end, at: anchor } of cover.moved) {
				for (let instant = start; instant < end; instant += SLOT_MS) {
					actual[sliceOf(instant)]! += values[instant / SLOT_MS]!;
					actual[sliceOf(anchor)]! -= values[instant / SLOT_MS]!;
					rows++;
				}
			}
			expect(actual, `slices ${instants.join(",")}`).toEqual(expected);
			expect(rows).toBeLessThanOrEqual((instants.at(-1)! - instants[0]!) / SLOT_MS);
		}
	});
});
