import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { createChangeFeed } from "../src/live/change-feed.ts";

/**
 * The change feed on its own, with a version source the test controls: which versions reach the listeners, and
 * that the replica routing's hook (`beforeNotify`) runs before each of them.
 */
describe("change feed", () => {
	it("runs beforeNotify before every version it hands out, the first poll's included", async () => {
		let current = "7";
		const calls: Array<string> = [];
		const feed = createChangeFeed({
			readVersion: async () => current,
			pollMs: 10,
			beforeNotify: async (accountId, version) => {
				calls.push(`before ${accountId} ${version}`);
			},
		});
		try {
			// The watch read "6" itself; the write that made it "7" happened before the feed's first poll.
			feed.subscribe("a", (version) => calls.push(`heard ${version}`));
			await vi.waitFor(() => expect(calls).toEqual(["before a 7", "heard 7"]));
			current = "9";
			await vi.waitFor(() => expect(calls).toEqual(["before a 7", "heard 7", "before a 9", "heard 9"]));
			await sleep(50);
			expect(calls).toHaveLength(4);
		} finally {
			feed.close();
		}
	});

	it("hands a version to every listener of the account once, and stops polling when the last one leaves", async () => {
		let reads = 0;
		const feed = createChangeFeed({
			readVersion: async () => {
				reads++;
				return "1";
			},
			pollMs: 20,
		});
		try {
			const heard: Array<string> = [];
			const first = feed.subscribe("a", (version) => heard.push(`first ${version}`));
			const second = feed.subscribe("a", (version) => heard.push(`second ${version}`));
			await vi.waitFor(() => expect(reads).toBeGreaterThanOrEqual(3));
			expect(heard).toEqual(["first 1", "second 1"]);
			first();
			second();
			await sleep(30);
			const polled = reads;
			await sleep(80);
			expect(reads).toBe(polled);
		} finally {
			feed.close();
		}
	});
});
