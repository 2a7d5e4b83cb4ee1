import { describe, expect, it } from "vitest";
import { PackedDayCache } from "../src/repositories/packed-day-cache.ts";

const bytes = (size: number) => new Uint8Array(size);

describe("the cache of packed contact days", () => {
	it("keeps one version per day and part, and hands out what it held when asked", () => {
		const cache = new PackedDayCache();
		const first = cache.set("acc", "86400000/0/100/6", bytes(6));
		cache.set("acc", "86400000/7/101/12", bytes(12));
		const held = cache.held("acc");
		expect([...held.keys()]).toEqual(["86400000/0/100/6", "86400000/7/101/12"]);
		expect(held.get("86400000/0/100/6")).toBe(first);
		// A new version of part 0 replaces the old one; part 7 stays.
		cache.set("acc", "86400000/0/205/18", bytes(18));
		expect([...cache.held("acc").keys()]).toEqual(["86400000/7/101/12", "86400000/0/205/18"]);
		// What a read took before stays usable.
		expect(held.get("86400000/0/100/6")).toBe(first);
		expect([...cache.held("other").keys()]).toEqual([]);
	});

	it("drops the oldest copies past its byte bound", () => {
		// Each 40-byte day decodes to 60 bytes (6 entries: number, first and last slot, rank by last slot).
		const cache = new PackedDayCache(150);
		cache.set("a", "1/0/1/40", bytes(40));
		cache.set("b", "1/0/2/40", bytes(40));
		cache.set("a", "2/0/3/40", bytes(40));
		expect([...cache.held("a").keys()]).toEqual(["2/0/3/40"]);
		expect([...cache.held("b").keys()]).toEqual(["1/0/2/40"]);
	});
});
