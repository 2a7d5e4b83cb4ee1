import { type AnyReport, ReportIds, reports } from "@convolens/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { call, fetchRetryingStaleSockets, startTestServer, type TestServer } from "./support.ts";

/**
 * CSV export (contract §8.2), checked against the JSON answer of the same request for every report of the registry.
 * The CSV is read back with the small RFC 4180 parser below, and the expected cells follow the contract's rules,
 * written here from the contract and not from the encoder.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const todayStart = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const isoDate = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const window = { startDate: isoDate(todayStart - 13 * DAY_MS), endDate: isoDate(todayStart), timezone: "UTC" };
const at = (daysAgo: number, hour: number) => new Date(todayStart - daysAgo * DAY_MS + hour * HOUR_MS).toISOString();

/** Text a spreadsheet would run as a formula, or that needs quoting, in every place a report echoes text. */
const hostileReason = '=HYPERLINK("http://evil.example","click"), then "more"\r\nsecond line';
const hostileContact = "-2+3";
const hostileAction = "@SUM(A1:A9)";

const fixture = {
	contacts: [
		{ id: "c1", name: hostileContact, createdAt: at(12, 1) },
		{ id: "c2", name: "Ana, from Sales", createdAt: at(12, 1) },
	],
	bots: [
		{ id: "b1", name: "Support", createdAt: at(12, 1) },
		{ id: "quiet", name: "Quiet", createdAt: at(12, 1) },
	],
	datasets: [{ id: "d1", name: "Docs", createdAt: at(12, 1) }],
	records: [
		{ id: "r1", datasetId: "d1", createdAt: at(11, 1) },
		{ id: "r2", datasetId: "d1", createdAt: at(11, 1) },
	],
	conversations: Array.from({ length: 8 }, (_, index) => ({
		id: `cv${index + 1}`,
		botId: "b1",
		contactId: index % 2 === 0 ? "c1" : "c2",
		createdAt: at(1 + index, 2 + index),
	})),
	messages: Array.from({ length: 8 }, (_, index) => [
		{
			id: `m${index}-u`,
			conversationId: `cv${index + 1}`,
			type: "user",
			tokens: 3 + index,
			createdAt: at(1 + index, 3 + index),
		},
		{
			id: `m${index}-b`,
			conversationId: `cv${index + 1}`,
			type: "bot",
			tokens: 20,
			createdAt: at(1 + index, 3 + index),
		},
		{
			id: `m${index}-a`,
			conversationId: `cv${index + 1}`,
			type: "activity",
			tokens: 0,
			action: { type: "tool", name: index % 2 === 0 ? hostileAction : "search" },
			createdAt: at(1 + index, 3 + index),
		},
	]).flat(),
	ratings: [
		{
			id: "rt1",
			value: -1,
			reason: hostileReason,
			botId: "b1",
			conversationId: "cv1",
			messageId: "m0-b",
			contactId: "c1",
			createdAt: at(1, 4),
		},
		{ id: "rt2", value: -5, reason: null, botId: "b1", conversationId: "cv2", contactId: "c2", createdAt: at(2, 4) },
		{ id: "rt3", value: 1, reason: "great", botId: "b1", conversationId: "cv3", createdAt: at(3, 4) },
	],
};

const inputFor = (report: AnyReport): Record<string, unknown> => {
	const properties = (report.inputJsonSchema.properties ?? {}) as Record<string, unknown>;
	const input: Record<string, unknown> = {};
	if ("startDate" in properties) Object.assign(input, window);
	if ("botId" in properties) input.botId = "b1";
	if ("datasetIds" in properties) input.datasetIds = ["d1", "no-such-dataset", "nor-this-one"];
	return input;
};

// ---------------------------------------------------------------------------------------------------------------
// The oracle

/** RFC 4180, strictly: every record ends with CRLF; a quoted field may hold commas, CR, LF and doubled quotes. */
const parseCsv = (text: string): Array<Array<string>> => {
	const records: Array<Array<string>> = [];
	let record: Array<string> = [];
	let field = "";
	let inQuotes = false;
	let wasQuoted = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (inQuotes) {
			if (char !== '"') field += char;
			else if (text[index + 1] === '"') {
				field += '"';
				index++;
			} else inQuotes = false;
		} else if (char === '"' && field === "" && !wasQuoted) {
			inQuotes = true;
			wasQuoted = true;
		} else if (char === ",") {
			record.push(field);
			field = "";
			wasQuoted = false;
		} else if (char === "\r" && text[index + 1] === "\n") {
			record.push(field);
			records.push(record);
			record = [];
			field = "";
			wasQuoted = false;
			index++;
		} else if (char === '"' || char === "\r" || char === "\n" || wasQuoted) {
			throw new Error(`malformed CSV at character ${index}: ${JSON.stringify(text.slice(index, index + 20))}`);
		} else field += char;
	}
	if (inQuotes || field !== "" || record.length > 0) throw new Error("the last record is unterminated");
	return records;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

/** The contract's cell: empty for null, numbers as JSON writes them, formula-like text behind a `'`. */
const expectedCell = (value: unknown): string => {
	const guard = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
	if (value === null || value === undefined) return "";
	if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
	if (typeof value === "string") return guard(value);
	if (Array.isArray(value) && !value.some((element) => typeof element === "object" && element !== null)) {
		return guard(value.map((element) => (element === null ? "" : String(element))).join("; "));
	}
	return guard(JSON.stringify(value));
};

/** Paths (through objects only) of the arrays whose items the output schema declares as objects. */
const objectArrayPaths = (schema: unknown, path: ReadonlyArray<string> = []): Array<Array<string>> => {
	if (!isObject(schema)) return [];
	const variant = Array.isArray(schema.anyOf)
		? schema.anyOf.find((option) => isObject(option) && option.type !== "null")
		: schema;
	if (!isObject(variant)) return [];
	if (variant.type === "array") return isObject(variant.items) && isObject(variant.items.properties) ? [[...path]] : [];
	if (!isObject(variant.properties)) return [];
	return Object.entries(variant.properties).flatMap(([name, field]) => objectArrayPaths(field, [...path, name]));
};

const valueAt = (value: unknown, path: ReadonlyArray<string>): unknown =>
	path.reduce<unknown>((current, key) => (isObject(current) ? current[key] : undefined), value);

const bucketKeys = ["label", "date", "start", "end"];

/**
 * Checks a parsed CSV against the JSON output: the rows are the `breakdown` buckets (zipped by position) or the
 * items of the first list; every value of the JSON is in its column — a row's own on that row, any other on every
 * row — and a column that no value fills is empty throughout.
 */
const expectCsvMatchesJson = (report: AnyReport, csv: Array<Array<string>>, output: unknown) => {
	const [header = [], ...rows] = csv;
	const label = report.name;
	expect(new Set(header).size, `${label}: column names are unique`).toBe(header.length);
	for (const row of rows) expect(row.length, `${label}: every row has every column`).toBe(header.length);
	const arrays = objectArrayPaths(report.outputJsonSchema);
	const breakdowns = arrays.filter((path) => path.at(-1) === "breakdown");
	const rowPaths = breakdowns.length > 0 ? breakdowns : arrays.slice(0, 1);
	const lengths = rowPaths.map((path) => (valueAt(output, path) as Array<unknown>).length);
	expect(rows.length, `${label}: one row per bucket or item`).toBe(rowPaths.length === 0 ? 1 : Math.max(...lengths));

	const filled = new Set<string>();
	const cellOf = (column: string, row: number) => {
		const index = header.indexOf(column);
		expect(index, `${label}: has a column ${column}`).toBeGreaterThanOrEqual(0);
		filled.add(column);
		return rows[row]?.[index];
	};
	const walk = (value: unknown, path: Array<string>) => {
		const rowPath = rowPaths.find((candidate) => candidate.join(".") === path.join("."));
		if (rowPath !== undefined) {
			(value as Array<unknown>).forEach((item, row) => {
				for (const [key, field] of Object.entries(item as Record<string, unknown>)) {
					const walkItem = (inner: unknown, innerPath: Array<string>) => {
						if (isObject(inner)) {
							for (const [name, next] of Object.entries(inner)) walkItem(next, [...innerPath, name]);
							return;
						}
						const isBucketKey = breakdowns.length > 0 && innerPath.length === 1 && bucketKeys.includes(key);
						const column =
							isBucketKey || rowPath.length === 1 ? innerPath.join(".") : [...rowPath, ...innerPath].join(".");
						expect(cellOf(column, row), `${label}: ${column} of row ${row}`).toBe(expectedCell(inner));
					};
					walkItem(field, [key]);
				}
			});
			return;
		}
		if (isObject(value)) {
			for (const [name, next] of Object.entries(value)) walk(next, [...path, name]);
			return;
		}
		const column = path.join(".");
		for (let row = 0; row < rows.length; row++) {
			expect(cellOf(column, row), `${label}: ${column} on row ${row}`).toBe(expectedCell(value));
		}
	};
	walk(output, []);
	for (const column of header.filter((name) => !filled.has(name))) {
		const index = header.indexOf(column);
		expect(
			rows.every((row) => row[index] === ""),
			`${label}: ${column} holds no value of the JSON, so it is empty`,
		).toBe(true);
	}
	if (breakdowns.length > 0 && rows.length > 0) {
		const first = valueAt(output, breakdowns[0]!) as Array<Record<string, unknown>>;
		const present = bucketKeys.filter((key) => first[0] !== undefined && key in first[0]);
		expect(header.slice(0, present.length), `${label}: bucket columns first`).toEqual(present);
	}
};

// ---------------------------------------------------------------------------------------------------------------

let server: TestServer;
let token: string;

const generate = (reportId: string, input: unknown, accept: string, authorization = token) =>
	call(server.baseUrl, `/api/v1/platform/report/${reportId}/generate`, {
		token: authorization,
		body: input,
		headers: { accept },
	});

beforeAll(async () => {
	vi.stubGlobal("fetch", fetchRetryingStaleSockets);
	server = await startTestServer();
	token = (await server.createAccount("Acme")).token;
	const stored = await call(server.baseUrl, "/api/v1/ingest", { token, body: fixture });
	expect(stored.status).toBe(200);
	expect(stored.json.errors).toEqual([]);
}, 60_000);

afterAll(async () => {
	await server.close();
	vi.unstubAllGlobals();
});

describe("CSV export", () => {
	it("answers every report as RFC 4180 CSV holding exactly the values of its JSON answer", async () => {
		expect(reports.length).toBeGreaterThan(20);
		for (const report of reports) {
			const json = await generate(report.id, inputFor(report), "application/json");
			const csv = await generate(report.id, inputFor(report), "text/csv");
			expect(json.status, report.name).toBe(200);
			expect(csv.status, report.name).toBe(200);
			expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
			const slug = report.name.toLowerCase().replaceAll(" ", "-");
			expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="${slug}.csv"`);
			expect(csv.text.charCodeAt(0), `${report.name}: no byte order mark`).not.toBe(0xfeff);
			expectCsvMatchesJson(report, parseCsv(csv.text), json.json);
		}
	});

	it("puts the buckets in rows and repeats the summary, e.g. Total Ratings", async () => {
		const json = await generate(ReportIds.TotalRatings, window, "application/json");
		const [header, ...rows] = parseCsv((await generate(ReportIds.TotalRatings, window, "text/csv")).text);
		const output = json.json as {
			breakdown: Array<{ date: string; total: number }>;
			value: number;
			thumbsDown: number;
		};
		// The bucket's label and half-open span first, then its values.
		expect(header?.slice(0, 4)).toEqual(["date", "start", "end", "total"]);
		expect(header).toEqual(
			expect.arrayContaining(["value", "change", "previous", "changePercent", "period", "thumbsUp"]),
		);
		expect(rows).toHaveLength(14);
		expect(rows.map((row) => row[0])).toEqual(output.breakdown.map((bucket) => bucket.date));
		expect(rows.map((row) => Number(row[3])).reduce((a, b) => a + b, 0)).toBe(output.value);
		// Each bucket ends where the next starts.
		for (let index = 1; index < rows.length; index++) expect(rows[index]![1]).toBe(rows[index - 1]![2]);
		const thumbsDown = header!.indexOf("thumbsDown");
		expect(new Set(rows.map((row) => row[thumbsDown]))).toEqual(new Set(["2"]));
	});

	it("zips a report's several breakdowns into one row per bucket, named by their paths (Bot Performance)", async () => {
		const input = { ...window, botId: "b1" };
		const [header] = parseCsv((await generate(ReportIds.BotPerformance, input, "text/csv")).text);
		expect(header?.slice(0, 9)).toEqual([
			"date",
			"start",
			"end",
			"conversations.breakdown.total",
			"messages.breakdown.total",
			"tokens.breakdown.total",
			"ratings.breakdown.total",
			"ratings.breakdown.thumbsUp",
			"ratings.breakdown.thumbsDown",
		]);
		expect(header).toEqual(expect.arrayContaining(["conversations.current", "ratings.thumbsUp", "period"]));
	});

	it("writes a list report one row per item, with formula-like text behind a quote and numbers as they are", async () => {
		const input = { ...window, botId: "b1" };
		const [header = [], ...rows] = parseCsv((await generate(ReportIds.BotNegativeFeedback, input, "text/csv")).text);
		expect(rows).toHaveLength(2);
		const column = (name: string) => rows.map((row) => row[header.indexOf(name)]);
		expect(column("id")).toEqual(["rt1", "rt2"]);
		expect(column("value")).toEqual(["-1", "-5"]);
		expect(column("reason")).toEqual([`'${hostileReason}`, ""]);
		expect(column("contactName")).toEqual([`'${hostileContact}`, "Ana, from Sales"]);
		expect(column("thumbsUp")).toEqual(["1", "1"]);
	});

	it("keeps the header of an empty list and writes no row", async () => {
		const input = { ...window, botId: "quiet" };
		const csv = await generate(ReportIds.BotNegativeFeedback, input, "text/csv");
		expect(csv.status).toBe(200);
		const [header, ...rows] = parseCsv(csv.text);
		expect(header?.slice(0, 3)).toEqual(["id", "value", "reason"]);
		expect(rows).toEqual([]);
	});

	it("writes a report without breakdown or list as one row, joining arrays of scalars and guarding text", async () => {
		const records = parseCsv(
			(await generate(ReportIds.DatasetRecords, { datasetIds: ["d1", "x", "y"] }, "text/csv")).text,
		);
		expect(records).toEqual([
			["datasetId", "records", "totalRecords", "notFound"],
			["d1", "2", "2", "x; y"],
		]);
		const stats = parseCsv((await generate(ReportIds.BotStats, { ...window, botId: "b1" }, "text/csv")).text);
		expect(stats).toHaveLength(2);
		const quality = parseCsv(
			(await generate(ReportIds.BotConversationQuality, { ...window, botId: "b1" }, "text/csv")).text,
		);
		const [qualityHeader = [], ...actions] = quality;
		expect(qualityHeader.slice(0, 3)).toEqual(["type", "name", "count"]);
		expect(actions.map((row) => row[1]).sort()).toEqual([`'${hostileAction}`, "search"]);
	});

	it("answers errors as JSON, whatever the Accept header asks for", async () => {
		const invalid = await generate(ReportIds.TotalMessages, { periodDays: 366 }, "text/csv");
		expect(invalid.status).toBe(400);
		expect(invalid.headers.get("content-type")).toMatch(/^application\/json/);
		expect(invalid.json).toEqual({ message: expect.stringMatching(/periodDays/), code: "BAD_REQUEST" });
		const unknown = await generate("no-such-report", {}, "text/csv");
		expect(unknown.status).toBe(404);
		expect(unknown.json).toEqual({ message: "Report not found", code: "NOT_FOUND" });
		const unauthenticated = await generate(ReportIds.TotalMessages, {}, "text/csv", "not-a-token");
		expect(unauthenticated.status).toBe(401);
		expect(unauthenticated.json.code).toBe("NOT_AUTHENTICATED");
	});

	it("answers JSON to a request that does not ask for CSV", async () => {
		const plain = await call(server.baseUrl, `/api/v1/platform/report/${ReportIds.TotalMessages}/generate`, {
			token,
			body: window,
		});
		expect(plain.headers.get("content-type")).toMatch(/^application\/json/);
		expect(plain.json.value).toBe(24);
	});

	it("is described for every report in the OpenAPI document, with its file name", async () => {
		const paths = (await call(server.baseUrl, "/api/v1/openapi.json")).json.paths as Record<
			string,
			{ post: { responses: { "200": { content: Record<string, unknown>; headers: Record<string, unknown> } } } }
		>;
		for (const report of reports) {
			const ok = paths[`/api/v1/platform/report/${report.id}/generate`]?.post.responses["200"];
			expect(Object.keys(ok?.content ?? {}), report.name).toEqual(["application/json", "text/csv"]);
			const slug = report.name.toLowerCase().replaceAll(" ", "-");
			expect(ok?.headers["Content-Disposition"]).toMatchObject({
				schema: { examples: [`attachment; filename="${slug}.csv"`] },
			});
		}
	});

	it("reads back any stored text exactly, quotes, line breaks, formula starts and all", async () => {
		// Any Unicode text but NUL, which ingest refuses; seeded, so a failure reproduces.
		const texts = fc.sample(
			fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).filter((text) => !text.includes("\u0000")),
			{ seed: 20_261_124, numRuns: 50 },
		);
		const ratings = texts.map((reason, index) => ({
			id: `hostile-${index}`,
			value: -1,
			reason,
			botId: "hostile",
			createdAt: at(1, 1 + (index % 20)),
		}));
		const stored = await call(server.baseUrl, "/api/v1/ingest", {
			token,
			body: { bots: [{ id: "hostile", name: "Hostile" }], ratings },
		});
		expect(stored.json.errors).toEqual([]);
		const report = reports.find((candidate) => candidate.id === ReportIds.BotNegativeFeedback)!;
		const input = { ...window, botId: "hostile", limit: 50 };
		const json = await generate(report.id, input, "application/json");
		const csv = parseCsv((await generate(report.id, input, "text/csv")).text);
		expect(csv).toHaveLength(51);
		expectCsvMatchesJson(report, csv, json.json);
		const reasons = csv.slice(1).map((row) => row[csv[0]!.indexOf("reason")]);
		expect(reasons.sort()).toEqual(texts.map((text) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text)).sort());
	});
});
