/**
 * A report output as an RFC 4180 table (contract §8.2). The columns are derived from the output itself, so a field
 * a report gains becomes a column without touching this file:
 * - rows are the buckets of the output's `breakdown` arrays (several are zipped by position), else the items of its
 *   first array of objects (a list), else one row;
 * - every other field is a summary column, repeated on each row, so the file holds every value of the JSON answer;
 * - nested objects flatten to dotted names (`change.percent`); arrays of scalars join with `"; "` in one cell;
 *   arrays of objects that are not the rows are one cell of JSON; null is an empty cell;
 * - a text cell that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or CR) is
 *   prefixed with `'`.
 * The columns come from the report's output JSON Schema merged with the keys the data carries, so an empty list
 * still has its header and a key the schema does not name yet still gets its column.
 */

type Shape =
	| { readonly kind: "scalar" }
	| { readonly kind: "object"; readonly fields: ReadonlyMap<string, Shape> }
	| { readonly kind: "array"; readonly items: Shape };

const scalar: Shape = { kind: "scalar" };

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

/** The shape a JSON Schema describes; a nullable or union type takes its first object or array variant. */
const shapeOfSchema = (schema: unknown): Shape => {
	if (!isRecord(schema)) return scalar;
	const variants = schema.anyOf ?? schema.oneOf;
	if (Array.isArray(variants)) {
		const structured = variants.map(shapeOfSchema).find((shape) => shape.kind !== "scalar");
		return structured ?? scalar;
	}
	if (isRecord(schema.properties)) {
		return {
			kind: "object",
			fields: new Map(Object.entries(schema.properties).map(([name, field]) => [name, shapeOfSchema(field)])),
		};
	}
	if (schema.type === "array") return { kind: "array", items: shapeOfSchema(schema.items) };
	return scalar;
};

const shapeOfValue = (value: unknown): Shape => {
	if (Array.isArray(value)) return { kind: "array", items: value.map(shapeOfValue).reduce(merge, scalar) };
	if (isRecord(value)) {
		return {
			kind: "object",
			fields: new Map(Object.entries(value).map(([name, field]) => [name, shapeOfValue(field)])),
		};
	}
	return scalar;
};

/** `known` with whatever `seen` adds: its extra object keys (after the known ones), its structure where `known` has none. */
const merge = (known: Shape, seen: Shape): Shape => {
	if (known.kind === "scalar") return seen;
	if (known.kind === "array")
		return seen.kind === "array" ? { kind: "array", items: merge(known.items, seen.items) } : known;
	if (seen.kind !== "object") return known;
	const fields = new Map(known.fields);
	for (const [name, shape] of seen.fields) fields.set(name, merge(fields.get(name) ?? scalar, shape));
	return { kind: "object", fields };
};

/** The fields that identify a bucket, first in a breakdown's row when present. */
const bucketKeys = ["label", "date", "start", "end"] as const;

/** A path of object keys from the output's root. */
type Path = ReadonlyArray<string>;

const at = (value: unknown, path: Path): unknown =>
	path.reduce<unknown>(
		(current, key) => (isRecord(current) && Object.hasOwn(current, key) ? current[key] : undefined),
		value,
	);

/** Every leaf below `shape` (a scalar, or an array that is not walked into) with its path. */
const leaves = (shape: Shape, path: Path = []): Array<Path> =>
	shape.kind === "object" ? [...shape.fields].flatMap(([name, field]) => leaves(field, [...path, name])) : [path];

/** The arrays of objects reachable through objects alone, in field order. */
const objectArrays = (shape: Shape, path: Path = []): Array<{ path: Path; items: Shape }> => {
	if (shape.kind === "array") return shape.items.kind === "object" ? [{ path, items: shape.items }] : [];
	if (shape.kind === "scalar") return [];
	return [...shape.fields].flatMap(([name, field]) => objectArrays(field, [...path, name]));
};

const isFormulaStart = (text: string) => /^[=+\-@\t\r]/.test(text);

const text = (value: string) => (isFormulaStart(value) ? `'${value}` : value);

/** The text of one cell. */
const cellOf = (value: unknown): string => {
	if (value === null || value === undefined) return "";
	if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
	if (typeof value === "boolean") return String(value);
	if (typeof value === "string") return text(value);
	if (Array.isArray(value) && value.every((element) => !isRecord(element) && !Array.isArray(element))) {
		return text(value.map((element) => (element === null ? "" : String(element))).join("; "));
	}
	return text(JSON.stringify(value));
};

const quoted = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

interface Column {
	readonly name: string;
	readonly read: (output: unknown, row: number) => unknown;
}

export interface CsvTable {
	readonly header: ReadonlyArray<string>;
	readonly rows: ReadonlyArray<ReadonlyArray<string>>;
}

/** The table of one report output; `outputSchema` is the report's output JSON Schema. */
export const csvTableOf = (output: unknown, outputSchema: unknown): CsvTable => {
	const shape = merge(shapeOfSchema(outputSchema), shapeOfValue(output));
	const arrays = objectArrays(shape);
	const breakdowns = arrays.filter(({ path }) => path[path.length - 1] === "breakdown");
	const rowArrays = breakdowns.length > 0 ? breakdowns : arrays.slice(0, 1);
	const isRowArray = (path: Path) => rowArrays.some((array) => array.path.join("\0") === path.join("\0"));
	const itemOf = (output: unknown, arrayPath: Path, row: number) => {
		const items = at(output, arrayPath);
		return Array.isArray(items) ? items[row] : undefined;
	};

	const columns: Array<Column> = [];
	// A breakdown's bucket fields name the row, so they come first and once, however many breakdowns are zipped.
	const bucketFields =
		breakdowns.length === 0
			? []
			: bucketKeys.filter((key) => breakdowns.some(({ items }) => items.kind === "object" && items.fields.has(key)));
	for (const key of bucketFields) {
		columns.push({
			name: key,
			read: (output, row) =>
				rowArrays.map(({ path }) => at(itemOf(output, path, row), [key])).find((value) => value !== undefined),
		});
	}
	for (const { path, items } of rowArrays) {
		// Fields of a top-level array are named as in the item; those of a nested one keep the array's path.
		const prefix = path.length === 1 ? [] : path;
		for (const leaf of leaves(items)) {
			if (breakdowns.length > 0 && leaf.length === 1 && bucketFields.includes(leaf[0] as never)) continue;
			columns.push({
				name: [...prefix, ...leaf].join("."),
				read: (output, row) => at(itemOf(output, path, row), leaf),
			});
		}
	}
	const summaryLeaves = (current: Shape, path: Path): Array<Path> => {
		if (isRowArray(path)) return [];
		if (current.kind !== "object") return [path];
		return [...current.fields].flatMap(([name, field]) => summaryLeaves(field, [...path, name]));
	};
	for (const leaf of summaryLeaves(shape, []))
		columns.push({ name: leaf.join("."), read: (output) => at(output, leaf) });

	const names = columns.map((column) => column.name);
	const repeated = names.find((name, index) => names.indexOf(name) !== index);
	if (repeated !== undefined) throw new Error(`CSV column "${repeated}" would appear twice`);

	const rowCount =
		rowArrays.length === 0
			? 1
			: Math.max(
					0,
					...rowArrays.map(({ path }) => {
						const items = at(output, path);
						return Array.isArray(items) ? items.length : 0;
					}),
				);
	const rows = Array.from({ length: rowCount }, (_, row) => columns.map((column) => cellOf(column.read(output, row))));
	return { header: names, rows };
};

/** RFC 4180 text: CRLF after every record, fields quoted only when they must be. */
export const csvText = (table: CsvTable): string =>
	[table.header, ...table.rows].map((record) => `${record.map(quoted).join(",")}\r\n`).join("");

/** A file name from a report name: `Total Ratings` → `total-ratings.csv`. */
export const csvFileName = (reportName: string): string =>
	`${
		reportName
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, "-")
			.replace(/^-+|-+$/g, "") || "report"
	}.csv`;
