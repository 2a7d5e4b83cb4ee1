/**
 * The client's generated report types against the api's tRPC router: a procedure under each client method name,
 * with the same input and output, and the batch and list shapes the client expects. Drift fails `tsc`. (The types
 * against the report registry itself are checked in `packages/client/test/registry.test-d.ts`.)
 */
import type { AppRouter } from "@convolens/api";
import type {
	ReportIdOfMethod,
	ReportIds,
	ReportInput,
	ReportList,
	ReportMethodName,
	ReportOutput,
} from "@convolens/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";

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
		type Ratings = NonNullable<Batch[typeof ReportIds.TotalRatings]>;
		expectTypeOf<Extract<Ratings, { ok: true }>["data"]>().toEqualTypeOf<ReportOutput<typeof ReportIds.TotalRatings>>();
		expectTypeOf<Extract<Ratings, { ok: false }>["error"]>().toExtend<{ code: string; message: string }>();
	});

	it("lists reports in the client's list shape", () => {
		expectTypeOf<RouterOutputs["list"]>().toExtend<ReportList>();
	});
});
