import { describe, expect, it } from "vitest";
import { splitDaysAndSlots } from "../src/repositories/activity-rollup.ts";

const day = 86_400_000;
const hour = 3_600_000;
const at = (days: number, hours = 0) => days * day + hours * hour;

describe("splitting a span into whole UTC days and slot ranges", () => {
	it("reads whole days from the day rollups and the partial days around them from the slots", () => {
		expect(splitDaysAndSlots([at(10, 23), at(14, 5)])).toEqual({
			days: [[at(11), at(14)]],
			slots: [
				[at(10, 23), at(11)],
				[at(14), at(14, 5)],
			],
		});
	});

	it("keeps a day whole only when no slice boundary falls inside it", () => {
		// Local days at +01:00: every UTC day holds a boundary, so everything comes from the slots.
		expect(splitDaysAndSlots([at(10, 23), at(11, 23), at(12, 23)])).toEqual({
			days: [],
			slots: [[at(10, 23), at(12, 23)]],
		});
		// UTC days with one boundary in the middle of day 12.
		expect(splitDaysAndSlots([at(10), at(12, 6), at(14)])).toEqual({
			days: [
				[at(10), at(12)],
				[at(13), at(14)],
			],
			slots: [[at(12), at(13)]],
		});
	});

	it("uses only slots for a span shorter than a day", () => {
		expect(splitDaysAndSlots([at(3, 2), at(3, 9)])).toEqual({ days: [], slots: [[at(3, 2), at(3, 9)]] });
	});
});
