/**
 * Compile-time behaviour of the client, checked by `tsc` in `pnpm typecheck` (each `@ts-expect-error` fails the
 * build when the line it guards compiles).
 */
import { describe, expectTypeOf, it } from "vitest";
import {
	type BotPerformanceOutput,
	BotStats,
	type BotStatsOutput,
	type ComprehensiveOverviewOutput,
	type ConvolensClient,
	ConvolensError,
	DatasetRecords,
	type DatasetRecordsOutput,
	type ErrorCode,
	type ReportFailure,
	type ReportId,
	ReportIds,
	type ReportInput,
	type ReportOutput,
	type TotalContactsOutput,
	TotalRatings,
	type TotalRatingsInput,
	type TotalRatingsOutput,
} from "../src/index.ts";

declare const client: ConvolensClient;

describe("CSV export", () => {
	it("takes the report's own input and answers text", () => {
		expectTypeOf(client.exportCsv(TotalRatings.id)).resolves.toEqualTypeOf<string>();
		void client.exportCsv(BotStats.id, { botId: "b1" });
		// @ts-expect-error Bot Stats needs a botId
		void client.exportCsv(BotStats.id);
		// @ts-expect-error an unknown report ID
		void client.exportCsv("no-such-report");
	});
});

describe("report methods", () => {
	it("type every breakdown bucket with its label and its half-open span", () => {
		expectTypeOf<TotalRatingsOutput["breakdown"][number]>().toEqualTypeOf<{
			date: string;
			start: string;
			end: string;
			total: number;
		}>();
		expectTypeOf<BotPerformanceOutput["ratings"]["breakdown"][number]>().toEqualTypeOf<{
			date: string;
			start: string;
			end: string;
			total: number;
			thumbsUp: number;
			thumbsDown: number;
		}>();
		expectTypeOf<ComprehensiveOverviewOutput["data"][number]["details"]["chart"]["data"][number]>().toMatchTypeOf<{
			date: string;
			start: string;
			end: string;
			total: number;
		}>();
	});

	it("type each method by its report", () => {
		expectTypeOf(client.totalRatings).parameter(0).toEqualTypeOf<TotalRatingsInput | undefined>();
		expectTypeOf(client.totalRatings).returns.resolves.toEqualTypeOf<TotalRatingsOutput>();
		expectTypeOf(client.botStats).returns.resolves.toEqualTypeOf<BotStatsOutput>();
		expectTypeOf(client.totalContacts).returns.resolves.toEqualTypeOf<TotalContactsOutput>();
		expectTypeOf<TotalRatingsOutput["thumbsUp"]>().toEqualTypeOf<number>();
		expectTypeOf<TotalRatingsOutput["changePercent"]>().toEqualTypeOf<number | null>();
		expectTypeOf<BotStatsOutput["sentimentSignal"]>().toEqualTypeOf<"positive" | "negative" | "neutral" | "unknown">();
	});

	it("make the input optional only when every field is", () => {
		void client.totalRatings();
		void client.totalContacts();
		// @ts-expect-error botId is required
		void client.botStats();
		// @ts-expect-error botId is required
		void client.botStats({ periodDays: 7 });
		// @ts-expect-error datasetIds is required
		void client.datasetRecords({});
	});

	it("reject inputs of the wrong type", () => {
		// @ts-expect-error periodDays is a number
		void client.totalRatings({ periodDays: "7" });
		// @ts-expect-error granularity is one of hour, day, week, month
		void client.totalRatings({ granularity: "year" });
		// @ts-expect-error unknown keys in a literal are caught
		void client.totalRatings({ periodDay: 7 });
		void client.botStats({ botId: "bot_1", granularity: "week", timezone: "Europe/Berlin" });
	});
});

describe("generate", () => {
	it("returns exactly the requested IDs, each typed by its report", async () => {
		const results = await client.generate({
			[TotalRatings.id]: { periodDays: 7 },
			[BotStats.id]: { botId: "bot_1" },
		});
		expectTypeOf<keyof typeof results>().toEqualTypeOf<typeof TotalRatings.id | typeof BotStats.id>();

		const ratings = results[TotalRatings.id];
		if (ratings.ok) {
			expectTypeOf(ratings.data).toEqualTypeOf<TotalRatingsOutput>();
		} else {
			expectTypeOf(ratings.error).toEqualTypeOf<ReportFailure>();
			expectTypeOf(ratings.error.code).toEqualTypeOf<ErrorCode>();
			// @ts-expect-error a failure carries no data
			void ratings.data;
		}
		// @ts-expect-error data is only there once `ok` is checked
		void results[BotStats.id].data;
		const stats = results[BotStats.id];
		if (stats.ok) expectTypeOf(stats.data).toEqualTypeOf<BotStatsOutput>();
		// @ts-expect-error not requested, so not in the result
		void results[DatasetRecords.id];
	});

	it("accepts IDs as literals, constants or ReportIds entries", async () => {
		const results = await client.generate({
			clr3m5n8k000308jq1h7i8j4d: {},
			[ReportIds.DatasetRecords]: { datasetIds: ["ds_1"] },
		});
		expectTypeOf(results.clr3m5n8k000308jq1h7i8j4d).toEqualTypeOf<
			{ readonly ok: true; readonly data: TotalContactsOutput } | { readonly ok: false; readonly error: ReportFailure }
		>();
		const records = results[ReportIds.DatasetRecords];
		if (records.ok) expectTypeOf(records.data).toEqualTypeOf<DatasetRecordsOutput>();
	});

	it("rejects an unknown ID at compile time", () => {
		// @ts-expect-error not a report ID
		void client.generate({ [TotalRatings.id]: {}, clr3m5n8k999999jq0000000000: {} });
		// @ts-expect-error report names are not IDs
		void client.generate({ totalRatings: {} });
	});

	it("rejects a wrong input type and a missing botId at compile time", () => {
		// @ts-expect-error periodDays is a number
		void client.generate({ [TotalRatings.id]: { periodDays: "7" } });
		// @ts-expect-error Bot Stats needs a botId
		void client.generate({ [BotStats.id]: { periodDays: 7 } });
		// @ts-expect-error botId is a string
		void client.generate({ [BotStats.id]: { botId: 42 } });
		// @ts-expect-error an unknown input key in a literal is caught
		void client.generate({ [TotalRatings.id]: { period: 7 } });
	});
});

describe("report catalogue types", () => {
	it("map IDs to inputs and outputs", () => {
		expectTypeOf<ReportOutput<typeof TotalRatings.id>>().toEqualTypeOf<TotalRatingsOutput>();
		expectTypeOf<ReportInput<typeof BotStats.id>>().toHaveProperty("botId").toEqualTypeOf<string>();
		expectTypeOf(TotalRatings.id).toEqualTypeOf<"clr3m5n8k000008jq7h9e5b1a">();
		expectTypeOf(ReportIds.TotalRatings).toEqualTypeOf<"clr3m5n8k000008jq7h9e5b1a">();
		expectTypeOf<"clr3m5n8k000008jq7h9e5b1a">().toExtend<ReportId>();
		expectTypeOf<"not-a-report">().not.toExtend<ReportId>();
	});
});

describe("ConvolensError", () => {
	it("narrows on code", () => {
		const error: unknown = new ConvolensError("NOT_FOUND", "Bot not found");
		if (ConvolensError.is(error, "NOT_FOUND", "BAD_REQUEST")) {
			expectTypeOf(error.code).toEqualTypeOf<"NOT_FOUND" | "BAD_REQUEST">();
			expectTypeOf(error.status).toEqualTypeOf<number>();
		}
		if (ConvolensError.is(error)) expectTypeOf(error.code).toEqualTypeOf<ErrorCode>();
		if (error instanceof ConvolensError && error.code === "NOT_AUTHENTICATED") {
			expectTypeOf(error.code).toEqualTypeOf<"NOT_AUTHENTICATED">();
		}
		// @ts-expect-error not a code the server sends
		ConvolensError.is(error, "UNAUTHORIZED");
	});
});
