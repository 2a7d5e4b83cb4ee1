import { describe, expect, it } from "vitest";
import { type IngestCollection, ingestCollections, itemSchemas, parseIngestBody, parseItemFast } from "../src/index.ts";
import { seededRandom } from "../src/random.ts";

/**
 * The fast path of ingest validation (`parseItemFast`) must return exactly what the item schemas return, and
 * nothing for an item the schemas reject: checked on every combination of a well-formed item with one field
 * replaced by an edge value, and on random mixes of them.
 */

const wellFormed: { readonly [C in IngestCollection]: Record<string, unknown> } = {
	contacts: { id: "ct_1", createdAt: 1_780_000_000_000, name: "Ada Lovelace", email: "ada@example.com", nick: null },
	bots: { id: "bot-1", createdAt: "2026-11-24T10:00:00Z", name: "Support" },
	datasets: { id: "ds_1", name: "Docs" },
	skillsets: { id: "sk_1", createdAt: "2026-11-24T10:00:00.123+05:30" },
	conversations: { id: "cv_1", createdAt: 1_780_000_000_000, botId: "bot-1", contactId: "ct_1" },
	messages: {
		id: "m_1",
		createdAt: 1_780_000_000_500,
		conversationId: "cv_1",
		type: "activity",
		tokens: 42,
		action: { type: "tool", name: "search" },
	},
	ratings: {
		id: "r_1",
		createdAt: "2026-11-24T10:00:00-09:30",
		value: -1,
		reason: "wrong answer",
		botId: "bot-1",
		conversationId: "cv_1",
		messageId: "m_1",
		contactId: null,
	},
	records: { id: "rec_1", datasetId: "ds_1" },
	abilities: { id: "ab_1", name: "lookup", skillsetId: "sk_1" },
	files: { id: "f_1", createdAt: 0, name: "handbook.pdf" },
};

const ABSENT = Symbol("absent");

/** Values that sit on or across a boundary of some field's rules. */
const edgeValues: ReadonlyArray<unknown> = [
	ABSENT,
	undefined,
	null,
	"",
	"a",
	"a".repeat(64),
	"a".repeat(65),
	"a".repeat(256),
	"a".repeat(257),
	"a".repeat(512),
	"a".repeat(513),
	"a".repeat(4096),
	"a".repeat(4097),
	"has space",
	"dot.ted",
	"nul\u0000inside",
	"ünïcode",
	"user",
	0,
	-0,
	1,
	-1,
	42,
	100,
	101,
	-100,
	-101,
	1.5,
	-0.5,
	2_147_483_647,
	2_147_483_648,
	253_402_300_799_999,
	253_402_300_800_000,
	Number.MAX_SAFE_INTEGER + 2,
	Number.NaN,
	Number.POSITIVE_INFINITY,
	true,
	false,
	[],
	["a"],
	{},
	{ type: "tool" },
	{ name: "search", extra: 1 },
	{ type: null, name: undefined },
	{ type: 1 },
	{ type: "a".repeat(257) },
	"2026-11-24T10:00:00Z",
	"2026-11-24T10:00:00.5Z",
	"2026-11-24T10:00:00.123456789Z",
	"2026-11-24T10:00Z",
	"2026-11-24T10:00:00",
	"2026-11-24 10:00:00Z",
	"2026-11-24T10:00:00z",
	"2026-11-24T10:00:00+0530",
	"2026-11-24T10:00:00+05:45",
	"2026-11-24T24:00:00Z",
	"2024-02-29T00:00:00Z",
	"2023-02-29T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"+012026-11-24T10:00:00Z",
	"9999-12-31T23:59:59.999Z",
	"0000-01-01T00:00:00Z",
	"2026-11-24",
];

const withField = (item: Record<string, unknown>, key: string, value: unknown) => {
	const copy: Record<string, unknown> = { ...item };
	if (value === ABSENT) delete copy[key];
	else copy[key] = value;
	return copy;
};

/** Fast and schema agree on `raw`; returns whether the fast path answered. */
const agree = (collection: IngestCollection, raw: Record<string, unknown>) => {
	const fast = parseItemFast(collection, raw);
	const schema = itemSchemas[collection].safeParse(raw);
	if (fast !== undefined) {
		expect(schema.success, `${collection} ${JSON.stringify(raw)}`).toBe(true);
		expect(fast, `${collection} ${JSON.stringify(raw)}`).toStrictEqual(schema.data);
	}
	return { fast: fast !== undefined, valid: schema.success };
};

describe("ingest validation fast path", () => {
	it("answers every well-formed item exactly as its schema does", () => {
		for (const collection of ingestCollections) {
			expect(agree(collection, wellFormed[collection]), collection).toEqual({ fast: true, valid: true });
		}
	});

	it("agrees with the schemas on every item with one field set to an edge value", () => {
		let fast = 0;
		let rejected = 0;
		let total = 0;
		for (const collection of ingestCollections) {
			const fields = [...Object.keys(itemSchemas[collection].shape), "unknownKey"];
			for (const key of fields) {
				for (const value of edgeValues) {
					const outcome = agree(collection, withField(wellFormed[collection], key, value));
					total++;
					if (outcome.fast) fast++;
					if (!outcome.valid) rejected++;
				}
			}
		}
		// Both sides are exercised: many items take the fast path, many are rejected by the schemas.
		expect(fast).toBeGreaterThan(total / 3);
		expect(rejected).toBeGreaterThan(total / 4);
	});

	it("agrees with the schemas on random mixes of edge values", () => {
		const random = seededRandom(20261124);
		const pick = random.pick;
		let fast = 0;
		for (let round = 0; round < 20_000; round++) {
			const collection = pick(ingestCollections);
			let raw = wellFormed[collection];
			const fields = Object.keys(itemSchemas[collection].shape);
			for (let change = 0; change < 1 + random.int(0, 2); change++) {
				raw = withField(
					raw,
					pick(fields),
					random.chance(0.5) ? pick(edgeValues) : wellFormed[pick(ingestCollections)].id,
				);
			}
			if (agree(collection, raw).fast) fast++;
		}
		expect(fast).toBeGreaterThan(2_000);
	});

	it("parses a body the same as the schemas alone, errors included", () => {
		const now = new Date("2026-11-24T12:00:00Z");
		const body = {
			conversations: [wellFormed.conversations, { ...wellFormed.conversations, botId: "bad id" }],
			messages: [
				wellFormed.messages,
				{ id: "m_2", conversationId: "cv_1", type: "user" },
				{ ...wellFormed.messages, tokens: -1 },
				{ ...wellFormed.messages, createdAt: "2026-11-24" },
				"not an object",
			],
		};
		const parsed = parseIngestBody(body, now);
		expect(parsed).toStrictEqual({
			batch: {
				contacts: [],
				bots: [],
				datasets: [],
				skillsets: [],
				conversations: [{ ...wellFormed.conversations, createdAt: new Date(1_780_000_000_000), index: 0 }],
				messages: [
					{ ...wellFormed.messages, createdAt: new Date(1_780_000_000_500), index: 0 },
					{ id: "m_2", createdAt: now, conversationId: "cv_1", type: "user", tokens: 0, action: null, index: 1 },
				],
				ratings: [],
				records: [],
				abilities: [],
				files: [],
			},
			errors: [
				{
					collection: "conversations",
					index: 1,
					id: "cv_1",
					code: "BAD_REQUEST",
					message: "botId: must contain only A–Z, a–z, 0–9, _ and -",
				},
				{
					collection: "messages",
					index: 2,
					id: "m_1",
					code: "BAD_REQUEST",
					message: "tokens: must be an integer ≥ 0",
				},
				{
					collection: "messages",
					index: 3,
					id: "m_1",
					code: "BAD_REQUEST",
					message: "createdAt: must be an ISO-8601 date-time with an offset, or epoch milliseconds",
				},
				{ collection: "messages", index: 4, id: null, code: "BAD_REQUEST", message: "item must be an object" },
			],
		});
	});

	it("names each createdAt that is no real date or lies outside years 1–9999, and keeps the rest", () => {
		const now = new Date("2026-11-24T12:00:00Z");
		const calendar = "createdAt: must be an ISO-8601 date-time with an offset, or epoch milliseconds";
		const range = "createdAt: must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z";
		const cases: ReadonlyArray<[string, string | number]> = [
			["2025-02-29T00:00:00Z", calendar],
			["2025-04-31T10:00:00Z", calendar],
			["2026-11-24T24:00:00Z", calendar],
			["0000-01-01T00:00:00Z", range],
			["0001-01-01T00:30:00+01:00", range],
			["9999-12-31T23:00:00-14:00", range],
			["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
			["0001-01-01T00:00:00Z", -62_135_596_800_000],
			["9999-12-31T23:59:59.999Z", 253_402_300_799_999],
			["9999-12-31T23:59:59-00:00", 253_402_300_799_000],
		];
		const parsed = parseIngestBody({ bots: cases.map(([createdAt], index) => ({ id: `b${index}`, createdAt })) }, now);
		if (!("batch" in parsed)) throw new Error("the body as a whole was refused");
		expect(parsed.errors).toStrictEqual(
			cases.flatMap(([, expected], index) =>
				typeof expected === "string"
					? [{ collection: "bots", index, id: `b${index}`, code: "BAD_REQUEST", message: expected }]
					: [],
			),
		);
		expect(parsed.batch.bots.map((bot) => [bot.id, bot.createdAt.getTime()])).toStrictEqual(
			cases.flatMap(([, expected], index) => (typeof expected === "number" ? [[`b${index}`, expected]] : [])),
		);
	});
});
