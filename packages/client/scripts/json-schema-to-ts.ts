/**
 * Turns the JSON Schemas the report registry publishes (zod 4's `z.toJSONSchema`, draft 2020-12) into TypeScript
 * type expressions, so the published client carries plain declarations instead of importing server packages.
 *
 * Only the subset the reports use is supported; anything else throws, so a new schema feature fails the generator
 * loudly instead of silently widening a type to `unknown`.
 */

export interface JsonSchema {
	readonly $ref?: string;
	readonly $defs?: Readonly<Record<string, JsonSchema>>;
	readonly type?: string | ReadonlyArray<string>;
	readonly enum?: ReadonlyArray<unknown>;
	readonly const?: unknown;
	readonly anyOf?: ReadonlyArray<JsonSchema>;
	readonly oneOf?: ReadonlyArray<JsonSchema>;
	readonly allOf?: ReadonlyArray<JsonSchema>;
	readonly properties?: Readonly<Record<string, JsonSchema>>;
	readonly required?: ReadonlyArray<string>;
	readonly additionalProperties?: boolean | JsonSchema;
	readonly items?: boolean | JsonSchema;
	readonly prefixItems?: ReadonlyArray<JsonSchema>;
	readonly description?: string;
	readonly default?: unknown;
	readonly minimum?: number;
	readonly maximum?: number;
	readonly exclusiveMinimum?: number;
	readonly exclusiveMaximum?: number;
	readonly minLength?: number;
	readonly maxLength?: number;
	readonly minItems?: number;
	readonly maxItems?: number;
	readonly pattern?: string;
	readonly format?: string;
	readonly [keyword: string]: unknown;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyKey(name: string): string {
	return identifier.test(name) ? name : JSON.stringify(name);
}

function literal(value: unknown, path: string): string {
	if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
		return JSON.stringify(value);
	}
	throw new Error(`${path}: unsupported literal ${JSON.stringify(value)}`);
}

function union(members: ReadonlyArray<string>): string {
	const unique = [...new Set(members)];
	if (unique.length === 0) return "never";
	return unique.length === 1
		? unique[0]!
		: unique.map((member) => (member.includes("=>") ? `(${member})` : member)).join(" | ");
}

/** A short human summary of the validation keywords TypeScript cannot express, for the property's doc comment. */
export function constraintsOf(schema: JsonSchema): ReadonlyArray<string> {
	const notes: Array<string> = [];
	if (schema.description) notes.push(schema.description);
	const bounds: Array<string> = [];
	if (schema.type === "integer") bounds.push("integer");
	if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
	if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
	if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
	if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
	if (schema.minLength !== undefined) bounds.push(`at least ${schema.minLength} characters`);
	if (schema.maxLength !== undefined) bounds.push(`at most ${schema.maxLength} characters`);
	if (schema.minItems !== undefined && schema.prefixItems === undefined)
		bounds.push(`at least ${schema.minItems} items`);
	if (schema.maxItems !== undefined && schema.prefixItems === undefined)
		bounds.push(`at most ${schema.maxItems} items`);
	if (schema.format !== undefined) bounds.push(`format ${schema.format}`);
	if (schema.pattern !== undefined) bounds.push(`pattern \`${schema.pattern}\``);
	// A description usually states the bounds in words already; the bare bounds serve when it is missing.
	if (!schema.description && bounds.length > 0) notes.push(bounds.join(", "));
	if (schema.default !== undefined) notes.push(`@default ${JSON.stringify(schema.default)}`);
	return notes;
}

function docComment(notes: ReadonlyArray<string>, indent: string): string {
	if (notes.length === 0) return "";
	const lines = notes.flatMap((note) => note.split("\n")).map((line) => line.replaceAll("*/", "*\\/"));
	if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
	return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`).join("\n")}\n${indent} */\n`;
}

export interface ConvertOptions {
	/** Schemas referenced as `#/$defs/<name>`; taken from the root schema when omitted. */
	readonly definitions?: Readonly<Record<string, JsonSchema>>;
}

/**
 * The TypeScript type of `schema`, formatted with tabs starting at `depth`. Object properties not listed in
 * `required` become optional; `additionalProperties` with a schema becomes an index signature.
 */
export function jsonSchemaToTs(
	schema: JsonSchema | boolean,
	options: ConvertOptions = {},
	depth = 0,
	path = "#",
): string {
	const definitions = options.definitions ?? (typeof schema === "object" ? schema.$defs : undefined) ?? {};
	const recurse = (child: JsonSchema | boolean, childPath: string, childDepth = depth) =>
		jsonSchemaToTs(child, { definitions }, childDepth, childPath);

	if (schema === true) return "unknown";
	if (schema === false) return "never";

	if (schema.$ref !== undefined) {
		const name = schema.$ref.startsWith("#/$defs/") ? schema.$ref.slice("#/$defs/".length) : undefined;
		const target = name === undefined ? undefined : definitions[name];
		if (target === undefined) throw new Error(`${path}: unresolvable $ref ${schema.$ref}`);
		if (path.includes(`$ref(${name})`)) throw new Error(`${path}: recursive $ref ${schema.$ref} is not supported`);
		return recurse(target, `${path}/$ref(${name})`);
	}
	if (schema.const !== undefined) return literal(schema.const, path);
	if (schema.enum !== undefined) return union(schema.enum.map((value) => literal(value, path)));
	const alternatives = schema.anyOf ?? schema.oneOf;
	if (alternatives !== undefined) {
		return union(alternatives.map((alternative, index) => recurse(alternative, `${path}/anyOf/${index}`)));
	}
	if (schema.allOf !== undefined) {
		return schema.allOf.map((part, index) => `(${recurse(part, `${path}/allOf/${index}`)})`).join(" & ");
	}

	const types = schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type;
	if (types.length === 0) return "unknown";
	return union(
		types.map((type) => {
			switch (type) {
				case "string":
					return "string";
				case "number":
				case "integer":
					return "number";
				case "boolean":
					return "boolean";
				case "null":
					return "null";
				case "array":
					return arrayType(schema, recurse, path);
				case "object":
					return objectType(schema, recurse, depth, path);
				default:
					throw new Error(`${path}: unsupported type ${JSON.stringify(type)}`);
			}
		}),
	);
}

type Recurse = (child: JsonSchema | boolean, path: string, depth?: number) => string;

function arrayType(schema: JsonSchema, recurse: Recurse, path: string): string {
	if (schema.prefixItems !== undefined) {
		const elements = schema.prefixItems.map((item, index) => recurse(item, `${path}/prefixItems/${index}`));
		const rest =
			schema.items === undefined || schema.items === false
				? []
				: [`...${wrapArray(recurse(schema.items, `${path}/items`))}[]`];
		return `[${[...elements, ...rest].join(", ")}]`;
	}
	const item = schema.items === undefined ? "unknown" : recurse(schema.items, `${path}/items`);
	return `${wrapArray(item)}[]`;
}

function wrapArray(element: string): string {
	return /^[A-Za-z0-9_$."]+$/.test(element) || element.startsWith("{") || element.startsWith("[")
		? element
		: `(${element})`;
}

function objectType(schema: JsonSchema, recurse: Recurse, depth: number, path: string): string {
	const indent = "\t".repeat(depth + 1);
	const required = new Set(schema.required ?? []);
	const members = Object.entries(schema.properties ?? {}).map(([name, property]) => {
		const optional = required.has(name) ? "" : "?";
		const type = recurse(property, `${path}/properties/${name}`, depth + 1);
		return `${docComment(constraintsOf(property), indent)}${indent}${propertyKey(name)}${optional}: ${type};\n`;
	});
	const extra = schema.additionalProperties;
	if (extra !== undefined && typeof extra === "object") {
		members.push(`${indent}[key: string]: ${recurse(extra, `${path}/additionalProperties`, depth + 1)};\n`);
	}
	if (members.length === 0) {
		// zod's `z.object({})` infers `Record<string, never>`: an object with nothing to send.
		return extra === true ? "Record<string, unknown>" : "Record<string, never>";
	}
	return `{\n${members.join("")}${"\t".repeat(depth)}}`;
}
