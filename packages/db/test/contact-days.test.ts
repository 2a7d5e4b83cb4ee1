import { describe, expect, it } from "vitest";
import { contactDaysOf } from "../src/repositories/contact-days.ts";
import { decodePackedDay, mergePackedEntries } from "../src/repositories/packed-day.ts";

const pack = (entries: ReadonlyArray<readonly [seq: number, first: number, last: number]>) => {
	const bytes = Buffer.alloc(entries.length * 6);
	entries.forEach(([seq, first, last], index) => {
		bytes.writeInt32BE(seq, index * 6);
		bytes[index * 6 + 4] = first;
		bytes[index * 6 + 5] = last;
	});
	return new Uint8Array(bytes);
};

const unpack = (entries: Uint8Array) => {
	const day = decodePackedDay(entries);
	return Array.from(day.seqs, (seq, index) => [seq, day.first[index]!, day.last[index]!] as const);
};

/** A small deterministic generator, so a failure names its case. */
const random = (seed: number) => () => {
	seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
	return seed / 2_147_483_648;
};

describe("packed contact days", () => {
	it("merge parts into each number once, with its earliest first and latest last slot, in number order", () => {
		const merged = mergePackedEntries([
			pack([
				[3, 10, 12],
				[70_000, 0, 95],
			]),
			pack([
				[1, 40, 41],
				[3, 5, 11],
			]),
			pack([[3, 11, 20]]),
			pack([]),
		]);
		expect(unpack(merged)).toEqual([
			[1, 40, 41],
			[3, 5, 20],
			[70_000, 0, 95],
		]);
		expect(mergePackedEntries([])).toEqual(new Uint8Array(0));
	});

	it("merge random parts exactly as a map of every entry does", () => {
		for (let seed = 1; seed <= 50; seed++) {
			const next = random(seed);
			const parts = Array.from({ length: 1 + Math.floor(next() * 20) }, () => {
				const seqs = [...new Set(Array.from({ length: Math.floor(next() * 40) }, () => 1 + Math.floor(next() * 300)))];
				return seqs
					.sort((a, b) => a - b)
					.map((seq) => {
						const first = Math.floor(next() * 96);
						return [seq, first, first + Math.floor(next() * (96 - first))] as const;
					});
			});
			const expected = new Map<number, [number, number]>();
			for (const part of parts) {
				for (const [seq, first, last] of part) {
					const held = expected.get(seq);
					expected.set(seq, held ? [Math.min(held[0], first), Math.max(held[1], last)] : [first, last]);
				}
			}
			const merged = unpack(mergePackedEntries(parts.map(pack)));
			expect(merged, `seed ${seed}`).toEqual(
				[...expected].sort(([a], [b]) => a - b).map(([seq, [first, last]]) => [seq, first, last]),
			);
		}
	});

	it("name the UTC days of a batch's conversations that have a contact", () => {
		const day = Date.UTC(2026, 10, 24);
		expect(
			contactDaysOf([
				{ createdAt: new Date(day + 1), contactId: "a" },
				{ createdAt: new Date(day + 86_399_999), contactId: "b" },
				{ createdAt: new Date(day - 1), contactId: "c" },
				{ createdAt: new Date(day + 86_400_000), contactId: null },
			]).sort(),
		).toEqual([day - 86_400_000, day]);
	});
});
