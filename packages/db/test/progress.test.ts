import { describe, expect, it } from "vitest";
import { makeProgress } from "../src/cli/progress.ts";

/** A reporter on a clock the test moves, writing into an array. */
const scripted = (options: { total: number; rewrite?: boolean; intervalMs?: number }) => {
	const lines: Array<string> = [];
	let now = 1_000_000;
	const progress = makeProgress({
		label: "generate",
		unit: "messages",
		write: (text) => lines.push(text),
		now: () => now,
		rewrite: options.rewrite ?? false,
		total: options.total,
		...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
	});
	return { lines, progress, advance: (ms: number) => (now += ms) };
};

describe("progress", () => {
	it("shows done of total, the rate and the time left at that rate", () => {
		const { lines, progress, advance } = scripted({ total: 10_000 });
		advance(10_000);
		// 2,500 in 10 s: 250/s, 7,500 left take 30 s.
		progress.update(2_500);
		advance(20_000);
		// 5,000 in 30 s: ~167/s, 5,000 left take 30 s.
		progress.update(5_000);
		advance(3_570_000);
		// 9,000 in 3,600 s: 2.5/s, 1,000 left take 400 s.
		progress.update(9_000);
		expect(lines).toEqual([
			"generate: 2,500 / 10,000 messages (25%), 250/s, ETA 0:30\n",
			"generate: 5,000 / 10,000 messages (50%), 167/s, ETA 0:30\n",
			"generate: 9,000 / 10,000 messages (90%), 3/s, ETA 6:40\n",
		]);
	});

	it("prints at most once per interval, and always the final line with the elapsed time", () => {
		const { lines, progress, advance } = scripted({ total: 100, intervalMs: 1_000 });
		for (let done = 1; done <= 100; done++) {
			advance(50);
			progress.update(done);
		}
		// 100 updates over 5 s at most one a second.
		expect(lines.length).toBe(5);
		advance(3_600_000);
		progress.finish(100);
		expect(lines.at(-1)).toBe("generate: 100 / 100 messages in 1:00:05\n");
	});

	it("rewrites one line on a terminal", () => {
		const { lines, progress, advance } = scripted({ total: 4, rewrite: true, intervalMs: 0 });
		advance(1_000);
		progress.update(1);
		advance(1_000);
		progress.finish(4);
		expect(lines).toEqual([
			"\r\x1b[Kgenerate: 1 / 4 messages (25%), 1/s, ETA 0:03",
			"\r\x1b[Kgenerate: 4 / 4 messages in 0:02\n",
		]);
	});
});
