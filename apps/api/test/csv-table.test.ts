import { describe, expect, it } from "vitest";
import { csvTableOf, csvText } from "../src/rest/csv.ts";

/** The CSV table rules on outputs no report has yet; the expected tables are written out by hand. */

const bucketSchema = {
	type: "object",
	properties: {
		breakdown: {
			type: "array",
			items: { type: "object", properties: { total: { type: "number" } } },
		},
		value: { type: "number" },
	},
};

describe("CSV table", () => {
	it("puts label, start and end first once buckets carry them, even before the schema names them", () => {
		const output = {
			value: 3,
			breakdown: [
				{ total: 1, end: "2026-01-02T00:00:00Z", start: "2026-01-01T00:00:00Z", label: "2026-01-01" },
				{ total: 2, end: "2026-01-03T00:00:00Z", start: "2026-01-02T00:00:00Z", label: "2026-01-02" },
			],
		};
		expect(csvTableOf(output, bucketSchema)).toEqual({
			header: ["label", "start", "end", "total", "value"],
			rows: [
				["2026-01-01", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "1", "3"],
				["2026-01-02", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2", "3"],
			],
		});
	});

	it("flattens nested objects with dotted names and leaves null and absent fields empty", () => {
		const schema = {
			type: "object",
			properties: {
				change: { type: "object", properties: { percent: { anyOf: [{ type: "number" }, { type: "null" }] } } },
				note: { type: "string" },
			},
		};
		expect(csvTableOf({ change: { percent: null } }, schema)).toEqual({
			header: ["change.percent", "note"],
			rows: [["", ""]],
		});
	});

	it("quotes what RFC 4180 requires and ends every record with CRLF", () => {
		const table = {
			header: ["a", "b"],
			rows: [
				['say "hi", then', "two\nlines"],
				["plain", ""],
			],
		};
		expect(csvText(table)).toBe('a,b\r\n"say ""hi"", then","two\nlines"\r\nplain,\r\n');
	});

	it("guards text a spreadsheet would run as a formula, but not numbers", () => {
		const schema = { type: "object", properties: { a: {}, b: {}, c: {}, d: {}, e: {}, f: {} } };
		const output = { a: "=1+1", b: "+1", c: "-x", d: "@A1", e: -1, f: "\tx" };
		expect(csvTableOf(output, schema).rows).toEqual([["'=1+1", "'+1", "'-x", "'@A1", "-1", "'\tx"]]);
	});
});
