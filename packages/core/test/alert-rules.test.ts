import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import type { ConversationRow } from "../src/index.ts";
import { generateReport, ReportIds } from "../src/index.ts";
import {
	abandonmentSpike,
	activitySurge,
	conversationDrop,
	limitAlert,
	negativeFeedback,
	sentimentShift,
	tokenSpike,
	usageSpike,
} from "../src/reports/alert-rules.ts";
import { emptySnapshot, memoryRepositories } from "../src/testing/index.ts";

/** For every rule and threshold: one case just below (no alert or the lower severity) and one on or above it. */

const severity = (alert: { severity: string } | undefined) => alert?.severity ?? "none";
const days = (...values: Array<number>) => values.map((value, index) => ({ date: `2026-11-${10 + index}`, value }));

describe("usageSpike (latest complete day against the mean of the others)", () => {
	it("info at 20%, warning at 50%, critical at 100%", () => {
		assert.strictEqual(severity(usageSpike("tokens", days(10, 10, 11.99))), "none");
		assert.strictEqual(severity(usageSpike("tokens", days(10, 10, 12))), "info");
		assert.strictEqual(severity(usageSpike("tokens", days(10, 10, 14.99))), "info");
		assert.strictEqual(severity(usageSpike("tokens", days(10, 10, 15))), "warning");
		assert.strictEqual(severity(usageSpike("tokens", days(10, 10, 19.99))), "warning");
		assert.strictEqual(severity(usageSpike("tokens", days(10, 10, 20))), "critical");
	});
	it("compares exactly when the mean is not a round number", () => {
		// mean of 1, 1, 2 is 4/3; 8/3 is exactly +100%
		const alert = usageSpike("messages", days(1, 1, 2, 8 / 3));
		assert.strictEqual(severity(alert), "critical");
		assert.deepStrictEqual(alert?.metric, { current: 8 / 3, baseline: 1.33, percentage: 100 });
		assert.strictEqual(severity(usageSpike("conversations", days(3, 3, 4))), "info");
	});
	it("needs at least 3 complete days and a mean above 0", () => {
		assert.strictEqual(severity(usageSpike("tokens", days(1, 100))), "none");
		assert.strictEqual(severity(usageSpike("tokens", days(0, 0, 100))), "none");
		assert.strictEqual(severity(usageSpike("tokens", days(0, 1, 100))), "critical");
	});
	it("describes the spike", () => {
		const alert = usageSpike("tokens", days(10, 10, 15));
		assert.deepStrictEqual(alert, {
			type: "usageSpike",
			severity: "warning",
			title: "Tokens spike",
			message:
				"tokens on 2026-11-12 were 15, 50% above the daily mean of 10 over the other 2 complete days of the period",
			metric: { current: 15, baseline: 10, percentage: 50 },
		});
	});
});

describe("limit (usage against the plan)", () => {
	it("warning at 80%, critical at 100%, nothing without a limit", () => {
		assert.strictEqual(severity(limitAlert("records", 7, 10)), "none");
		assert.strictEqual(severity(limitAlert("records", 8, 10)), "warning");
		assert.strictEqual(severity(limitAlert("records", 79, 100)), "none");
		assert.strictEqual(severity(limitAlert("records", 99, 100)), "warning");
		assert.strictEqual(severity(limitAlert("records", 100, 100)), "critical");
		assert.strictEqual(severity(limitAlert("records", 150, 100)), "critical");
		assert.strictEqual(severity(limitAlert("records", 1000, null)), "none");
		assert.strictEqual(severity(limitAlert("files", 3, 0)), "none");
		assert.deepStrictEqual(limitAlert("files", 4, 5)?.metric, { current: 4, baseline: 5, percentage: 80 });
	});
});

describe("negativeFeedback (thumbs-down share)", () => {
	it("account: needs 10 thumbs; warning at 30%, critical at 50%", () => {
		assert.strictEqual(severity(negativeFeedback(71, 29, 10)), "none");
		assert.strictEqual(severity(negativeFeedback(7, 3, 10)), "warning");
		assert.strictEqual(severity(negativeFeedback(51, 49, 10)), "warning");
		assert.strictEqual(severity(negativeFeedback(5, 5, 10)), "critical");
		assert.strictEqual(severity(negativeFeedback(0, 9, 10)), "none");
		assert.strictEqual(severity(negativeFeedback(0, 10, 10)), "critical");
	});
	it("bot: needs 3 thumbs", () => {
		assert.strictEqual(severity(negativeFeedback(0, 2, 3)), "none");
		assert.strictEqual(severity(negativeFeedback(1, 2, 3)), "critical");
		assert.strictEqual(severity(negativeFeedback(3, 0, 3)), "none");
		assert.strictEqual(severity(negativeFeedback(7, 3, 3)), "warning");
	});
});

describe("sentiment (rise of the thumbs-down share in points)", () => {
	const previous = { thumbsUp: 90, thumbsDown: 10 }; // 10%
	it("warning at +20 points, critical at +35", () => {
		assert.strictEqual(severity(sentimentShift({ thumbsUp: 71, thumbsDown: 29 }, previous)), "none");
		assert.strictEqual(severity(sentimentShift({ thumbsUp: 70, thumbsDown: 30 }, previous)), "warning");
		assert.strictEqual(severity(sentimentShift({ thumbsUp: 56, thumbsDown: 44 }, previous)), "warning");
		assert.strictEqual(severity(sentimentShift({ thumbsUp: 55, thumbsDown: 45 }, previous)), "critical");
	});
	it("needs 10 thumbs in both windows", () => {
		assert.strictEqual(
			severity(sentimentShift({ thumbsUp: 0, thumbsDown: 10 }, { thumbsUp: 9, thumbsDown: 0 })),
			"none",
		);
		assert.strictEqual(
			severity(sentimentShift({ thumbsUp: 0, thumbsDown: 9 }, { thumbsUp: 10, thumbsDown: 0 })),
			"none",
		);
		assert.strictEqual(
			severity(sentimentShift({ thumbsUp: 0, thumbsDown: 10 }, { thumbsUp: 10, thumbsDown: 0 })),
			"critical",
		);
	});
	it("handles shares that are not exact in binary", () => {
		// 1/3 → 2/3 is a rise of 33.33 points
		const alert = sentimentShift({ thumbsUp: 10, thumbsDown: 20 }, { thumbsUp: 20, thumbsDown: 10 });
		assert.deepStrictEqual(alert?.metric, { current: 66.67, baseline: 33.33, percentage: 33.33 });
		assert.strictEqual(alert?.severity, "warning");
	});
});

describe("activity (conversation surge)", () => {
	it("info at +200% on a non-empty previous window", () => {
		assert.strictEqual(severity(activitySurge(29, 10)), "none");
		assert.strictEqual(severity(activitySurge(30, 10)), "info");
		assert.strictEqual(severity(activitySurge(100, 0)), "none");
	});
});

describe("tokenSpike (bot)", () => {
	it("warning at +50%, critical at +100%, needs previous > 0", () => {
		assert.strictEqual(severity(tokenSpike(149, 100)), "none");
		assert.strictEqual(severity(tokenSpike(150, 100)), "warning");
		assert.strictEqual(severity(tokenSpike(199, 100)), "warning");
		assert.strictEqual(severity(tokenSpike(200, 100)), "critical");
		assert.strictEqual(severity(tokenSpike(500, 0)), "none");
	});
});

describe("conversationDrop (bot)", () => {
	it("warning at −50%, critical at −75%, needs previous ≥ 5", () => {
		assert.strictEqual(severity(conversationDrop(51, 100)), "none");
		assert.strictEqual(severity(conversationDrop(50, 100)), "warning");
		assert.strictEqual(severity(conversationDrop(26, 100)), "warning");
		assert.strictEqual(severity(conversationDrop(25, 100)), "critical");
		assert.strictEqual(severity(conversationDrop(0, 4)), "none");
		assert.strictEqual(severity(conversationDrop(0, 5)), "critical");
		assert.deepStrictEqual(conversationDrop(25, 100)?.metric, { current: 25, baseline: 100, percentage: -75 });
	});
});

describe("abandonmentSpike (bot): Bot Conversation Quality's abandonmentRate, window against window", () => {
	// 20 conversations, 2 of them single-turn (0–1 user messages): 10%.
	const previous = { conversations: 20, withUserMessage: 19, singleTurn: 2 };
	const now = (conversations: number, singleTurn: number, withUserMessage = conversations) => ({
		conversations,
		withUserMessage,
		singleTurn,
	});
	it("warning at +20 points, critical at +30", () => {
		assert.strictEqual(severity(abandonmentSpike(now(100, 29), previous)), "none");
		assert.strictEqual(severity(abandonmentSpike(now(10, 3), previous)), "warning");
		assert.strictEqual(severity(abandonmentSpike(now(100, 39), previous)), "warning");
		assert.strictEqual(severity(abandonmentSpike(now(10, 4), previous)), "critical");
	});
	it("counts conversations without a user message as single-turn, as the quality report does", () => {
		// 10 conversations, 3 without any user message and none with one: 30%, 20 points up.
		const alert = abandonmentSpike(now(10, 3, 7), previous);
		assert.strictEqual(severity(alert), "warning");
		assert.deepStrictEqual(alert?.metric, { current: 30, baseline: 10, percentage: 20 });
	});
	it("needs 5 conversations with a user message in both windows", () => {
		assert.strictEqual(severity(abandonmentSpike(now(10, 10, 4), previous)), "none");
		assert.strictEqual(severity(abandonmentSpike(now(5, 5), now(10, 0, 4))), "none");
		assert.strictEqual(severity(abandonmentSpike(now(5, 5), now(5, 0))), "critical");
	});
});

describe("Alerts report reads complete days only", () => {
	it.effect("yesterday's spike fires; today's larger, incomplete count is ignored", () =>
		Effect.gen(function* () {
			const now = Date.parse("2026-11-24T12:00:00Z");
			const conversationsOn = (date: string, count: number): Array<ConversationRow> =>
				Array.from({ length: count }, (_, index) => ({
					accountId: "acme",
					id: `${date}-${index}`,
					createdAt: new Date(`${date}T0${index % 10}:00:00Z`),
					botId: null,
					contactId: null,
				}));
			const snapshot = {
				...emptySnapshot,
				conversations: [
					...conversationsOn("2026-11-20", 2),
					...conversationsOn("2026-11-21", 2),
					...conversationsOn("2026-11-22", 2),
					...conversationsOn("2026-11-23", 4),
					...conversationsOn("2026-11-24", 9),
				],
			};
			yield* TestClock.setTime(now);
			const output = yield* generateReport(ReportIds.Alerts, { periodDays: 5 }, { accountId: "acme" }).pipe(
				Effect.provide(memoryRepositories(snapshot)),
			);
			assert.deepStrictEqual(
				output.alerts.map((alert) => [alert.type, alert.severity, alert.metric]),
				[["usageSpike", "critical", { current: 4, baseline: 2, percentage: 100 }]],
			);
			assert.strictEqual(output.alerts[0]?.title, "Conversations spike");
			// with 4 days there are only 3 complete days: 2, 2 and the latest 4 (mean 2) still fires
			const short = yield* generateReport(ReportIds.Alerts, { periodDays: 4 }, { accountId: "acme" }).pipe(
				Effect.provide(memoryRepositories(snapshot)),
			);
			assert.strictEqual(short.summary.criticalCount, 1);
			// with 3 days only 2 are complete: no spike rule (15 conversations against 4 is an activity surge, though)
			const tooShort = yield* generateReport(ReportIds.Alerts, { periodDays: 3 }, { accountId: "acme" }).pipe(
				Effect.provide(memoryRepositories(snapshot)),
			);
			assert.deepStrictEqual(
				tooShort.alerts.map((alert) => [alert.type, alert.severity, alert.metric]),
				[["activity", "info", { current: 15, baseline: 4, percentage: 275 }]],
			);
		}),
	);
});
