import { describe, expect, it } from "vitest";
import { constraintsOf, jsonSchemaToTs } from "../scripts/json-schema-to-ts.ts";

describe("jsonSchemaToTs", () => {
	it("maps scalar types, nullability, literals and enums", () => {
		expect(jsonSchemaToTs({ type: "string" })).toBe("string");
		expect(jsonSchemaToTs({ type: "integer" })).toBe("number");
		expect(jsonSchemaToTs({ type: "boolean" })).toBe("boolean");
		expect(jsonSchemaToTs({ type: ["number", "null"] })).toBe("number | null");
		expect(jsonSchemaToTs({ anyOf: [{ type: "string" }, { type: "null" }] })).toBe("string | null");
		expect(jsonSchemaToTs({ type: "string", const: "all time" })).toBe('"all time"');
		expect(jsonSchemaToTs({ type: "string", enum: ["hour", "day"] })).toBe('"hour" | "day"');
	});

	it("makes properties outside `required` optional and documents them", () => {
		const source = jsonSchemaToTs({
			type: "object",
			properties: {
				botId: { type: "string", description: "The bot" },
				periodDays: { type: "integer", minimum: 1, maximum: 365, default: 30 },
				"odd-key": { type: "boolean" },
			},
			required: ["botId"],
		});
		expect(source).toBe(
			[
				"{",
				"\t/** The bot */",
				"\tbotId: string;",
				"\t/**",
				"\t * integer, ≥ 1, ≤ 365",
				"\t * @default 30",
				"\t */",
				"\tperiodDays?: number;",
				'\t"odd-key"?: boolean;',
				"}",
			].join("\n"),
		);
	});

	it("maps arrays, tuples, records and empty objects", () => {
		expect(jsonSchemaToTs({ type: "array", items: { type: "string" } })).toBe("string[]");
		expect(jsonSchemaToTs({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } })).toBe(
			"(string | number)[]",
		);
		expect(jsonSchemaToTs({ type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false })).toBe(
			"[string, number]",
		);
		expect(jsonSchemaToTs({ type: "object", additionalProperties: { type: "number" } })).toBe(
			"{\n\t[key: string]: number;\n}",
		);
		expect(jsonSchemaToTs({ type: "object", properties: {} })).toBe("Record<string, never>");
		expect(jsonSchemaToTs({ type: "object", additionalProperties: true })).toBe("Record<string, unknown>");
	});

	it("inlines $defs references and refuses recursive ones", () => {
		const schema = {
			type: "object",
			properties: { entry: { $ref: "#/$defs/Entry" } },
			required: ["entry"],
			$defs: { Entry: { type: "object", properties: { total: { type: "number" } }, required: ["total"] } },
		};
		expect(jsonSchemaToTs(schema)).toBe("{\n\tentry: {\n\t\ttotal: number;\n\t};\n}");
		const recursive = { $ref: "#/$defs/Node", $defs: { Node: { type: "array", items: { $ref: "#/$defs/Node" } } } };
		expect(() => jsonSchemaToTs(recursive)).toThrow(/recursive \$ref/);
	});

	it("fails loudly on what it cannot express instead of widening to unknown", () => {
		expect(() => jsonSchemaToTs({ type: "bigint" })).toThrow(/#: unsupported type "bigint"/);
		expect(() => jsonSchemaToTs({ $ref: "#/$defs/Missing" })).toThrow(/unresolvable \$ref/);
		expect(() => jsonSchemaToTs({ const: { nested: true } })).toThrow(/unsupported literal/);
	});

	it("prefers a description over the bare bounds", () => {
		expect(constraintsOf({ type: "integer", minimum: 1, description: "Days (1–365)" })).toEqual(["Days (1–365)"]);
		expect(constraintsOf({ type: "string", minLength: 1, maxLength: 64 })).toEqual([
			"at least 1 characters, at most 64 characters",
		]);
	});
});
