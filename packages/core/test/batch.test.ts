import { assert, describe, it } from "@effect/vitest";
import { Effect, Fiber, Layer } from "effect";
import { TestClock } from "effect/testing";
import {
	AccountRepository,
	ActivityRepository,
	generateBatch,
	generateReport,
	ReportIds,
	ReportTimeoutMs,
} from "../src/index.ts";
import { memoryAccountRepository, memoryActivityRepository } from "../src/testing/index.ts";
import { fixture, NOW } from "./fixture.ts";

/** Repositories over the fixture that count every call by method and can be slowed down per method. */
const instrumented = (slow: ReadonlyArray<string> = []) => {
	const calls = new Map<string, number>();
	const wrap = <S extends object>(service: S): S =>
		Object.fromEntries(
			Object.entries(service).map(([method, fn]) => [
				method,
				(...args: Array<unknown>) =>
					Effect.suspend(() => {
						calls.set(method, (calls.get(method) ?? 0) + 1);
						const call = (fn as (...args: Array<unknown>) => Effect.Effect<unknown>)(...args);
						return slow.includes(method) ? Effect.delay(call, 60_000) : call;
					}),
			]),
		) as S;
	const layer = Layer.mergeAll(
		Layer.succeed(ActivityRepository, wrap(memoryActivityRepository(fixture.snapshot))),
		Layer.succeed(AccountRepository, wrap(memoryAccountRepository(fixture.snapshot))),
	);
	return { calls, layer };
};

const ctx = { accountId: "acme" };

describe("generateBatch", () => {
	it.effect("one failing report never fails the others", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { layer } = instrumented();
			const results = yield* generateBatch(
				{
					[ReportIds.TotalRatings]: { periodDays: 7 },
					[ReportIds.BotStats]: { botId: "b9" },
					[ReportIds.TotalMessages]: { periodDays: 0 },
					"no-such-report": {},
				},
				ctx,
			).pipe(Effect.provide(layer));
			const ratings = results[ReportIds.TotalRatings];
			assert.isTrue(ratings.ok);
			if (ratings.ok) assert.strictEqual(ratings.data.value, 5);
			const bot = results[ReportIds.BotStats];
			assert.isTrue(!bot.ok && bot.error.tag === "ResourceNotFound");
			const messages = results[ReportIds.TotalMessages];
			assert.isTrue(!messages.ok && messages.error.tag === "InvalidInput");
			const unknown = results["no-such-report"];
			assert.isTrue(!unknown.ok && unknown.error.tag === "ReportNotFound");
			// Failures already have the wire's shape: the tRPC batch answers them as they are.
			assert.deepStrictEqual(messages, {
				ok: false,
				error: {
					code: "BAD_REQUEST",
					tag: "InvalidInput",
					message: "periodDays must be at least 1",
					field: "periodDays",
				},
			});
			assert.deepStrictEqual(unknown, {
				ok: false,
				error: { code: "NOT_FOUND", tag: "ReportNotFound", message: "Report not found", field: null },
			});
			assert.deepStrictEqual(
				Object.keys(results).sort(),
				[ReportIds.TotalRatings, ReportIds.TotalMessages, ReportIds.BotStats, "no-such-report"].sort(),
			);
		}),
	);

	it.effect("identical repository calls within one batch run once", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const requests = {
				[ReportIds.TotalRatings]: { periodDays: 7 },
				[ReportIds.ThumbsUp]: { periodDays: 7 },
				[ReportIds.ThumbsDown]: { periodDays: 7 },
				[ReportIds.TotalMessages]: { periodDays: 7 },
				[ReportIds.TotalConversations]: { periodDays: 7 },
				[ReportIds.BotStats]: { periodDays: 7, botId: "b1" },
				[ReportIds.BotPerformance]: { periodDays: 7, botId: "b1" },
				[ReportIds.BotNegativeFeedback]: { periodDays: 7, botId: "b1" },
			};
			const batched = instrumented();
			const results = yield* generateBatch(requests, ctx).pipe(Effect.provide(batched.layer));
			assert.isTrue(Object.values(results).every((result) => result.ok));
			// one account-wide and one bot-scoped countsBySlice; one botExists for the three bot reports
			assert.strictEqual(batched.calls.get("countsBySlice"), 2);
			assert.strictEqual(batched.calls.get("botExists"), 1);

			const separate = instrumented();
			for (const [id, input] of Object.entries(requests)) {
				yield* generateReport(id, input, ctx).pipe(Effect.provide(separate.layer));
			}
			assert.strictEqual(separate.calls.get("countsBySlice"), 8);
			assert.strictEqual(separate.calls.get("botExists"), 3);

			// the memo lives for one batch only
			yield* generateBatch(requests, ctx).pipe(Effect.provide(batched.layer));
			assert.strictEqual(batched.calls.get("countsBySlice"), 4);
			// and a batch result equals the standalone result
			const alone = yield* generateReport(ReportIds.BotPerformance, requests[ReportIds.BotPerformance], ctx).pipe(
				Effect.provide(separate.layer),
			);
			const inBatch = results[ReportIds.BotPerformance];
			assert.deepStrictEqual(inBatch.ok ? inBatch.data : undefined, alone);
		}),
	);

	it.effect("the cohort reports of a batch read each scope's current and previous cohorts once, together", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const period = { periodDays: 7 };
			const bot = { ...period, botId: "b1" };
			const requests = {
				[ReportIds.ComprehensiveOverview]: period,
				[ReportIds.ComprehensiveAnalytics]: period,
				[ReportIds.AverageUserMessagesPerConversation]: period,
				[ReportIds.AverageBotMessagesPerConversation]: period,
				[ReportIds.AverageActionsPerConversation]: period,
				[ReportIds.BotAlerts]: bot,
				[ReportIds.BotConversationQuality]: bot,
			};
			const batched = instrumented();
			const results = yield* generateBatch(requests, ctx).pipe(Effect.provide(batched.layer));
			assert.isTrue(Object.values(results).every((result) => result.ok));
			assert.strictEqual(batched.calls.get("conversationCohorts"), 2);
			// Each report alone gives the same answer as in the batch.
			for (const [id, input] of Object.entries(requests)) {
				const alone = yield* generateReport(id, input, ctx).pipe(Effect.provide(instrumented().layer));
				const inBatch = results[id as keyof typeof requests];
				assert.deepStrictEqual(inBatch.ok ? inBatch.data : undefined, alone, id);
			}
		}),
	);

	it.effect("a slow report times out alone after the default 10 s", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { layer } = instrumented(["conversationCohorts"]);
			const fiber = yield* Effect.forkChild(
				generateBatch(
					{
						[ReportIds.TotalRatings]: { periodDays: 7 },
						[ReportIds.AverageBotMessagesPerConversation]: { periodDays: 7 },
					},
					ctx,
				).pipe(Effect.provide(layer)),
			);
			yield* TestClock.adjust(9_999);
			assert.isUndefined(fiber.pollUnsafe());
			yield* TestClock.adjust(1);
			const results = yield* Fiber.join(fiber);
			assert.isTrue(results[ReportIds.TotalRatings].ok);
			const slow = results[ReportIds.AverageBotMessagesPerConversation];
			assert.isFalse(slow.ok);
			if (!slow.ok) {
				assert.strictEqual(slow.error.tag, "ReportTimeout");
				assert.include(slow.error.message, "10000 ms");
			}
		}),
	);

	it.effect("the time limit is configurable through ReportTimeoutMs", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { layer } = instrumented(["countsBySlice"]);
			const fiber = yield* Effect.forkChild(
				generateReport(ReportIds.TotalRatings, {}, ctx).pipe(
					Effect.provide(layer),
					Effect.provideService(ReportTimeoutMs, 250),
					Effect.flip,
				),
			);
			yield* TestClock.adjust(250);
			const error = yield* Fiber.join(fiber);
			assert.strictEqual(error._tag, "ReportTimeout");
			if (error._tag === "ReportTimeout") assert.strictEqual(error.timeoutMs, 250);
		}),
	);

	it.effect("reports sharing one slow call each time out instead of waiting forever", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			const { layer, calls } = instrumented(["countsBySlice"]);
			const fiber = yield* Effect.forkChild(
				generateBatch({ [ReportIds.TotalRatings]: {}, [ReportIds.ThumbsUp]: {} }, ctx).pipe(Effect.provide(layer)),
			);
			yield* TestClock.adjust(10_000);
			const results = yield* Fiber.join(fiber);
			for (const result of [results[ReportIds.TotalRatings], results[ReportIds.ThumbsUp]]) {
				assert.isTrue(!result.ok && result.error.tag === "ReportTimeout");
			}
			assert.isAtLeast(calls.get("countsBySlice") ?? 0, 1);
		}),
	);
});
