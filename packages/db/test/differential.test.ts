import {
	AccountRepository,
	ActivityRepository,
	type DataSnapshot,
	generateReport,
	type ReportId,
	ReportIds,
	reports,
	runErase,
	runIngest,
} from "@convolens/core";
import { seededRandom } from "@convolens/core/random";
import { emptySnapshot, memoryQueries, randomSnapshot, referenceReport } from "@convolens/core/testing";
import { assert, layer } from "@effect/vitest";
import { Effect, Exit } from "effect";
import { TestClock } from "effect/testing";
import { testDatabaseLayer } from "../src/testing/index.ts";
import { bodyOf, eraseFromSnapshot, load, referentiallyValid, renameAccounts } from "./snapshots.ts";

/**
 * Every report, run by the real report programs over the PostgreSQL layers, must deep-equal the independent
 * reference computation of `@convolens/core/testing` over the same random data — loaded through the ingest path —
 * under a fixed clock, in several timezones (half- and quarter-hour offsets, DST) and period shapes. Then again after
 * erasing contacts, conversations, a bot and single messages and ratings (the reference snapshot gets the same
 * cascade), and after late inserts backdated into past windows.
 */

const cases = [
	{ seed: 11, timezone: "UTC", now: Date.parse("2026-03-30T10:17:00Z") },
	{ seed: 12, timezone: "Asia/Kolkata", now: Date.parse("2026-05-14T20:45:00Z") },
	{ seed: 13, timezone: "Asia/Kathmandu", now: Date.parse("2026-01-05T18:20:00Z") },
	{ seed: 14, timezone: "America/New_York", now: Date.parse("2026-11-02T15:00:00Z") },
	{ seed: 15, timezone: "America/New_York", now: Date.parse("2026-03-09T03:30:00Z") },
];

const periodInputs = (now: number): ReadonlyArray<Record<string, unknown>> => {
	const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
	return [
		{},
		{ periodDays: 1, granularity: "hour" },
		{ periodDays: 7 },
		{ periodDays: 45, granularity: "week" },
		{ periodDays: 60, granularity: "month" },
		{ startDate: day(-20), endDate: day(-3) },
	];
};

const inputsFor = (id: ReportId, period: Record<string, unknown>): ReadonlyArray<Record<string, unknown>> => {
	const report = reports.find((entry) => entry.id === id);
	const shape = report?.input.shape as Record<string, unknown>;
	if ("datasetIds" in shape) return [{ datasetIds: ["dataset-0", "dataset-1", "dataset-9", "dataset-0"] }];
	if (!("periodDays" in shape)) return [{ userId: "ignored" }];
	const base =
		"botId" in shape
			? [
					{ ...period, botId: "bot-0" },
					{ ...period, botId: "bot-7" },
				]
			: [period];
	return "limit" in shape ? base.map((input, index) => (index === 0 ? { ...input, limit: 3 } : input)) : base;
};

/** Alert titles and messages are prose, checked by the core's alert tests; compare type, severity and metric. */
const stripProse = (value: unknown): unknown => {
	if (value !== null && typeof value === "object" && "alerts" in value && Array.isArray(value.alerts)) {
		return {
			...value,
			alerts: value.alerts.map(({ title: _title, message: _message, ...rest }: Record<string, unknown>) => rest),
		};
	}
	return value;
};
const plain = (value: unknown) => JSON.parse(JSON.stringify(stripProse(value)));

const compareAll = (snapshot: DataSnapshot, accountIds: ReadonlyArray<string>, timezone: string, now: number) =>
	Effect.gen(function* () {
		let compared = 0;
		for (const accountId of accountIds) {
			for (const period of periodInputs(now)) {
				for (const report of reports) {
					for (const input of inputsFor(report.id, period)) {
						const exit = yield* Effect.exit(generateReport(report.id, input, { accountId, timezone }));
						const label = `${report.name} ${JSON.stringify(input)} for ${accountId} in ${timezone}`;
						const expected = referenceReport(snapshot, report.id, input, { accountId, now, timezone });
						if (expected.ok) {
							assert.isTrue(Exit.isSuccess(exit), `${label} failed: ${Exit.isFailure(exit) ? String(exit.cause) : ""}`);
							if (Exit.isSuccess(exit)) assert.deepStrictEqual(plain(exit.value), plain(expected.value), label);
						} else {
							assert.isTrue(Exit.isFailure(exit), `${label} should fail with ${expected.tag}`);
							if (Exit.isFailure(exit)) assert.include(String(exit.cause), expected.tag, label);
						}
						compared += 1;
					}
				}
			}
		}
		return compared;
	});

/**
 * Both ways of keeping the rollups (see `src/maintenance.ts`): the database's triggers, and the writers' own
 * statements on a database without them (as on Citus).
 */
for (const maintenance of ["triggers", "statements"] as const)
	layer(testDatabaseLayer({ maintenance }), { timeout: "120 seconds" })(
		`PostgreSQL reports equal the reference computation (maintenance by ${maintenance})`,
		(it) => {
			for (const { seed, timezone, now } of cases) {
				it.effect(
					`seed ${seed} in ${timezone} at ${new Date(now).toISOString()}, after deletes and after late inserts`,
					() =>
						Effect.gen(function* () {
							const prefix = `s${seed}`;
							let snapshot = referentiallyValid(
								renameAccounts(randomSnapshot({ seed, now, timezone, conversationsPerAccount: 60 }), prefix),
							);
							const main = `${prefix}-acct-0`;
							yield* TestClock.setTime(now);
							yield* load(snapshot);
							const first = yield* compareAll(snapshot, [main, `${prefix}-acct-1`], timezone, now);
							assert.isAbove(first, 100);

							// Erase a few contacts, conversations, a bot, messages and ratings of the main account.
							const random = seededRandom(seed * 7919);
							const pick = (rows: ReadonlyArray<{ accountId: string; id: string }>, n: number) => {
								const ids = rows.filter((row) => row.accountId === main).map((row) => row.id);
								return Array.from({ length: Math.min(n, ids.length) }, () => random.pick(ids));
							};
							const request = {
								contacts: pick(snapshot.contacts, 2),
								bots: pick(snapshot.bots, 1).filter((id) => id !== "bot-0"),
								conversations: pick(snapshot.conversations, 4),
								messages: pick(snapshot.messages, 6),
								ratings: pick(snapshot.ratings, 3),
							};
							yield* runErase(main, request);
							snapshot = eraseFromSnapshot(snapshot, main, request);
							yield* compareAll(snapshot, [main], timezone, now);

							// Late data: rows that arrive now but belong to past windows.
							const day = 86_400_000;
							const late: DataSnapshot = {
								...snapshot,
								contacts: [
									{
										accountId: main,
										id: "late-contact",
										createdAt: new Date(now - 40 * day),
										name: "Late",
										email: null,
										nick: null,
									},
								],
								bots: [],
								conversations: [
									{
										accountId: main,
										id: "late-conv-1",
										createdAt: new Date(now - 3 * day),
										botId: "bot-0",
										contactId: "late-contact",
									},
									{
										accountId: main,
										id: "late-conv-2",
										createdAt: new Date(now - 35 * day),
										botId: null,
										contactId: "late-contact",
									},
								],
								messages: [
									{
										accountId: main,
										id: "late-msg-1",
										createdAt: new Date(now - 3 * day + 60_000),
										conversationId: "late-conv-1",
										type: "user",
										tokens: 17,
										actionType: null,
										actionName: null,
									},
									{
										accountId: main,
										id: "late-msg-2",
										createdAt: new Date(now - 2 * day),
										conversationId: "late-conv-1",
										type: "activity",
										tokens: 0,
										actionType: "search",
										actionName: "lookup",
									},
									{
										accountId: main,
										id: "late-msg-3",
										createdAt: new Date(now - 35 * day),
										conversationId: "late-conv-2",
										type: "bot",
										tokens: 250,
										actionType: null,
										actionName: null,
									},
								],
								ratings: [
									{
										accountId: main,
										id: "late-rating",
										createdAt: new Date(now - 2 * day),
										value: -40,
										reason: "slow",
										botId: "bot-0",
										conversationId: "late-conv-1",
										messageId: "late-msg-1",
										contactId: "late-contact",
									},
								],
								datasets: [],
								records: [],
								skillsets: [],
								abilities: [],
								files: [],
							};
							const result = yield* runIngest(main, bodyOf(late, main));
							assert.deepStrictEqual(result.errors, []);
							assert.strictEqual(result.inserted.messages, 3);
							snapshot = {
								...snapshot,
								contacts: [...snapshot.contacts, ...late.contacts],
								conversations: [...snapshot.conversations, ...late.conversations],
								messages: [...snapshot.messages, ...late.messages],
								ratings: [...snapshot.ratings, ...late.ratings],
							};
							yield* compareAll(snapshot, [main], timezone, now);
						}),
					180_000,
				);
			}
		},
	);

layer(testDatabaseLayer(), { timeout: "120 seconds" })("PostgreSQL repositories equal the in-memory ones", (it) => {
	it.effect("Total Users of a window before 1970 counts the contacts created before it (and those after)", () =>
		Effect.gen(function* () {
			const now = Date.parse("2026-07-01T09:30:00Z");
			const contact = (id: string, iso: string) => ({
				accountId: "old-acct",
				id,
				createdAt: new Date(iso),
				name: id,
				email: null,
				nick: null,
			});
			const snapshot: DataSnapshot = {
				...emptySnapshot,
				accounts: [{ ...randomSnapshot({ seed: 1, now, timezone: "UTC" }).accounts[0]!, id: "old-acct" }],
				contacts: [
					contact("before", "1960-06-01T00:00:00Z"),
					contact("inside", "1965-01-02T12:00:00Z"),
					contact("after", "2026-01-01T00:00:00Z"),
				],
			};
			yield* TestClock.setTime(now);
			yield* load(snapshot);
			const input = { startDate: "1965-01-01", endDate: "1965-01-03" };
			const output = yield* generateReport(ReportIds.ComprehensiveOverview, input, { accountId: "old-acct" });
			const users = output.data.find((entry) => entry.title === "Total Users");
			assert.deepStrictEqual([users?.value, users?.change], [3, 1]);
			assert.deepStrictEqual(
				users?.details.chart.data.map((point) => point.total),
				[1, 2, 2],
			);
			const expected = referenceReport(snapshot, ReportIds.ComprehensiveOverview, input, {
				accountId: "old-acct",
				now,
			});
			assert.isTrue(expected.ok);
			if (expected.ok) assert.deepStrictEqual(plain(output), plain(expected.value));
		}),
	);

	it.effect("over random, uneven slice boundaries, many of them exactly on event instants", () =>
		Effect.gen(function* () {
			const now = Date.parse("2026-07-01T09:30:00Z");
			const snapshot = referentiallyValid(
				renameAccounts(randomSnapshot({ seed: 99, now, timezone: "Asia/Kathmandu", conversationsPerAccount: 80 }), "r"),
			);
			yield* load(snapshot);
			const memory = memoryQueries(snapshot);
			const activity = yield* ActivityRepository;
			const accounts = yield* AccountRepository;
			const random = seededRandom(4242);
			const instants = [...snapshot.conversations, ...snapshot.messages, ...snapshot.ratings, ...snapshot.contacts].map(
				(row) => row.createdAt.getTime(),
			);
			for (let round = 0; round < 25; round++) {
				const points = new Set<number>();
				const count = random.int(2, 40);
				while (points.size < count) {
					points.add(
						random.chance(0.6)
							? random.pick(instants) + random.pick([0, 0, 1, -1])
							: now - random.int(0, 80 * 86_400_000),
					);
				}
				const boundaries = [...points].sort((a, b) => a - b);
				const range = { start: boundaries[0]!, end: boundaries[boundaries.length - 1]! };
				for (const accountId of ["r-acct-0", "r-acct-2"]) {
					for (const scope of [{ accountId }, { accountId, botId: "bot-0" }, { accountId, botId: "bot-1" }]) {
						const label = `round ${round} ${JSON.stringify(scope)}`;
						assert.deepStrictEqual(
							yield* activity.countsBySlice(scope, boundaries),
							memory.countsBySlice(scope, boundaries),
							label,
						);
						assert.deepStrictEqual(
							yield* activity.activeContacts(scope, boundaries),
							memory.activeContacts(scope, boundaries),
							label,
						);
						assert.deepStrictEqual(
							yield* activity.conversationCohorts(scope, boundaries),
							memory.conversationCohorts(scope, boundaries),
							label,
						);
						assert.deepStrictEqual(
							yield* activity.topActions(scope, range, 5),
							memory.topActions(scope, range, 5),
							label,
						);
						assert.deepStrictEqual(
							plain(yield* activity.ratings(scope, range, "negative", 7)),
							plain(memory.ratings(scope, range, "negative", 7)),
							label,
						);
					}
					for (const by of ["conversations", "messages", "tokens"] as const) {
						assert.deepStrictEqual(
							plain(yield* activity.topContacts(accountId, range, by, 5)),
							plain(memory.topContacts(accountId, range, by, 5)),
						);
						assert.deepStrictEqual(
							plain(yield* activity.topBots(accountId, range, by, 3)),
							plain(memory.topBots(accountId, range, by, 3)),
						);
					}
					assert.deepStrictEqual(
						yield* accounts.contactsCreated(accountId, boundaries),
						memory.contactsCreated(accountId, boundaries),
					);
				}
			}
			for (const accountId of ["r-acct-0", "r-acct-1", "r-acct-2"]) {
				assert.deepStrictEqual(yield* accounts.usage(accountId), memory.usage(accountId));
				assert.strictEqual(yield* accounts.totalContacts(accountId), memory.totalContacts(accountId));
				const ids = ["dataset-0", "dataset-1", "dataset-3", "dataset-9"];
				assert.deepStrictEqual(
					[...(yield* accounts.datasetRecordCounts(accountId, ids)).entries()].sort(),
					[...memory.datasetRecordCounts(accountId, ids).entries()].sort(),
				);
			}
		}),
	);
});
