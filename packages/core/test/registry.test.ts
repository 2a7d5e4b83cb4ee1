import { assert, describe, it } from "@effect/vitest";
import { ReportIds, reports, reportsById } from "../src/index.ts";

describe("the report catalogue", () => {
	it("lists 22 reports in contract order with unique, stable ids", () => {
		assert.strictEqual(reports.length, 22);
		assert.strictEqual(new Set(reports.map((report) => report.id)).size, 22);
		assert.strictEqual(reports[0]?.id, "cm7k3m5n8k000008jq7h9e5b1a");
		assert.strictEqual(reports[21]?.id, "gpv2an25fuhe2k6v6ckv85v8");
		assert.strictEqual(ReportIds.TotalRatings, "clr3m5n8k000008jq7h9e5b1a");
		assert.strictEqual(ReportIds.BotNegativeFeedback, "clr3m5n8k000j08jqgw4x5y0t");
		for (const [name, id] of Object.entries(ReportIds)) {
			assert.strictEqual(reportsById[id].id, id, name);
		}
	});

	it("gives every report a category, fixed dates and JSON Schemas of its input and output", () => {
		for (const report of reports) {
			assert.include(["engagement", "performance", "quality", "contacts", "resources"], report.category);
			assert.isTrue(Number.isInteger(report.createdAt) && report.createdAt < report.updatedAt, report.name);
			assert.isBelow(report.updatedAt, Date.parse("2027-01-01"), report.name);
			assert.strictEqual(report.inputJsonSchema.type, "object", report.name);
			assert.strictEqual(report.outputJsonSchema.type, "object", report.name);
			assert.doesNotThrow(() => JSON.stringify(report.inputJsonSchema));
		}
		const botStats = reportsById[ReportIds.BotStats].inputJsonSchema as {
			required?: Array<string>;
			properties: Record<string, { default?: unknown; maximum?: number }>;
		};
		assert.deepStrictEqual(botStats.required, ["botId"]);
		assert.strictEqual(botStats.properties.periodDays?.default, 30);
		assert.strictEqual(botStats.properties.periodDays?.maximum, 365);
		const botAlerts = reportsById[ReportIds.BotAlerts].inputJsonSchema as {
			properties: Record<string, { default?: unknown }>;
		};
		assert.strictEqual(botAlerts.properties.periodDays?.default, 7);
	});
});
