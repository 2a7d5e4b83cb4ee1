import { describe, expect, expectTypeOf, it } from "vitest";
import type { AccountRepository } from "../src/index.ts";
import {
	type ReportErrors,
	type ReportId,
	ReportIds,
	type ReportInput,
	type ReportOutput,
	type ReportRequirements,
	reports,
} from "../src/index.ts";

describe("registry types", () => {
	it("keeps literal report IDs, per-report inputs and outputs", () => {
		const id: ReportId = ReportIds.TotalRatings;
		// @ts-expect-error an arbitrary string is not a report ID
		const notAnId: ReportId = "nope";
		const ratingsInput: ReportInput<typeof ReportIds.TotalRatings> = { periodDays: 7 };
		// @ts-expect-error Bot Stats requires botId
		const missingBot: ReportInput<typeof ReportIds.BotStats> = { periodDays: 7 };
		// @ts-expect-error periodDays is a number
		const wrongType: ReportInput<typeof ReportIds.TotalRatings> = { periodDays: "7" };
		const output = null as unknown as ReportOutput<typeof ReportIds.TotalRatings>;
		const thumbs: number | undefined = output?.thumbsUp;
		const overview = null as unknown as ReportOutput<typeof ReportIds.ComprehensiveOverview>;
		const title: string | undefined = overview?.data[0]?.title;
		expect([id, notAnId, ratingsInput, missingBot, wrongType, thumbs, title].length).toBe(7);
		expect(reports.map((report) => report.id)).toContain(id);
	});

	it("infers each report's failures and services from its program", () => {
		type Tags<Id extends ReportId> = ReportErrors<Id>["_tag"];
		// Total Ratings reads no bot or dataset: it cannot answer "not found".
		expectTypeOf<Tags<typeof ReportIds.TotalRatings>>().toEqualTypeOf<"InvalidInput" | "StorageError">();
		// A bot report can: the bot may belong to no one or to another account.
		expectTypeOf<"ResourceNotFound">().toExtend<Tags<typeof ReportIds.BotStats>>();
		expectTypeOf<"ResourceNotFound">().toExtend<Tags<typeof ReportIds.DatasetRecords>>();
		// Dataset Records reads the account's datasets only, not its activity.
		expectTypeOf<ReportRequirements<typeof ReportIds.DatasetRecords>>().toEqualTypeOf<AccountRepository>();
	});
});
