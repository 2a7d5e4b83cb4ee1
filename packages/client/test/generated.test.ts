import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedErrorsPath, generateErrors, loadStatusTable } from "../scripts/generate-errors.ts";
import { generate, generatedPath, loadRegistry } from "../scripts/generate-reports.ts";
import { codeOfStatus } from "../src/errors.ts";
import { ConvolensError, type ErrorCode, errorCodes, ReportIds, reportDescriptors } from "../src/index.ts";

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

describe("src/generated/errors.ts", () => {
	it("is what the generator makes of the server's error table (run `pnpm generate` if not)", async () => {
		expect(readFileSync(generatedErrorsPath, "utf8")).toBe(await generateErrors());
	});

	it("gives every server code the server's status, and reads each status back as its code", async () => {
		const server = await loadStatusTable();
		const serverCodes = Object.keys(server);
		expect(errorCodes.filter((code) => code !== "NETWORK_ERROR")).toEqual(serverCodes);
		for (const code of serverCodes) {
			const error = new ConvolensError(code as ErrorCode, "failed");
			expect(error.status).toBe(server[code]);
			expect(codeOfStatus(server[code] as number)).toBe(code);
		}
		expect(new ConvolensError("NETWORK_ERROR", "no answer").status).toBe(0);
	});
});
