import { assert, describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { generateReport, type PeriodInput, ReportIds, resolvePeriod } from "../src/index.ts";
import { memoryRepositories } from "../src/testing/index.ts";
import { fixture } from "./fixture.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const period = (input: Partial<PeriodInput>): PeriodInput => ({ periodDays: 30, granularity: "day", ...input });

describe("current and previous windows", () => {
	it.effect("spans the last N calendar days including today, in the timezone", () =>
		Effect.gen(function* () {
			// 2026-11-24T01:30 in Berlin is still 2026-11-24 01:30 local; in New York it is 2026-11-23 20:30.
			const now = at("2026-11-24T00:30:00Z");
			const berlin = yield* resolvePeriod(period({ periodDays: 7 }), "Europe/Berlin", now);
			assert.strictEqual(iso(berlin.current.start), "2026-11-17T23:00:00.000Z");
			assert.strictEqual(iso(berlin.current.end), "2026-11-24T23:00:00.000Z");
			assert.strictEqual(iso(berlin.previous.start), "2026-11-10T23:00:00.000Z");
			assert.strictEqual(berlin.previous.end, berlin.current.start);
			assert.strictEqual(berlin.label, "last 7 days");
			const newYork = yield* resolvePeriod(period({ periodDays: 7 }), "America/New_York", now);
			assert.strictEqual(iso(newYork.current.start), "2026-11-17T05:00:00.000Z");
			assert.strictEqual(iso(newYork.current.end), "2026-11-24T05:00:00.000Z");
			assert.strictEqual(newYork.lastDate, "2026-11-23");
		}),
	);

	it.effect("a period is kept by input and local day: reused within the day, resolved again after midnight", () =>
		Effect.gen(function* () {
			const input = period({ periodDays: 7 });
			// 22:30 and 22:50 UTC are the same Berlin day (23:30, 23:50); 23:10 UTC is already the next one.
			const first = yield* resolvePeriod(input, "Europe/Berlin", at("2026-11-24T22:30:00Z"));
			const again = yield* resolvePeriod({ ...input }, "Europe/Berlin", at("2026-11-24T22:50:00Z"));
			assert.strictEqual(again, first);
			assert.isTrue(Object.isFrozen(first.buckets) && Object.isFrozen(first.buckets[0]) && Object.isFrozen(first));
			const next = yield* resolvePeriod(input, "Europe/Berlin", at("2026-11-24T23:10:00Z"));
			assert.strictEqual(next.lastDate, "2026-11-25");
			assert.strictEqual(iso(next.current.end), "2026-11-25T23:00:00.000Z");
			// The same day in another zone, another granularity or explicit dates are other periods.
			const utc = yield* resolvePeriod(input, "UTC", at("2026-11-24T22:30:00Z"));
			assert.strictEqual(iso(utc.current.end), "2026-11-25T00:00:00.000Z");
			const weekly = yield* resolvePeriod(
				{ ...input, granularity: "week" },
				"Europe/Berlin",
				at("2026-11-24T22:30:00Z"),
			);
			assert.notStrictEqual(weekly.buckets.length, first.buckets.length);
			const explicit = yield* resolvePeriod(
				{ ...input, startDate: "2026-11-18", endDate: "2026-11-24" },
				"Europe/Berlin",
				at("2030-01-01T00:00:00Z"),
			);
			assert.strictEqual(explicit.current.start, first.current.start);
			assert.strictEqual(explicit.label, "2026-11-18 to 2026-11-24");
			// Failures are not kept: the same bad input fails every time.
			for (let attempt = 0; attempt < 2; attempt++) {
				const failure = yield* Effect.flip(
					resolvePeriod({ ...input, periodDays: 0 }, "UTC", at("2026-11-24T00:00:00Z")),
				);
				assert.strictEqual(failure.field, "periodDays");
			}
		}),
	);

	it.effect("periodDays 1 is today only and is labelled in the singular", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(period({ periodDays: 1 }), "UTC", at("2026-11-24T23:59:59.999Z"));
			assert.strictEqual(resolved.label, "last 1 day");
			assert.deepStrictEqual(
				resolved.buckets.map((bucket) => bucket.label),
				["2026-11-24"],
			);
			assert.strictEqual(iso(resolved.previous.start), "2026-11-23T00:00:00.000Z");
		}),
	);

	it.effect("periodDays 365 yields 365 daily buckets and a previous window of 365 days", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(period({ periodDays: 365 }), "UTC", at("2026-11-24T12:00:00Z"));
			assert.strictEqual(resolved.buckets.length, 365);
			assert.strictEqual(resolved.buckets[0]?.label, "2025-11-25");
			assert.strictEqual(iso(resolved.previous.start), "2024-11-25T00:00:00.000Z");
		}),
	);

	it.effect("explicit dates are inclusive; the previous window has as many calendar days and a leap day counts", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(
				period({ startDate: "2024-02-28", endDate: "2024-03-01" }),
				"UTC",
				at("2026-01-01T00:00:00Z"),
			);
			assert.strictEqual(resolved.label, "2024-02-28 to 2024-03-01");
			assert.deepStrictEqual(
				resolved.buckets.map((bucket) => bucket.label),
				["2024-02-28", "2024-02-29", "2024-03-01"],
			);
			assert.strictEqual(iso(resolved.current.end), "2024-03-02T00:00:00.000Z");
			assert.strictEqual(iso(resolved.previous.start), "2024-02-25T00:00:00.000Z");
		}),
	);

	it.effect("a DST day is one day of 23 or 25 hours", () =>
		Effect.gen(function* () {
			const spring = yield* resolvePeriod(
				period({ startDate: "2026-03-29", endDate: "2026-03-29" }),
				"Europe/Berlin",
				at("2026-04-01T00:00:00Z"),
			);
			assert.strictEqual(spring.current.end - spring.current.start, 23 * 3_600_000);
			assert.strictEqual(spring.previous.end - spring.previous.start, 24 * 3_600_000);
			const autumn = yield* resolvePeriod(
				period({ startDate: "2026-11-01", endDate: "2026-11-01" }),
				"America/New_York",
				at("2026-12-01T00:00:00Z"),
			);
			assert.strictEqual(iso(autumn.current.start), "2026-11-01T04:00:00.000Z");
			assert.strictEqual(autumn.current.end - autumn.current.start, 25 * 3_600_000);
			const newYorkSpring = yield* resolvePeriod(
				period({ startDate: "2026-03-07", endDate: "2026-03-08" }),
				"America/New_York",
				at("2026-04-01T00:00:00Z"),
			);
			assert.deepStrictEqual(
				newYorkSpring.buckets.map((bucket) => iso(bucket.start)),
				["2026-03-07T05:00:00.000Z", "2026-03-08T05:00:00.000Z"],
			);
			assert.strictEqual(iso(newYorkSpring.current.end), "2026-03-09T04:00:00.000Z");
		}),
	);

	it.effect("half-hour, quarter-hour and negative half-hour offsets start the day at local midnight", () =>
		Effect.gen(function* () {
			const now = at("2026-05-10T20:00:00Z");
			const kolkata = yield* resolvePeriod(period({ periodDays: 1 }), "Asia/Kolkata", now);
			assert.strictEqual(kolkata.lastDate, "2026-05-11");
			assert.strictEqual(iso(kolkata.current.start), "2026-05-10T18:30:00.000Z");
			const kathmandu = yield* resolvePeriod(period({ periodDays: 1 }), "Asia/Kathmandu", now);
			assert.strictEqual(iso(kathmandu.current.start), "2026-05-10T18:15:00.000Z");
			const marquesas = yield* resolvePeriod(
				period({ periodDays: 1 }),
				"Pacific/Marquesas",
				at("2026-05-10T05:00:00Z"),
			);
			assert.strictEqual(marquesas.lastDate, "2026-05-09");
			assert.strictEqual(iso(marquesas.current.start), "2026-05-09T09:30:00.000Z");
			assert.strictEqual(iso(marquesas.current.end), "2026-05-10T09:30:00.000Z");
		}),
	);
});

describe("buckets", () => {
	it.effect("hour buckets skip the missing spring hour and label each hour with its own offset", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(
				period({ startDate: "2026-03-29", endDate: "2026-03-29", granularity: "hour" }),
				"Europe/Berlin",
				at("2026-04-01T00:00:00Z"),
			);
			const labels = resolved.buckets.map((bucket) => bucket.label);
			assert.strictEqual(labels.length, 23);
			assert.deepStrictEqual(labels.slice(0, 4), [
				"2026-03-29T00:00+01:00",
				"2026-03-29T01:00+01:00",
				"2026-03-29T03:00+02:00",
				"2026-03-29T04:00+02:00",
			]);
			assert.strictEqual(labels[22], "2026-03-29T23:00+02:00");
		}),
	);

	it.effect("hour buckets repeat the autumn hour under both offsets", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(
				period({ startDate: "2026-10-25", endDate: "2026-10-25", granularity: "hour" }),
				"Europe/Berlin",
				at("2026-11-01T00:00:00Z"),
			);
			const labels = resolved.buckets.map((bucket) => bucket.label);
			assert.strictEqual(labels.length, 25);
			assert.deepStrictEqual(labels.slice(1, 5), [
				"2026-10-25T01:00+02:00",
				"2026-10-25T02:00+02:00",
				"2026-10-25T02:00+01:00",
				"2026-10-25T03:00+01:00",
			]);
			assert.strictEqual(resolved.buckets[3]?.start, at("2026-10-25T01:00:00Z"));
		}),
	);

	it.effect("hour buckets in +05:45 start at a quarter past the UTC hour", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(
				period({ periodDays: 1, granularity: "hour" }),
				"Asia/Kathmandu",
				at("2026-05-10T20:00:00Z"),
			);
			assert.strictEqual(resolved.buckets.length, 24);
			assert.strictEqual(resolved.buckets[1]?.label, "2026-05-11T01:00+05:45");
			assert.strictEqual(iso(resolved.buckets[1]?.start ?? 0), "2026-05-10T19:15:00.000Z");
		}),
	);

	it.effect("a 30-minute DST shift starts a bucket at the transition (Australia/Lord_Howe)", () =>
		Effect.gen(function* () {
			const spring = yield* resolvePeriod(
				period({ startDate: "2026-10-04", endDate: "2026-10-04", granularity: "hour" }),
				"Australia/Lord_Howe",
				at("2026-10-10T00:00:00Z"),
			);
			assert.deepStrictEqual(
				spring.buckets.slice(1, 4).map((bucket) => [bucket.label, iso(bucket.start)]),
				[
					["2026-10-04T01:00+10:30", "2026-10-03T14:30:00.000Z"],
					["2026-10-04T02:00+11:00", "2026-10-03T15:30:00.000Z"],
					["2026-10-04T03:00+11:00", "2026-10-03T16:00:00.000Z"],
				],
			);
			assert.strictEqual(spring.current.end - spring.current.start, 23.5 * 3_600_000);
			const autumn = yield* resolvePeriod(
				period({ startDate: "2026-04-05", endDate: "2026-04-05", granularity: "hour" }),
				"Australia/Lord_Howe",
				at("2026-04-10T00:00:00Z"),
			);
			assert.deepStrictEqual(
				autumn.buckets.slice(1, 4).map((bucket) => bucket.label),
				["2026-04-05T01:00+11:00", "2026-04-05T01:00+10:30", "2026-04-05T02:00+10:30"],
			);
		}),
	);

	it.effect("week buckets start on Mondays, the first one clipped to the window start", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(
				period({ startDate: "2026-11-05", endDate: "2026-11-24", granularity: "week" }),
				"UTC",
				at("2026-11-24T12:00:00Z"),
			);
			assert.deepStrictEqual(
				resolved.buckets.map((bucket) => bucket.label),
				["2026-11-05", "2026-11-09", "2026-11-16", "2026-11-23"],
			);
		}),
	);

	it.effect("month buckets start on the first of each month, the first one clipped to the window start", () =>
		Effect.gen(function* () {
			const resolved = yield* resolvePeriod(
				period({ startDate: "2026-09-15", endDate: "2026-11-24", granularity: "month" }),
				"America/New_York",
				at("2026-11-24T12:00:00Z"),
			);
			assert.deepStrictEqual(
				resolved.buckets.map((bucket) => bucket.label),
				["2026-09-15", "2026-10-01", "2026-11-01"],
			);
			assert.strictEqual(iso(resolved.buckets[2]?.start ?? 0), "2026-11-01T04:00:00.000Z");
		}),
	);

	it.effect("at most 2000 buckets", () =>
		Effect.gen(function* () {
			const ok = yield* resolvePeriod(
				period({ periodDays: 83, granularity: "hour" }),
				"UTC",
				at("2026-11-24T12:00:00Z"),
			);
			assert.strictEqual(ok.buckets.length, 83 * 24);
			const error = yield* Effect.flip(
				resolvePeriod(period({ periodDays: 84, granularity: "hour" }), "UTC", at("2026-11-24T12:00:00Z")),
			);
			assert.strictEqual(error.field, "granularity");
			assert.include(error.message, "2000");
		}),
	);
});

describe("events on boundaries belong to the later bucket", () => {
	it.effect(
		"a conversation at every bucket start of a DST week lands in that bucket; one at the window end does not count",
		() =>
			Effect.gen(function* () {
				const now = at("2026-03-31T12:00:00Z");
				const resolved = yield* resolvePeriod(period({ periodDays: 7, granularity: "hour" }), "Europe/Berlin", now);
				const starts = resolved.buckets.map((bucket) => bucket.start);
				const snapshot = fixture.withConversationsAt("acme", [
					resolved.previous.start,
					...starts,
					resolved.current.end,
					resolved.current.start - 1,
				]);
				yield* TestClock.setTime(now);
				const output = yield* generateReport(
					ReportIds.TotalConversations,
					{ periodDays: 7, granularity: "hour", timezone: "Europe/Berlin" },
					{ accountId: "acme" },
				).pipe(Effect.provide(memoryRepositories(snapshot)));
				assert.strictEqual(output.breakdown.length, 7 * 24 - 1);
				assert.isTrue(output.breakdown.every((entry) => entry.total === 1));
				assert.strictEqual(output.value, 7 * 24 - 1);
				// previous.start and current.start − 1 ms both fall in the previous window
				assert.strictEqual(output.previous, 2);
				const daily = yield* generateReport(
					ReportIds.TotalConversations,
					{ periodDays: 7, timezone: "Europe/Berlin" },
					{ accountId: "acme" },
				).pipe(Effect.provide(memoryRepositories(snapshot)));
				assert.deepStrictEqual(
					daily.breakdown.map((entry) => entry.total),
					[24, 24, 24, 24, 23, 24, 24],
				);
				assert.deepStrictEqual(
					daily.breakdown.map((entry) => entry.date),
					["2026-03-25", "2026-03-26", "2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"],
				);
			}),
	);
});

describe("invalid period inputs name the field and the bound", () => {
	const run = (input: Record<string, unknown>, timezone?: string) =>
		generateReport(ReportIds.TotalMessages, input, { accountId: "acme", timezone }).pipe(
			Effect.provide(memoryRepositories(fixture.snapshot)),
			Effect.flip,
		);

	it.effect("an unknown timezone", () =>
		Effect.gen(function* () {
			const fromInput = yield* run({ timezone: "Mars/Olympus_Mons" });
			assert.strictEqual(fromInput._tag, "InvalidInput");
			assert.strictEqual(fromInput._tag === "InvalidInput" ? fromInput.field : "", "timezone");
			const fromHeader = yield* run({}, "Not/AZone");
			assert.strictEqual(fromHeader._tag === "InvalidInput" ? fromHeader.field : "", "timezone");
			const offset = yield* run({ timezone: "+05:30" });
			assert.strictEqual(offset._tag === "InvalidInput" ? offset.field : "", "timezone");
		}),
	);

	it.effect("dates that do not exist, reversed dates, too long spans and half-given ranges", () =>
		Effect.gen(function* () {
			const cases: ReadonlyArray<[Record<string, unknown>, string, string]> = [
				[{ startDate: "2025-02-30", endDate: "2025-03-02" }, "startDate", "2025-02-30"],
				[{ startDate: "2025-02-01", endDate: "2025-13-01" }, "endDate", "2025-13-01"],
				[{ startDate: "2025-03-02", endDate: "2025-03-01" }, "endDate", "before"],
				[{ startDate: "2024-01-01", endDate: "2025-01-01" }, "endDate", "366"],
				[{ startDate: "2025-01-01" }, "endDate", "required"],
				[{ endDate: "2025-01-01" }, "startDate", "required"],
				[{ startDate: "1/2/2025", endDate: "2025-01-03" }, "startDate", "YYYY-MM-DD"],
				[{ periodDays: 0 }, "periodDays", "at least 1"],
				[{ periodDays: 366 }, "periodDays", "at most 365"],
				[{ periodDays: 1e308 }, "periodDays", "at most 365"],
				[{ periodDays: 7, startDate: "2025-01-01", endDate: "2025-01-03" }, "periodDays", "startDate/endDate"],
				[{ periodDays: 7, endDate: "2025-01-03" }, "periodDays", "cannot be combined"],
				[{ periodDays: 2.5 }, "periodDays", "integer"],
				[{ periodDays: "7" }, "periodDays", "number"],
				[{ granularity: "minute" }, "granularity", '"hour"'],
			];
			for (const [input, field, fragment] of cases) {
				const error = yield* run(input);
				assert.strictEqual(error._tag, "InvalidInput", JSON.stringify(input));
				if (error._tag === "InvalidInput") {
					assert.strictEqual(error.field, field, JSON.stringify(input));
					assert.include(error.message, fragment, JSON.stringify(input));
				}
			}
			const leapOk = yield* resolvePeriod(
				period({ startDate: "2024-01-01", endDate: "2024-12-31" }),
				"UTC",
				at("2025-01-01T00:00:00Z"),
			);
			assert.strictEqual(leapOk.days, 366);
		}),
	);
});

describe("the X-Timezone default", () => {
	it.effect("applies when the input has no timezone, and the input's own timezone wins", () =>
		Effect.gen(function* () {
			yield* TestClock.setTime(at("2026-11-24T00:30:00Z"));
			const snapshot = fixture.withConversationsAt("acme", [at("2026-11-23T23:30:00Z")]);
			const provide = Effect.provide(memoryRepositories(snapshot));
			// 23:30 UTC on the 23rd is the 24th in Berlin
			const berlin = yield* generateReport(
				ReportIds.TotalConversations,
				{ periodDays: 1 },
				{ accountId: "acme", timezone: "Europe/Berlin" },
			).pipe(provide);
			assert.strictEqual(berlin.value, 1);
			const utc = yield* generateReport(
				ReportIds.TotalConversations,
				{ periodDays: 1, timezone: "UTC" },
				{ accountId: "acme", timezone: "Europe/Berlin" },
			).pipe(provide);
			assert.deepStrictEqual([utc.value, utc.previous], [0, 1]);
			const noHeader = yield* generateReport(
				ReportIds.TotalConversations,
				{ periodDays: 1 },
				{ accountId: "acme" },
			).pipe(provide);
			assert.strictEqual(noHeader.breakdown[0]?.date, "2026-11-24");
			assert.strictEqual(noHeader.value, 0);
			// a report without a period does not care about the header
			const contacts = yield* generateReport(
				ReportIds.TotalContacts,
				{},
				{ accountId: "acme", timezone: "Nope/Nope" },
			).pipe(provide);
			assert.strictEqual(contacts.value, 0);
		}),
	);
});
