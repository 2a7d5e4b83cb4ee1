import { assert, describe, it } from "@effect/vitest";
import { Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import {
	AccountRepository,
	ActivityRepository,
	addDays,
	generateBatch,
	generateReport,
	localDate,
	makeMemo,
	makeResultStore,
	ReportIds,
	ResultCache,
	type ResultCacheService,
	reports,
	StorageError,
	startOfLocalDay,
} from "../src/index.ts";
import {
	memoryAccountRepository,
	memoryActivityRepository,
	memoryRepositories,
	randomSnapshot,
} from "../src/testing/index.ts";
import { fixture, NOW } from "./fixture.ts";

/**
 * The result cache is exact only if a report depends on the clock through the calendar day alone (its key holds
 * today's date per zone, not the time). Every report is run at several instants of one local day and must answer
 * the same, and differently on the next day.
 */
describe("reports depend on the clock only through today's date", () => {
	const zones = ["UTC", "Europe/Berlin", "Asia/Kathmandu", "Pacific/Marquesas", "America/New_York"];
	const periods: ReadonlyArray<Record<string, unknown>> = [
		{},
		{ periodDays: 2, granularity: "hour" },
		{ periodDays: 10, granularity: "week" },
		{ startDate: "2026-11-20", endDate: "2026-11-28" },
	];
	const inputsOf = (period: Record<string, unknown>) =>
		Object.fromEntries(
			reports.map((report) => {
				const shape = report.input.shape as Record<string, unknown>;
				if ("datasetIds" in shape) return [report.id, { datasetIds: ["dataset-0", "dataset-1"] }];
				if (!("periodDays" in shape)) return [report.id, {}];
				return [report.id, "botId" in shape ? { ...period, botId: "bot-0" } : period];
			}),
		);

	for (const [index, timezone] of zones.entries()) {
		it.effect(`in ${timezone}`, () =>
			Effect.gen(function* () {
				const today = localDate(timezone, NOW);
				const start = startOfLocalDay(timezone, today);
				const end = startOfLocalDay(timezone, addDays(today, 1));
				const snapshot = randomSnapshot({ seed: 40 + index, now: NOW, timezone, conversationsPerAccount: 150 });
				const layer = memoryRepositories(snapshot);
				const answersAt = (instant: number) =>
					Effect.gen(function* () {
						yield* TestClock.setTime(instant);
						const answers: Array<string> = [];
						for (const period of periods) {
							const results = yield* generateBatch(inputsOf(period), { accountId: "acct-0", timezone }).pipe(
								Effect.provide(layer),
							);
							answers.push(JSON.stringify(results));
						}
						return answers;
					});
				const first = yield* answersAt(start);
				assert.isTrue(first.some((answer) => answer.includes('"value":')));
				for (const instant of [start + 1, start + 3_600_000 + 17, Math.floor((start + end) / 2), end - 1]) {
					const later = yield* answersAt(instant);
					for (const [periodIndex, answer] of later.entries()) {
						assert.strictEqual(answer, first[periodIndex], `${new Date(instant).toISOString()} ${periodIndex}`);
					}
				}
				// The next day moves the rolling windows: the check above can fail.
				const tomorrow = yield* answersAt(end);
				assert.notStrictEqual(tomorrow[0], first[0]);
			}),
		);
	}
});

/** Repositories over the fixture counting their calls, and a cache whose data version the test moves. */
const setup = (options: { readonly failVersion?: boolean; readonly delayMs?: number } = {}) => {
	const calls = { count: 0 };
	const count = <S extends object>(service: S): S =>
		Object.fromEntries(
			Object.entries(service).map(([method, fn]) => [
				method,
				(...args: Array<unknown>) =>
					Effect.suspend(() => {
						calls.count++;
						const call = (fn as (...args: Array<unknown>) => Effect.Effect<unknown>)(...args);
						return options.delayMs === undefined ? call : Effect.delay(call, options.delayMs);
					}),
			]),
		) as S;
	const version = { value: 1 };
	const cache: ResultCacheService = {
		dataVersion: () =>
			options.failVersion
				? Effect.fail(new StorageError({ message: "The database could not read the data version" }))
				: Effect.sync(() => String(version.value)),
		requests: makeResultStore(8),
		calls: makeResultStore(64),
		running: makeMemo({ keep: false }),
	};
	const layer = Layer.mergeAll(
		Layer.succeed(ActivityRepository, count(memoryActivityRepository(fixture.snapshot))),
		Layer.succeed(AccountRepository, count(memoryAccountRepository(fixture.snapshot))),
		Layer.succeed(ResultCache, cache),
	);
	return { calls, version, cache, layer };
};

const ctx = { accountId: "acme" };
const batch = {
	[ReportIds.TotalMessages]: { periodDays: 7 },
	[ReportIds.UserMessages]: { periodDays: 7 },
	[ReportIds.BotPerformance]: { periodDays: 7, botId: "b1" },
	[ReportIds.TotalContacts]: {},
};

describe("the result cache", () => {
	it.effect("answers a repeated request without reading, until the data version moves", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { calls, version, layer } = setup();
			const first = yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			const reads = calls.count;
			assert.isAbove(reads, 0);
			const second = yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			assert.strictEqual(calls.count, reads);
			assert.deepStrictEqual(second, first);

			version.value = 2;
			const third = yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			assert.strictEqual(calls.count, 2 * reads);
			assert.deepStrictEqual(third, first);
		}),
	);

	it.effect("shares repository calls between different requests over the same windows", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { calls, layer } = setup();
			yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			const reads = calls.count;
			// Thumbs Up reads the same account-wide slot counts as Total Messages: no new read.
			const thumbs = yield* generateReport(ReportIds.ThumbsUp, { periodDays: 7 }, ctx).pipe(Effect.provide(layer));
			assert.strictEqual(calls.count, reads);
			const uncached = yield* generateReport(ReportIds.ThumbsUp, { periodDays: 7 }, ctx).pipe(
				Effect.provide(Layer.mergeAll(Layer.succeed(ResultCache, undefined), setup().layer)),
			);
			assert.deepStrictEqual(thumbs, uncached);
			// A different window is a different call.
			yield* generateReport(ReportIds.ThumbsUp, { periodDays: 8 }, ctx).pipe(Effect.provide(layer));
			assert.isAbove(calls.count, reads);
		}),
	);

	it.effect(
		"concurrent requests at one version read each call once; a waiting one takes over from an interrupted one",
		() =>
			Effect.gen(function* () {
				yield* TestClock.setTime(NOW);
				const single = [ReportIds.TotalMessages, { periodDays: 7 }] as const;
				// Sequentially, the second request finds the first one's calls kept.
				const sequential = setup();
				const batchAlone = yield* generateBatch(batch, ctx).pipe(Effect.provide(sequential.layer));
				const singleAlone = yield* generateReport(...single, ctx).pipe(Effect.provide(sequential.layer));
				// Concurrently (every read takes a second), it waits for the first one's call instead of reading again.
				const concurrent = setup({ delayMs: 1_000 });
				const first = yield* Effect.forkChild(generateBatch(batch, ctx).pipe(Effect.provide(concurrent.layer)));
				const second = yield* Effect.forkChild(generateReport(...single, ctx).pipe(Effect.provide(concurrent.layer)));
				yield* TestClock.adjust(10_000);
				assert.deepStrictEqual(yield* Fiber.join(first), batchAlone);
				assert.deepStrictEqual(yield* Fiber.join(second), singleAlone);
				assert.strictEqual(concurrent.calls.count, sequential.calls.count);
				// The request running a call goes away: the one waiting for it runs the call itself and gets its answer.
				const handover = setup({ delayMs: 1_000 });
				const leader = yield* Effect.forkChild(generateReport(...single, ctx).pipe(Effect.provide(handover.layer)));
				yield* TestClock.adjust(100);
				const waiter = yield* Effect.forkChild(generateReport(...single, ctx).pipe(Effect.provide(handover.layer)));
				yield* TestClock.adjust(100);
				yield* Fiber.interrupt(leader);
				yield* TestClock.adjust(10_000);
				assert.deepStrictEqual(yield* Fiber.join(waiter), singleAlone);
				assert.strictEqual(handover.calls.count, 2);
				// A new version is computed again.
				handover.version.value++;
				const later = yield* Effect.forkChild(generateReport(...single, ctx).pipe(Effect.provide(handover.layer)));
				yield* TestClock.adjust(10_000);
				assert.deepStrictEqual(yield* Fiber.join(later), singleAlone);
				assert.strictEqual(handover.calls.count, 3);
			}),
	);

	it.effect("recomputes on a new calendar day and for another timezone", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { calls, layer } = setup();
			yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			const reads = calls.count;
			yield* TestClock.setTime(NOW + 11 * 3_600_000);
			yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			assert.strictEqual(calls.count, reads, "later the same UTC day");
			yield* TestClock.setTime(NOW + 13 * 3_600_000);
			const tomorrow = yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			assert.isAbove(calls.count, reads, "the next UTC day");
			const messages = tomorrow[ReportIds.TotalMessages];
			assert.isTrue(messages.ok && messages.data.breakdown.at(-1)?.date === "2026-11-25");
			const before = calls.count;
			yield* generateBatch(batch, { ...ctx, timezone: "Asia/Tokyo" }).pipe(Effect.provide(layer));
			assert.isAbove(calls.count, before, "another zone");
		}),
	);

	it.effect("keeps no failure and computes every request when the version cannot be read", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const failing = { [ReportIds.BotStats]: { botId: "no-such-bot" }, [ReportIds.TotalMessages]: { periodDays: 0 } };
			const { calls, cache, layer } = setup();
			const first = yield* generateBatch(failing, ctx).pipe(Effect.provide(layer));
			assert.isFalse(first[ReportIds.BotStats].ok);
			// Deterministic failures (unknown bot, bad input) may be answered again from the cache.
			assert.strictEqual(cache.requests.size(), 1);
			const single = yield* Effect.exit(
				generateReport(ReportIds.BotStats, { botId: "no-such-bot" }, ctx).pipe(Effect.provide(layer)),
			);
			assert.isTrue(single._tag === "Failure");
			assert.strictEqual(cache.requests.size(), 1, "a failed single report is not stored");

			const unversioned = setup({ failVersion: true });
			yield* generateBatch(batch, ctx).pipe(Effect.provide(unversioned.layer));
			const reads = unversioned.calls.count;
			yield* generateBatch(batch, ctx).pipe(Effect.provide(unversioned.layer));
			assert.strictEqual(unversioned.calls.count, 2 * reads);
			assert.strictEqual(unversioned.cache.requests.size(), 0);
			assert.isAbove(calls.count, 0);
		}),
	);

	it.effect("hands out frozen results, so no caller can change another's answer", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { layer } = setup();
			const results = yield* generateBatch(batch, ctx).pipe(Effect.provide(layer));
			const messages = results[ReportIds.TotalMessages];
			assert.isTrue(messages.ok);
			if (messages.ok) {
				assert.isTrue(Object.isFrozen(messages.data.breakdown[0]));
				assert.throws(() => {
					(messages.data as { value: number }).value = -1;
				});
			}
		}),
	);

	it("evicts the least recently used entry, by entries and by objects held", () => {
		const store = makeResultStore(2);
		store.set("a", 1);
		store.set("b", 2);
		assert.strictEqual(store.get("a"), 1);
		store.set("c", 3);
		assert.strictEqual(store.get("b"), undefined);
		assert.strictEqual(store.get("a"), 1);
		assert.strictEqual(store.get("c"), 3);
		assert.strictEqual(store.size(), 2);

		const bounded = makeResultStore(100, 10);
		bounded.set("small", [{ n: 1 }]);
		assert.strictEqual(bounded.objects(), 3);
		bounded.set("medium", [{ n: 1 }, { n: 2 }, { n: 3 }]);
		assert.strictEqual(bounded.objects(), 10);
		bounded.set("more", [{ n: 4 }]);
		assert.strictEqual(bounded.get("small"), undefined, "the oldest goes first");
		assert.deepStrictEqual(bounded.get("more"), [{ n: 4 }]);
		assert.isAtMost(bounded.objects(), 10);
		bounded.set(
			"huge",
			Array.from({ length: 20 }, (_, n) => ({ n })),
		);
		assert.strictEqual(bounded.get("huge"), undefined, "a value larger than the budget is not kept");
		assert.isTrue(Object.isFrozen(bounded.get("more")));
	});
});
