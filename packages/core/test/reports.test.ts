import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { generateReport, ReportIds, reports } from "../src/index.ts";
import { emptySnapshot, memoryRepositories } from "../src/testing/index.ts";
import { fixture, NOW } from "./fixture.ts";

/**
 * Every report over the crafted dataset of fixture.ts, with the expected numbers worked out by hand (see the
 * comments). Window: 2026-11-18..24 (UTC), previous 2026-11-11..17.
 */

const week = { periodDays: 7 };
const run = <Id extends string>(id: Id, input: unknown, accountId = "acme") =>
	Effect.gen(function* () {
		yield* TestClock.setTime(NOW);
		return yield* generateReport(id, input, { accountId });
	});
const days = ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"];
/** Each UTC day of the window with its span: from its midnight to the next one. */
const midnights = [...days, "2026-11-25"].map((date) => `${date}T00:00:00.000Z`);
const series = (totals: ReadonlyArray<number>) =>
	days.map((date, index) => ({
		date,
		start: midnights[index] ?? "",
		end: midnights[index + 1] ?? "",
		total: totals[index] ?? -1,
	}));

layer(memoryRepositories(fixture.snapshot))("hand-checked reports", (it) => {
	it.effect("Total Ratings counts every rating, value 0 included, and splits thumbs", () =>
		Effect.gen(function* () {
			// current: r1(+100) r2(−50) r3(0) r4(−1) r5(−100); previous: r6(+10) r7(−5, last ms of 11-17)
			const output = yield* run(ReportIds.TotalRatings, week);
			assert.deepStrictEqual(output, {
				value: 5,
				change: 3,
				previous: 2,
				changePercent: 150,
				period: "last 7 days",
				breakdown: series([0, 0, 1, 1, 1, 1, 1]),
				thumbsUp: 1,
				thumbsDown: 3,
			});
		}),
	);

	it.effect("Thumbs Up and Thumbs Down", () =>
		Effect.gen(function* () {
			const up = yield* run(ReportIds.ThumbsUp, week);
			assert.deepStrictEqual(up, {
				value: 1,
				change: 0,
				previous: 1,
				changePercent: 0,
				period: "last 7 days",
				breakdown: series([0, 0, 1, 0, 0, 0, 0]),
			});
			const down = yield* run(ReportIds.ThumbsDown, week);
			assert.deepStrictEqual(down, {
				value: 3,
				change: 2,
				previous: 1,
				changePercent: 200,
				period: "last 7 days",
				breakdown: series([0, 0, 0, 0, 1, 1, 1]),
			});
		}),
	);

	it.effect("Total Contacts counts the account's contacts only and ignores unknown keys", () =>
		Effect.gen(function* () {
			assert.deepStrictEqual(yield* run(ReportIds.TotalContacts, { userId: "u1" }), { value: 4, period: "all time" });
			assert.deepStrictEqual(yield* run(ReportIds.TotalContacts, undefined, "other"), { value: 1, period: "all time" });
		}),
	);

	it.effect(
		"Active Contacts counts distinct contacts per window and per bucket, skipping contactless conversations",
		() =>
			Effect.gen(function* () {
				// current: v1 c1, v3 c2, v5 c3 (v2 has no contact); previous: v4 c1, v6 c2
				const output = yield* run(ReportIds.ActiveContacts, week);
				assert.deepStrictEqual(output, {
					value: 3,
					change: 1,
					previous: 2,
					changePercent: 50,
					period: "last 7 days",
					breakdown: series([1, 0, 1, 0, 0, 0, 1]),
				});
			}),
	);

	it.effect("Total Conversations counts conversations with or without a contact or bot", () =>
		Effect.gen(function* () {
			// v5 at exactly 11-18T00:00 is current; v6 at exactly 11-11T00:00 is previous
			const output = yield* run(ReportIds.TotalConversations, week);
			assert.deepStrictEqual(output, {
				value: 4,
				change: 2,
				previous: 2,
				changePercent: 100,
				period: "last 7 days",
				breakdown: series([1, 0, 1, 0, 1, 0, 1]),
			});
		}),
	);

	it.effect("bucket spans are local midnights as instants: a DST day lasts 23 or 25 hours, an hour its own", () =>
		Effect.gen(function* () {
			const spans = (input: Record<string, unknown>) =>
				Effect.map(run(ReportIds.TotalConversations, input), (output) =>
					output.breakdown.map(({ date, start, end }) => [date, start, end]),
				);
			// Berlin moves from +01:00 to +02:00 at 02:00 local on 2026-03-29.
			assert.deepStrictEqual(
				yield* spans({ startDate: "2026-03-28", endDate: "2026-03-30", timezone: "Europe/Berlin" }),
				[
					["2026-03-28", "2026-03-27T23:00:00.000Z", "2026-03-28T23:00:00.000Z"],
					["2026-03-29", "2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"],
					["2026-03-30", "2026-03-29T22:00:00.000Z", "2026-03-30T22:00:00.000Z"],
				],
			);
			// New York moves from −04:00 to −05:00 at 02:00 local on 2026-11-01.
			assert.deepStrictEqual(
				yield* spans({ startDate: "2026-10-31", endDate: "2026-11-02", timezone: "America/New_York" }),
				[
					["2026-10-31", "2026-10-31T04:00:00.000Z", "2026-11-01T04:00:00.000Z"],
					["2026-11-01", "2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"],
					["2026-11-02", "2026-11-02T05:00:00.000Z", "2026-11-03T05:00:00.000Z"],
				],
			);
			// Hours around the missing one: 01:00 +01:00 is followed by 03:00 +02:00, one real hour later.
			const hours = yield* spans({
				startDate: "2026-03-29",
				endDate: "2026-03-29",
				timezone: "Europe/Berlin",
				granularity: "hour",
			});
			assert.strictEqual(hours.length, 23);
			assert.deepStrictEqual(hours.slice(1, 3), [
				["2026-03-29T01:00+01:00", "2026-03-29T00:00:00.000Z", "2026-03-29T01:00:00.000Z"],
				["2026-03-29T03:00+02:00", "2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"],
			]);
			assert.deepStrictEqual(hours.at(-1), [
				"2026-03-29T23:00+02:00",
				"2026-03-29T21:00:00.000Z",
				"2026-03-29T22:00:00.000Z",
			]);
			// A week clipped to the window starts with it and ends at the next Monday's midnight.
			const weeks = yield* spans({ startDate: "2026-11-18", endDate: "2026-11-24", granularity: "week" });
			assert.deepStrictEqual(weeks, [
				["2026-11-18", "2026-11-18T00:00:00.000Z", "2026-11-23T00:00:00.000Z"],
				["2026-11-23", "2026-11-23T00:00:00.000Z", "2026-11-25T00:00:00.000Z"],
			]);
		}),
	);

	it.effect("message counts by type; Total Messages includes other types", () =>
		Effect.gen(function* () {
			// current: m1..m9 and m11 (v4's late message) = 10, of which user m1 m4 m7 m11, bot m2 m6, activity m3 m8 m9
			const total = yield* run(ReportIds.TotalMessages, week);
			assert.deepStrictEqual(total, {
				value: 10,
				change: 7,
				previous: 3,
				changePercent: 233.33,
				period: "last 7 days",
				breakdown: series([0, 1, 4, 1, 1, 0, 3]),
			});
			const user = yield* run(ReportIds.UserMessages, week);
			assert.deepStrictEqual([user.value, user.previous, user.changePercent], [4, 2, 100]);
			assert.deepStrictEqual(user.breakdown, series([0, 1, 1, 1, 0, 0, 1]));
			const bot = yield* run(ReportIds.BotMessages, week);
			assert.deepStrictEqual([bot.value, bot.previous], [2, 1]);
			assert.deepStrictEqual(bot.breakdown, series([0, 0, 1, 0, 1, 0, 0]));
			const activity = yield* run(ReportIds.ActivityMessages, week);
			assert.deepStrictEqual([activity.value, activity.previous, activity.changePercent], [3, 0, null]);
			assert.deepStrictEqual(activity.breakdown, series([0, 0, 1, 0, 0, 0, 2]));
		}),
	);

	it.effect("averages run over the conversations created in the window with all their messages", () =>
		Effect.gen(function* () {
			// cohort v1 v2 v3 v5: user m1 m4 m7 = 3/4, bot m2 m6 = 2/4, activity m3 m8 m9 = 3/4 (m11 belongs to v4)
			assert.deepStrictEqual(yield* run(ReportIds.AverageUserMessagesPerConversation, week), {
				value: 0.75,
				period: "last 7 days",
			});
			assert.deepStrictEqual(yield* run(ReportIds.AverageBotMessagesPerConversation, week), {
				value: 0.5,
				period: "last 7 days",
			});
			assert.deepStrictEqual(yield* run(ReportIds.AverageActionsPerConversation, week), {
				value: 0.75,
				period: "last 7 days",
			});
		}),
	);

	it.effect("Bot Stats counts the bot's conversations, their messages and tokens, and its ratings", () =>
		Effect.gen(function* () {
			// b1: v1 v2 v5 created; messages m1..m6 (77 tokens); ratings r1 r2 r3 r5 (r7 is previous)
			const output = yield* run(ReportIds.BotStats, { ...week, botId: "b1" });
			assert.deepStrictEqual(output, {
				totalConversations: 3,
				totalMessages: 6,
				totalTokens: 77,
				totalRatings: 4,
				thumbsUp: 1,
				thumbsDown: 2,
				sentimentSignal: "negative",
				period: "last 7 days",
			});
			const quiet = yield* run(ReportIds.BotStats, { ...week, botId: "b2" });
			assert.strictEqual(quiet.sentimentSignal, "unknown");
			assert.strictEqual(quiet.totalMessages, 1); // m11 of v4, sent in the window though v4 is older
		}),
	);

	it.effect("a bot of another account, or no bot at all, is not found with the same message", () =>
		Effect.gen(function* () {
			for (const id of [
				ReportIds.BotStats,
				ReportIds.BotPerformance,
				ReportIds.BotConversationQuality,
				ReportIds.BotAlerts,
				ReportIds.BotNegativeFeedback,
			]) {
				const elsewhere = yield* Effect.flip(run(id, { botId: "b9" }));
				const nowhere = yield* Effect.flip(run(id, { botId: "never-existed" }));
				assert.strictEqual(elsewhere._tag, "ResourceNotFound");
				assert.strictEqual(nowhere._tag, "ResourceNotFound");
				assert.strictEqual(elsewhere.message, "Bot not found");
				assert.strictEqual(nowhere.message, elsewhere.message);
			}
			const missing = yield* Effect.flip(run(ReportIds.BotStats, week));
			assert.strictEqual(missing._tag === "InvalidInput" ? missing.field : "", "botId");
		}),
	);

	it.effect("Bot Performance trends against the previous window", () =>
		Effect.gen(function* () {
			// previous for b1: v6 with m12 m13 (10 tokens) and r7
			const output = yield* run(ReportIds.BotPerformance, { ...week, botId: "b1" });
			assert.deepStrictEqual(output.conversations, {
				current: 3,
				previous: 1,
				change: 2,
				breakdown: series([1, 0, 1, 0, 1, 0, 0]),
			});
			assert.deepStrictEqual(output.messages, {
				current: 6,
				previous: 2,
				change: 4,
				breakdown: series([0, 0, 4, 1, 1, 0, 0]),
			});
			assert.deepStrictEqual(output.tokens, {
				current: 77,
				previous: 10,
				change: 67,
				breakdown: series([0, 0, 45, 12, 20, 0, 0]),
			});
			assert.deepStrictEqual(output.ratings, {
				thumbsUp: 1,
				thumbsDown: 2,
				total: 4,
				change: 3,
				sentimentSignal: "negative",
				breakdown: series([]).map(({ date, start, end }) => ({
					date,
					start,
					end,
					total: ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"].includes(date) ? 1 : 0,
					thumbsUp: date === "2026-11-20" ? 1 : 0,
					thumbsDown: date === "2026-11-22" || date === "2026-11-23" ? 1 : 0,
				})),
			});
		}),
	);

	it.effect("Bot Conversation Quality", () =>
		Effect.gen(function* () {
			// cohort of b1: v1 (2 user), v2 (0), v5 (0); 6 messages, 77 tokens; actions: m3 search/lookup
			const output = yield* run(ReportIds.BotConversationQuality, { ...week, botId: "b1" });
			assert.deepStrictEqual(output, {
				avgMessagesPerConversation: { user: 0.67, bot: 0.67, activity: 0.33 },
				conversationDepth: { singleTurn: 2, short: 1, medium: 0, long: 0 },
				totalConversations: 3,
				abandonmentRate: 66.7,
				avgTokensPerConversation: 25.67,
				avgTokensPerMessage: 12.83,
				topActions: [{ type: "search", name: "lookup", count: 1 }],
				period: "last 7 days",
			});
		}),
	);

	it.effect("Bot Negative Feedback lists thumbs down newest first with the contact's best name", () =>
		Effect.gen(function* () {
			const output = yield* run(ReportIds.BotNegativeFeedback, { ...week, botId: "b1" });
			assert.deepStrictEqual(output, {
				items: [
					{
						id: "r5",
						value: -100,
						reason: "wrong",
						conversationId: "v5",
						messageId: null,
						contactId: "c3",
						contactName: "cy",
						createdAt: "2026-11-23T00:00:00.000Z",
					},
					{
						id: "r2",
						value: -50,
						reason: "slow",
						conversationId: "v2",
						messageId: null,
						contactId: null,
						contactName: null,
						createdAt: "2026-11-22T05:00:00.000Z",
					},
				],
				total: 4,
				thumbsDown: 2,
				thumbsUp: 1,
				period: "last 7 days",
			});
			const limited = yield* run(ReportIds.BotNegativeFeedback, { ...week, botId: "b1", limit: 1 });
			assert.deepStrictEqual(
				limited.items.map((item) => item.id),
				["r5"],
			);
			const tooMany = yield* Effect.flip(run(ReportIds.BotNegativeFeedback, { botId: "b1", limit: 51 }));
			assert.strictEqual(tooMany._tag === "InvalidInput" ? tooMany.field : "", "limit");
			assert.include(tooMany.message, "50");
			// The contract's bound, not the safe-integer bound a huge number also crosses.
			const huge = yield* Effect.flip(run(ReportIds.BotNegativeFeedback, { botId: "b1", limit: 1e308 }));
			assert.strictEqual(huge.message, "limit must be at most 50");
		}),
	);

	it.effect("Dataset Records reports other accounts' datasets as not found", () =>
		Effect.gen(function* () {
			const output = yield* run(ReportIds.DatasetRecords, { datasetIds: ["d1", "d2", "d3", "d1"] });
			assert.deepStrictEqual(output, {
				totalRecords: 3,
				breakdown: [
					{ datasetId: "d1", records: 3 },
					{ datasetId: "d2", records: 0 },
				],
				notFound: ["d3"],
			});
			const none = yield* Effect.flip(run(ReportIds.DatasetRecords, { datasetIds: ["d3"] }));
			assert.strictEqual(none._tag, "ResourceNotFound");
			assert.strictEqual(none.message, "Dataset not found");
			const empty = yield* Effect.flip(run(ReportIds.DatasetRecords, { datasetIds: [] }));
			assert.strictEqual(empty._tag === "InvalidInput" ? empty.field : "", "datasetIds");
		}),
	);

	it.effect("Alerts: the dataset limit is reached; nothing else fires on this data", () =>
		Effect.gen(function* () {
			// daily tokens 0 6 45 12 20 0 for the complete days 18..23: yesterday is below the mean, no spike;
			// 4 thumbs < 10; conversations +100% < 200%; datasets 2 of 2 = 100%; records 3 of 5 = 60%; files limit 0
			const output = yield* run(ReportIds.Alerts, week);
			assert.deepStrictEqual(
				output.alerts.map(({ type, severity, metric }) => ({ type, severity, metric })),
				[{ type: "limit", severity: "critical", metric: { current: 2, baseline: 2, percentage: 100 } }],
			);
			assert.deepStrictEqual(output.summary, { totalAlerts: 1, criticalCount: 1, warningCount: 0, infoCount: 0 });
			assert.strictEqual(output.period, "last 7 days");
		}),
	);

	it.effect("Bot Alerts: negative feedback and a token spike for b1, default period 7 days", () =>
		Effect.gen(function* () {
			// 1 up, 2 down = 66.67% ≥ 50%; tokens 77 vs 10 = +670%; previous conversations 1 < 5; 1 engaged conversation < 5
			const output = yield* run(ReportIds.BotAlerts, { botId: "b1" });
			assert.deepStrictEqual(
				output.alerts.map(({ type, severity, metric }) => ({ type, severity, metric })),
				[
					{ type: "negativeFeedback", severity: "critical", metric: { current: 2, baseline: 3, percentage: 66.67 } },
					{ type: "tokenSpike", severity: "critical", metric: { current: 77, baseline: 10, percentage: 670 } },
				],
			);
			assert.deepStrictEqual(output.summary, { totalAlerts: 2, criticalCount: 2, warningCount: 0, infoCount: 0 });
			assert.strictEqual(output.period, "last 7 days");
		}),
	);

	it.effect("Comprehensive Overview: 13 entries in order with charts and lists", () =>
		Effect.gen(function* () {
			const output = yield* run(ReportIds.ComprehensiveOverview, week);
			assert.deepStrictEqual(
				output.data.map((entry) => entry.title),
				[
					"Total Ratings",
					"Thumbs Up",
					"Thumbs Down",
					"Total Users",
					"Active Users",
					"Total Conversations",
					"Total Messages",
					"Total User Requests",
					"Total Agent Responses",
					"Total Agent Actions",
					"Average User Requests per Conversation",
					"Average Agent Responses per Conversation",
					"Average Actions per Conversation",
				],
			);
			const [ratings, , , users, active, , messages, , , actions, avgUser] = output.data;
			assert.deepStrictEqual([ratings?.value, ratings?.change], [5, 3]);
			assert.deepStrictEqual(ratings?.details.chart.data[2], {
				date: "2026-11-20",
				start: "2026-11-20T00:00:00.000Z",
				end: "2026-11-21T00:00:00.000Z",
				total: 1,
				thumbsUp: 1,
				thumbsDown: 0,
			});
			// 3 contacts before the window, c4 added on 11-20
			assert.deepStrictEqual([users?.value, users?.change, users?.period], [4, 1, "all time"]);
			assert.deepStrictEqual(
				users?.details.chart.data.map((point) => point.total),
				[3, 3, 4, 4, 4, 4, 4],
			);
			assert.deepStrictEqual([active?.value, active?.change], [3, 1]);
			assert.deepStrictEqual(
				active?.details.list?.map((item) => [item.id, item.name]),
				[
					["c1", "Ada"],
					["c2", "bo@x"],
					["c3", "cy"],
				],
			);
			// messages sent in the window per contact: c1 m1..m5 + m11 = 6, c2 m7..m9 = 3, c3 none
			assert.deepStrictEqual(
				messages?.details.list?.map((item) => [item.id, item.tags.find((tag) => tag.name === "messages")?.value]),
				[
					["c1", 6],
					["c2", 3],
				],
			);
			assert.deepStrictEqual(
				actions?.details.list?.map((item) => [item.id, item.tags.find((tag) => tag.name === "count")?.value]),
				[
					["search:lookup", 2],
					["unknown:unknown", 1],
				],
			);
			// previous cohort v4 (m10 m11) and v6 (m12): 3 user messages / 2 = 1.5
			assert.deepStrictEqual([avgUser?.value, avgUser?.change], [0.75, -0.75]);
		}),
	);

	it.effect("Comprehensive Analytics adds Total Tokens with top bots then top contacts", () =>
		Effect.gen(function* () {
			const output = yield* run(ReportIds.ComprehensiveAnalytics, week);
			assert.strictEqual(output.data.length, 14);
			const tokens = output.data[13];
			assert.deepStrictEqual([tokens?.title, tokens?.value, tokens?.change], ["Total Tokens", 94, 80]);
			// b1 77, b2 6 (m11); c1 57 + 6 = 63, c2 11
			assert.deepStrictEqual(
				tokens?.details.list?.map((item) => [
					item.tags.find((tag) => tag.name === "kind")?.value,
					item.id,
					item.tags.find((tag) => tag.name === "tokens")?.value,
				]),
				[
					["bot", "b1", 77],
					["bot", "b2", 6],
					["contact", "c1", 63],
					["contact", "c2", 11],
				],
			);
		}),
	);

	it.effect("another account sharing the ids sees only its own data", () =>
		Effect.gen(function* () {
			const stats = yield* run(ReportIds.BotStats, { ...week, botId: "b1" }, "other");
			assert.deepStrictEqual(
				[stats.totalConversations, stats.totalMessages, stats.totalTokens, stats.thumbsDown],
				[1, 1, 1000, 1],
			);
		}),
	);
});

const onlyABot = {
	...emptySnapshot,
	bots: [{ accountId: "acme", id: "b1", createdAt: new Date(NOW - 86_400_000), name: "Lonely" }],
};

layer(memoryRepositories(onlyABot))("empty data", (it) => {
	it.effect("every report answers with zeros, null change percentages and unknown sentiment", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(NOW);
			for (const report of reports) {
				if (report.id === ReportIds.DatasetRecords) continue;
				const output = yield* generateReport(report.id, { ...week, botId: "b1" }, { accountId: "acme" });
				const text = JSON.stringify(output);
				assert.notInclude(text, "NaN", report.name);
				assert.notInclude(text.replaceAll('"changePercent":null', ""), "null", report.name);
				const numbers = [...text.matchAll(/":(-?\d+(?:\.\d+)?)/g)].map((match) => Number(match[1]));
				assert.isTrue(
					numbers.every((value) => value === 0),
					`${report.name} should be all zeros: ${text.slice(0, 200)}`,
				);
				if (text.includes("sentimentSignal")) assert.include(text, '"sentimentSignal":"unknown"', report.name);
			}
			const standard = yield* generateReport(ReportIds.TotalMessages, week, { accountId: "acme" });
			assert.strictEqual(standard.changePercent, null);
			assert.strictEqual(standard.breakdown.length, 7);
			const quality = yield* generateReport(ReportIds.BotConversationQuality, { botId: "b1" }, { accountId: "acme" });
			assert.strictEqual(quality.abandonmentRate, 0);
			assert.strictEqual(quality.avgTokensPerMessage, 0);
		}),
	);
});
