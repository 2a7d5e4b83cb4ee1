import { assert, describe, it } from "@effect/vitest";
import { Effect, Exit } from "effect";
import { TestClock } from "effect/testing";
import { generateReport, type ReportId, reports } from "../src/index.ts";
import { memoryRepositories, randomSnapshot, referenceReport } from "../src/testing/index.ts";

/**
 * Every report program over the in-memory repositories must deep-equal the independent reference computation,
 * over random multi-account data, several timezones (DST, half- and quarter-hour offsets), instants next to DST
 * changes and a leap day, and every granularity. Alert titles and messages are prose checked by the alert-rule
 * tests; here alerts compare by type, severity and metric.
 */

const timezones = [
	"UTC",
	"Europe/Berlin",
	"America/New_York",
	"Asia/Kolkata",
	"Asia/Kathmandu",
	"Pacific/Marquesas",
	"Australia/Lord_Howe",
];
const instants = [
	Date.parse("2026-03-30T10:17:00Z"), // the day after the EU spring-forward
	Date.parse("2026-11-02T15:00:00Z"), // the day after the US fall-back
	Date.parse("2024-03-01T23:59:59Z"), // right after a leap day
];
const periodInputs: ReadonlyArray<Record<string, unknown>> = [
	{},
	{ periodDays: 1, granularity: "hour" },
	{ periodDays: 4, granularity: "hour" },
	{ periodDays: 45, granularity: "week" },
	{ periodDays: 60, granularity: "month" },
	{ startDate: "2026-03-20", endDate: "2026-04-02" },
	{ startDate: "2026-10-25", endDate: "2026-11-03", granularity: "hour" },
	{ startDate: "2024-02-01", endDate: "2024-03-05", granularity: "week" },
	{ startDate: "2026-03-28", endDate: "2026-04-06", granularity: "hour" },
];

const inputsFor = (id: ReportId, period: Record<string, unknown>): ReadonlyArray<Record<string, unknown>> => {
	const report = reports.find((entry) => entry.id === id);
	const shape = report?.input.shape as Record<string, unknown>;
	if ("datasetIds" in shape)
		return [{ datasetIds: ["dataset-0", "dataset-1", "dataset-9", "dataset-0"] }, { datasetIds: ["dataset-9"] }];
	if (!("periodDays" in shape)) return [{ userId: "ignored" }];
	const base =
		"botId" in shape
			? [
					{ ...period, botId: "bot-0" },
					{ ...period, botId: "bot-1" },
					{ ...period, botId: "bot-7" },
				]
			: [period];
	return "limit" in shape ? base.map((input, index) => (index === 0 ? { ...input, limit: 3 } : input)) : base;
};

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

describe("report programs equal the reference computation", () => {
	let seed = 0;
	for (const timezone of timezones) {
		for (const now of instants) {
			seed += 1;
			const caseSeed = seed;
			it.effect(
				`seed ${caseSeed} in ${timezone} at ${new Date(now).toISOString()}`,
				() =>
					Effect.gen(function* () {
						const snapshot = randomSnapshot({ seed: caseSeed, now, timezone, conversationsPerAccount: 80 });
						yield* TestClock.setTime(now);
						let compared = 0;
						for (const [periodIndex, period] of periodInputs.entries()) {
							// alternate the two accounts (they share ids) to keep the run short
							for (const accountId of [periodIndex % 2 === 0 ? "acct-0" : "acct-1"]) {
								for (const report of reports) {
									for (const input of inputsFor(report.id, period)) {
										const exit = yield* Effect.exit(
											generateReport(report.id, input, { accountId, timezone }).pipe(
												Effect.provide(memoryRepositories(snapshot)),
											),
										);
										const expected = referenceReport(snapshot, report.id, input, { accountId, now, timezone });
										const label = `${report.name} ${JSON.stringify(input)} for ${accountId}`;
										if (expected.ok) {
											assert.isTrue(
												Exit.isSuccess(exit),
												`${label} failed: ${String(Exit.isFailure(exit) ? exit.cause : "")}`,
											);
											if (Exit.isSuccess(exit)) {
												assert.deepStrictEqual(plain(exit.value), plain(expected.value), label);
												assert.isTrue(
													report.output.safeParse(exit.value).success,
													`${label} matches its output schema`,
												);
											}
										} else {
											assert.isTrue(Exit.isFailure(exit), `${label} should fail with ${expected.tag}`);
											if (Exit.isFailure(exit)) assert.include(String(exit.cause), expected.tag, label);
										}
										compared += 1;
									}
								}
							}
						}
						assert.isAbove(compared, 200);
					}),
				120_000,
			);
		}
	}
});

describe("the random data reaches the rules' edges", () => {
	it("gives some conversations 10, 11 and 12–20 user messages (the medium and long depth buckets' edge)", () => {
		const depths = new Set<number>();
		let seed = 0;
		for (const timezone of timezones) {
			for (const now of instants) {
				seed += 1;
				const snapshot = randomSnapshot({ seed, now, timezone, conversationsPerAccount: 80 });
				const userMessages = new Map<string, number>();
				for (const message of snapshot.messages) {
					if (message.type !== "user") continue;
					const key = `${message.accountId}/${message.conversationId}`;
					userMessages.set(key, (userMessages.get(key) ?? 0) + 1);
				}
				for (const count of userMessages.values()) depths.add(count);
			}
		}
		assert.isTrue(depths.has(10) && depths.has(11), `depths seen: ${[...depths].sort((a, b) => a - b)}`);
		assert.isTrue(
			[...depths].some((depth) => depth >= 12 && depth <= 20),
			`depths seen: ${[...depths].sort((a, b) => a - b)}`,
		);
	});
});
