import {
	errorTable,
	InvalidInput,
	ReportNotFound,
	ReportTimeout,
	ResourceNotFound,
	StorageError,
	statusOfCode,
} from "@convolens/core";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, fromTaggedError, toWireError, trpcCodes } from "../src/errors.ts";

describe("the error table", () => {
	it("maps every typed error of core to core's code and status, keeping its tag and field", () => {
		const cases = [
			new InvalidInput({ message: "periodDays must be at most 365", field: "periodDays" }),
			new ResourceNotFound({ message: "Bot not found", resource: "bot" }),
			new ReportNotFound({ reportId: "nope" }),
			new ReportTimeout({ reportId: "x", timeoutMs: 10 }),
			new StorageError({ message: "could not connect to 10.0.0.5:5432", cause: new Error("ECONNREFUSED") }),
		];
		for (const error of cases) {
			const wire = toWireError(error);
			expect(wire.code).toBe(errorTable[error._tag].code);
			expect(wire.status).toBe(statusOfCode[errorTable[error._tag].code]);
			expect(wire.tag).toBe(error._tag);
		}
		expect(toWireError(cases[0]).field).toBe("periodDays");
		expect(toWireError(cases[2]).message).toBe("Report not found");
	});

	it("never passes a storage failure's detail to the client", () => {
		const wire = toWireError(new StorageError({ message: "could not connect to 10.0.0.5:5432" }));
		expect(wire).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
		expect(wire.message).not.toContain("10.0.0.5");
	});

	it("gives tRPC the matching code for every wire code", () => {
		for (const code of Object.keys(statusOfCode) as Array<keyof typeof statusOfCode>) {
			const error = new AppError({ code });
			expect(error).toBeInstanceOf(TRPCError);
			expect(error.code).toBe(trpcCodes[code]);
			expect(toWireError(error)).toMatchObject({ code, status: statusOfCode[code] });
		}
		expect(fromTaggedError(new ReportNotFound({ reportId: "x" })).code).toBe("NOT_FOUND");
	});

	it("names the field of a zod failure and hides unknown failures", () => {
		const parsed = z.object({ take: z.number().max(100) }).safeParse({ take: 500 });
		expect(parsed.success).toBe(false);
		const wire = toWireError(new TRPCError({ code: "BAD_REQUEST", cause: parsed.error }));
		expect(wire).toMatchObject({ status: 400, code: "BAD_REQUEST", field: "take" });
		// Worded by core's phraser, as a report's own input error would be.
		expect(wire.message).toBe("take must be at most 100");
		const missing = z.object({ name: z.string() }).safeParse({});
		expect(toWireError(new TRPCError({ code: "BAD_REQUEST", cause: missing.error }))).toMatchObject({
			message: "name is required",
			field: "name",
		});
		const unknown = toWireError(new Error("secret internals at /srv/app.ts:12"));
		expect(unknown).toEqual({ status: 500, code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
	});
});
