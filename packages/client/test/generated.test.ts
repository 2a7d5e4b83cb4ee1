import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generate, generatedPath, loadRegistry } from "../scripts/generate-reports.ts";
import { ReportIds, reportDescriptors } from "../src/index.ts";

describe("src/generated/reports.ts", () => {
	it("is what the generator makes of the current report registry (run `pnpm generate` if not)", async () => {
		expect(readFileSync(generatedPath, "utf8")).toBe(await generate());
	});

	it("lists every registry report with its ID, name and method", async () => {
		const registry = await loadRegistry();
		expect(reportDescriptors.map((report) => report.id)).toEqual(registry.map((report) => report.id));
		expect(reportDescriptors.map((report) => report.name)).toEqual(registry.map((report) => report.name));
		expect(ReportIds.TotalRatings).toBe("clr3m5n8k000008jq7h9e5b1a");
		expect(ReportIds.ComprehensiveAnalytics).toBe("gpv2an25fuhe2k6v6ckv85v8");
		expect(new Set(reportDescriptors.map((report) => report.method)).size).toBe(reportDescriptors.length);
	});
});
