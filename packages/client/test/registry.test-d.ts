/**
 * The generated declarations the package ships must describe exactly what the server's report registry accepts and
 * returns. This file sees both sides, so any drift between `src/generated/reports.ts` and `@convolens/core` fails
 * `tsc`. That the api's router uses the same procedure names and types is checked end to end
 * (`tooling/e2e/test/client/router.test-d.ts`).
 */

import type {
	ReportId as CoreReportId,
	ReportIds as CoreReportIds,
	ReportInput as CoreReportInput,
	ReportOutput as CoreReportOutput,
} from "@convolens/core";
import { describe, expectTypeOf, it } from "vitest";
import type { ReportId, ReportIds, ReportInput, ReportOutput } from "../src/index.ts";

/** One entry per report whose generated type differs from the registry's; `never` when all agree. */
type InputDrift = {
	[Id in CoreReportId]: [ReportInput<Id>] extends [CoreReportInput<Id>]
		? [CoreReportInput<Id>] extends [ReportInput<Id>]
			? never
			: Id
		: Id;
}[CoreReportId];

type OutputDrift = {
	[Id in CoreReportId]: [ReportOutput<Id>] extends [CoreReportOutput<Id>]
		? [CoreReportOutput<Id>] extends [ReportOutput<Id>]
			? never
			: Id
		: Id;
}[CoreReportId];

describe("generated report types", () => {
	it("cover exactly the registry's report IDs", () => {
		expectTypeOf<ReportId>().toEqualTypeOf<CoreReportId>();
		expectTypeOf<typeof ReportIds>().toEqualTypeOf<typeof CoreReportIds>();
	});

	it("accept exactly what each report's input schema accepts", () => {
		expectTypeOf<InputDrift>().toBeNever();
	});

	it("describe exactly what each report's output schema produces", () => {
		expectTypeOf<OutputDrift>().toBeNever();
	});

	it("are deeply equal to the registry's, all reports at once", () => {
		expectTypeOf<{ [Id in CoreReportId]: ReportInput<Id> }>().toEqualTypeOf<{
			[Id in CoreReportId]: CoreReportInput<Id>;
		}>();
		expectTypeOf<{ [Id in CoreReportId]: ReportOutput<Id> }>().toEqualTypeOf<{
			[Id in CoreReportId]: CoreReportOutput<Id>;
		}>();
	});

	it("match the registry structurally, report by report", () => {
		expectTypeOf<ReportOutput<typeof CoreReportIds.ComprehensiveOverview>>().toEqualTypeOf<
			CoreReportOutput<typeof CoreReportIds.ComprehensiveOverview>
		>();
		expectTypeOf<ReportOutput<typeof CoreReportIds.BotPerformance>>().toEqualTypeOf<
			CoreReportOutput<typeof CoreReportIds.BotPerformance>
		>();
		expectTypeOf<ReportInput<typeof CoreReportIds.BotNegativeFeedback>>().toEqualTypeOf<
			CoreReportInput<typeof CoreReportIds.BotNegativeFeedback>
		>();
	});
});
