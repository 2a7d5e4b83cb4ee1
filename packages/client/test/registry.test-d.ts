/**
 * The generated declarations the package ships must describe exactly what the server's report registry accepts and
 * returns, under the procedure names the api's router uses. This file sees both sides, so any drift between
 * `src/generated/reports.ts` and `@convolens/core` or `@convolens/api` fails `tsc`.
 */

import type { AppRouter } from "@convolens/api";
import type {
	ReportId as CoreReportId,
	ReportIds as CoreReportIds,
	ReportInput as CoreReportInput,
	ReportOutput as CoreReportOutput,
} from "@convolens/core";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import type {
	ReportId,
	ReportIdOfMethod,
	ReportIds,
	ReportInput,
	ReportList,
	ReportMethodName,
	ReportOutput,
} from "../src/index.ts";

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

type RouterInputs = inferRouterInputs<AppRouter>["reports"];
type RouterOutputs = inferRouterOutputs<AppRouter>["reports"];

describe("the api's tRPC router", () => {
	it("has a procedure under each client method name, with the same input and output", () => {
		expectTypeOf<{ [Method in ReportMethodName]: ReportOutput<ReportIdOfMethod<Method>> }>().toEqualTypeOf<
			Pick<RouterOutputs, ReportMethodName>
		>();
		expectTypeOf<{ [Method in ReportMethodName]: ReportInput<ReportIdOfMethod<Method>> }>().toEqualTypeOf<
			Pick<RouterInputs, ReportMethodName>
		>();
	});

	it("answers a batch with the client's result shape for each report", () => {
		type Batch = RouterOutputs["generate"];
		type Ratings = NonNullable<Batch[typeof CoreReportIds.TotalRatings]>;
		expectTypeOf<Extract<Ratings, { ok: true }>["data"]>().toEqualTypeOf<
			ReportOutput<typeof CoreReportIds.TotalRatings>
		>();
		expectTypeOf<Extract<Ratings, { ok: false }>["error"]>().toExtend<{ code: string; message: string }>();
	});

	it("lists reports in the client's list shape", () => {
		expectTypeOf<RouterOutputs["list"]>().toExtend<ReportList>();
	});
});
