import { Clock, Context, Effect } from "effect";
import { z } from "zod";
import { InvalidInput, type StorageError } from "./errors.ts";
import { countIngestItems } from "./metrics.ts";

/**
 * The ingest contract (contract §2.1): request schemas, per-item validation, result shapes and the repository service
 * that stores a validated batch. The PostgreSQL implementation lives in `packages/db`.
 */

/** Collections in the order they are applied, so a batch can carry a parent and its children together. */
export const ingestCollections = [
	"contacts",
	"bots",
	"datasets",
	"skillsets",
	"conversations",
	"messages",
	"ratings",
	"records",
	"abilities",
	"files",
] as const;
export type IngestCollection = (typeof ingestCollections)[number];

export const MAX_INGEST_ITEMS = 10_000;

/** Per-item error codes: a field is invalid, or a referenced parent does not exist in the account. */
export type IngestItemErrorCode = "BAD_REQUEST" | "NOT_FOUND";

export interface IngestItemError {
	readonly collection: IngestCollection;
	/** Position of the item in its collection's array. */
	readonly index: number;
	/** The item's `id` when it has a string one, else null. */
	readonly id: string | null;
	readonly code: IngestItemErrorCode;
	readonly message: string;
}

export type CollectionCounts = Readonly<Record<IngestCollection, number>>;

export interface IngestResult {
	readonly inserted: CollectionCounts;
	readonly duplicates: CollectionCounts;
	readonly errors: ReadonlyArray<IngestItemError>;
}

export interface EraseResult {
	/** How many of the requested ids existed and were erased (not counting what cascaded from them). */
	readonly deleted: CollectionCounts;
}

// ---------------------------------------------------------------------------------------------------------------
// Item schemas

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export const entityId = z
	.string({ error: "must be a string" })
	.min(1, { error: "must be 1–64 characters" })
	.max(64, { error: "must be 1–64 characters" })
	.regex(ID_PATTERN, { error: "must contain only A–Z, a–z, 0–9, _ and -" });

/**
 * The instants an item may carry: years 1–9999 in UTC. PostgreSQL reads no year 0 in ISO-8601 and later instants
 * have no four-digit-year form; either reached the database as "date/time field value out of range" and failed the
 * whole request.
 */
const MIN_EPOCH_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const MAX_EPOCH_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const RANGE_ERROR = "must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z";

/**
 * An ISO-8601 date-time the pattern accepted (which already refuses days a month lacks and hour 24), as an instant,
 * or the reason it is none.
 */
const isoInstant = (text: string): Date | string => {
	const time = Date.parse(text);
	return time >= MIN_EPOCH_MS && time <= MAX_EPOCH_MS ? new Date(time) : RANGE_ERROR;
};

/** ISO-8601 date-time with a `Z` or `±hh:mm` offset, or epoch milliseconds. Absent means "now" (filled at ingest). */
const createdAt = z
	.union(
		[
			z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time with an offset, or epoch milliseconds" }),
			z
				.number()
				.int({ error: "epoch milliseconds must be an integer" })
				.min(0, { error: "epoch milliseconds must be ≥ 0" })
				.max(MAX_EPOCH_MS, { error: "epoch milliseconds out of range" }),
		],
		{ error: "must be an ISO-8601 date-time with an offset, or epoch milliseconds" },
	)
	.transform((value, ctx) => {
		if (typeof value === "number") return new Date(value);
		const instant = isoInstant(value);
		if (instant instanceof Date) return instant;
		ctx.issues.push({ code: "custom", message: instant, input: value });
		return z.NEVER;
	})
	.optional();

/** PostgreSQL text cannot hold U+0000; such a value is the item's error, not the whole request's storage failure. */
const withoutNul = (value: string) => !value.includes("\u0000");
const nulError = { error: "must not contain the NUL character (\\u0000)" };

const optionalText = (max: number) =>
	z
		.string({ error: "must be a string or null" })
		.max(max, { error: `must be at most ${max} characters` })
		.refine(withoutNul, nulError)
		.nullish()
		.transform((value) => value ?? null);

const optionalId = entityId.nullish().transform((value) => value ?? null);

const base = { id: entityId, createdAt };

export const itemSchemas = {
	contacts: z.object({
		...base,
		name: optionalText(512),
		email: optionalText(512),
		nick: optionalText(512),
	}),
	bots: z.object({ ...base, name: optionalText(512) }),
	datasets: z.object({ ...base, name: optionalText(512) }),
	skillsets: z.object({ ...base, name: optionalText(512) }),
	conversations: z.object({ ...base, botId: optionalId, contactId: optionalId }),
	messages: z.object({
		...base,
		conversationId: entityId,
		type: z
			.string({ error: "must be a string" })
			.min(1, { error: "must be 1–64 characters" })
			.max(64, { error: "must be 1–64 characters" })
			.refine(withoutNul, nulError),
		tokens: z
			.number({ error: "must be an integer ≥ 0" })
			.int({ error: "must be an integer ≥ 0" })
			.min(0, { error: "must be an integer ≥ 0" })
			.max(2_147_483_647, { error: "must be at most 2147483647" })
			.default(0),
		/** The action of an `activity` message; either part may be absent (reports rank it under "unknown"). */
		action: z
			.object({
				type: optionalText(256),
				name: optionalText(256),
			})
			.nullish()
			.transform((value) => value ?? null),
	}),
	ratings: z.object({
		...base,
		value: z
			.number({ error: "must be an integer from -100 to 100" })
			.int({ error: "must be an integer from -100 to 100" })
			.min(-100, { error: "must be an integer from -100 to 100" })
			.max(100, { error: "must be an integer from -100 to 100" }),
		reason: optionalText(4096),
		botId: optionalId,
		conversationId: optionalId,
		messageId: optionalId,
		contactId: optionalId,
	}),
	records: z.object({ ...base, datasetId: entityId }),
	abilities: z.object({ ...base, name: optionalText(512), skillsetId: optionalId }),
	files: z.object({ ...base, name: optionalText(512) }),
} satisfies Record<IngestCollection, z.ZodType>;

type Parsed<C extends IngestCollection> = z.output<(typeof itemSchemas)[C]>;

// ---------------------------------------------------------------------------------------------------------------
// Fast path
//
// The schemas above cost ~10 µs an item (unions that build issues before trying their next branch, transforms,
// refinements): a quarter of a core at 20,000 items/s. Producers send well-formed items, so each collection has a
// hand-written check for the common shapes that returns exactly what its schema returns, or NOT_FAST for anything
// else — which the schema then parses, with its messages. `ingest.test.ts` holds the two to the same output on
// generated, mutated and edge-case items.

const NOT_FAST: unique symbol = Symbol("not fast");
type Fast<A> = A | typeof NOT_FAST;

/** The same expression `z.iso.datetime({ offset: true })` checks. */
const DATETIME_PATTERN = z.core.regexes.datetime({ offset: true });

const fastId = (value: unknown): Fast<string> =>
	typeof value === "string" && value.length >= 1 && value.length <= 64 && ID_PATTERN.test(value) ? value : NOT_FAST;

const fastOptionalId = (value: unknown): Fast<string | null> => (value == null ? null : fastId(value));

const fastOptionalText = (value: unknown, max: number): Fast<string | null> =>
	value == null ? null : typeof value === "string" && value.length <= max && withoutNul(value) ? value : NOT_FAST;

/** `undefined` when absent or `undefined`. */
const fastCreatedAt = (value: unknown): Fast<Date | undefined> => {
	if (value === undefined) return undefined;
	if (typeof value === "number") {
		return Number.isInteger(value) && value >= 0 && value <= MAX_EPOCH_MS ? new Date(value) : NOT_FAST;
	}
	if (typeof value !== "string" || !DATETIME_PATTERN.test(value)) return NOT_FAST;
	const instant = isoInstant(value);
	return instant instanceof Date ? instant : NOT_FAST;
};

const fastInteger = (value: unknown, min: number, max: number): Fast<number> =>
	typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? value : NOT_FAST;

/** Builds the item from its fields' fast checks; NOT_FAST as soon as one of them is. */
const fastItem = (
	raw: Record<string, unknown>,
	fields: ReadonlyArray<readonly [string, (value: unknown) => unknown]>,
): Fast<Record<string, unknown>> => {
	const id = fastId(raw.id);
	if (id === NOT_FAST) return NOT_FAST;
	const createdAt = fastCreatedAt(raw.createdAt);
	if (createdAt === NOT_FAST) return NOT_FAST;
	// As the schema does: an absent `createdAt` stays absent, one given as `undefined` stays `undefined`.
	const item: Record<string, unknown> = createdAt === undefined && !("createdAt" in raw) ? { id } : { id, createdAt };
	for (const [key, check] of fields) {
		const value = check(raw[key]);
		if (value === NOT_FAST) return NOT_FAST;
		item[key] = value;
	}
	return item;
};

const text = (max: number) => (value: unknown) => fastOptionalText(value, max);
const messageType = (value: unknown): Fast<string> =>
	typeof value === "string" && value.length >= 1 && value.length <= 64 && withoutNul(value) ? value : NOT_FAST;
const action = (value: unknown): Fast<{ type: string | null; name: string | null } | null> => {
	if (value == null) return null;
	if (typeof value !== "object" || Array.isArray(value)) return NOT_FAST;
	const { type, name } = value as Record<string, unknown>;
	const fastType = fastOptionalText(type, 256);
	const fastName = fastOptionalText(name, 256);
	return fastType === NOT_FAST || fastName === NOT_FAST ? NOT_FAST : { type: fastType, name: fastName };
};

const fastFields: { readonly [C in IngestCollection]: ReadonlyArray<readonly [string, (value: unknown) => unknown]> } =
	{
		contacts: [
			["name", text(512)],
			["email", text(512)],
			["nick", text(512)],
		],
		bots: [["name", text(512)]],
		datasets: [["name", text(512)]],
		skillsets: [["name", text(512)]],
		conversations: [
			["botId", fastOptionalId],
			["contactId", fastOptionalId],
		],
		messages: [
			["conversationId", fastId],
			["type", messageType],
			["tokens", (value) => (value === undefined ? 0 : fastInteger(value, 0, 2_147_483_647))],
			["action", action],
		],
		ratings: [
			["value", (value) => fastInteger(value, -100, 100)],
			["reason", text(4096)],
			["botId", fastOptionalId],
			["conversationId", fastOptionalId],
			["messageId", fastOptionalId],
			["contactId", fastOptionalId],
		],
		records: [["datasetId", fastId]],
		abilities: [
			["name", text(512)],
			["skillsetId", fastOptionalId],
		],
		files: [["name", text(512)]],
	};

/**
 * An item of `collection` as its schema parses it, when it has one of the common well-formed shapes; `undefined`
 * otherwise (then only the schema can say whether, and why, it is invalid). Exported for the tests.
 */
export const parseItemFast = <C extends IngestCollection>(
	collection: C,
	raw: Record<string, unknown>,
): Parsed<C> | undefined => {
	const item = fastItem(raw, fastFields[collection]);
	return item === NOT_FAST ? undefined : (item as Parsed<C>);
};

/** A validated item: its fields with `createdAt` resolved, plus its position in the request. */
export type IngestItem<C extends IngestCollection> = Omit<Parsed<C>, "createdAt"> & {
	readonly createdAt: Date;
	readonly index: number;
};

export type ContactItem = IngestItem<"contacts">;
export type BotItem = IngestItem<"bots">;
export type ConversationItem = IngestItem<"conversations">;
export type MessageItem = IngestItem<"messages">;
export type RatingItem = IngestItem<"ratings">;
export type RecordItem = IngestItem<"records">;
export type AbilityItem = IngestItem<"abilities">;
export type NamedItem = IngestItem<"datasets">;

/** The valid items of a request, per collection (every collection present, possibly empty). */
export type IngestBatch = { readonly [C in IngestCollection]: ReadonlyArray<IngestItem<C>> };

export interface ParsedIngest {
	readonly batch: IngestBatch;
	/** Items rejected by validation; the repository adds the ones whose parent is missing. */
	readonly errors: ReadonlyArray<IngestItemError>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

const isCollection = (key: string): key is IngestCollection =>
	(ingestCollections as ReadonlyArray<string>).includes(key);

const issueMessage = (issue: z.core.$ZodIssue) => {
	const path = issue.path.map(String).join(".");
	return path ? `${path}: ${issue.message}` : issue.message;
};

export const emptyCounts = (): Record<IngestCollection, number> =>
	Object.fromEntries(ingestCollections.map((collection) => [collection, 0])) as Record<IngestCollection, number>;

/**
 * Validates an ingest body. The body as a whole is rejected (InvalidInput) when it is not an object, names an
 * unknown collection, has a collection that is not an array, or carries more than 10,000 items; otherwise each bad
 * item is reported alone and the valid ones go on. `now` fills in a missing `createdAt`.
 */
export const parseIngestBody = (body: unknown, now: Date): ParsedIngest | InvalidInput => {
	if (!isPlainObject(body)) return new InvalidInput({ message: "The ingest body must be a JSON object" });
	let total = 0;
	for (const [key, value] of Object.entries(body)) {
		if (!isCollection(key)) {
			return new InvalidInput({
				message: `Unknown collection "${key}"; expected one of ${ingestCollections.join(", ")}`,
				field: key,
			});
		}
		if (value === undefined) continue;
		if (!Array.isArray(value)) return new InvalidInput({ message: `${key} must be an array of items`, field: key });
		total += value.length;
	}
	if (total > MAX_INGEST_ITEMS) {
		return new InvalidInput({
			message: `An ingest request carries at most ${MAX_INGEST_ITEMS} items (got ${total})`,
		});
	}
	const errors: Array<IngestItemError> = [];
	const batch: Record<string, Array<unknown>> = {};
	for (const collection of ingestCollections) {
		const items = (body[collection] as ReadonlyArray<unknown> | undefined) ?? [];
		const valid: Array<unknown> = [];
		const schema: z.ZodType = itemSchemas[collection];
		items.forEach((raw, index) => {
			const id = isPlainObject(raw) && typeof raw.id === "string" ? raw.id : null;
			if (!isPlainObject(raw)) {
				errors.push({ collection, index, id, code: "BAD_REQUEST", message: "item must be an object" });
				return;
			}
			const fast = parseItemFast(collection, raw) as { createdAt?: Date } | undefined;
			const result = fast === undefined ? schema.safeParse(raw) : undefined;
			if (result && !result.success) {
				const message = result.error.issues.map(issueMessage).join("; ");
				errors.push({ collection, index, id, code: "BAD_REQUEST", message });
				return;
			}
			const item = (fast ?? result?.data) as { createdAt?: Date };
			valid.push({ ...item, createdAt: item.createdAt ?? now, index });
		});
		batch[collection] = valid;
	}
	return { batch: batch as unknown as IngestBatch, errors };
};

// ---------------------------------------------------------------------------------------------------------------
// Delete

const idList = z.array(entityId).max(MAX_INGEST_ITEMS).optional();

export const eraseBodySchema = z.strictObject(
	Object.fromEntries(ingestCollections.map((collection) => [collection, idList])) as Record<
		IngestCollection,
		typeof idList
	>,
	{ error: (issue) => (issue.code === "unrecognized_keys" ? "unknown collection" : "must be a JSON object") },
);

export type EraseRequest = { readonly [C in IngestCollection]?: ReadonlyArray<string> };

/** Validates a delete body: `{contacts?: ids, conversations?: ids, ...}`, at most 10,000 ids in all. */
export const parseEraseBody = (body: unknown): EraseRequest | InvalidInput => {
	const result = eraseBodySchema.safeParse(body);
	if (!result.success) {
		const issue = result.error.issues[0]!;
		const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
		const field = [...issue.path.map(String), ...keys].join(".") || undefined;
		return new InvalidInput({ message: field ? `${field}: ${issue.message}` : issue.message, field });
	}
	const total = Object.values(result.data).reduce((sum, ids) => sum + (ids?.length ?? 0), 0);
	if (total > MAX_INGEST_ITEMS) {
		return new InvalidInput({ message: `A delete request names at most ${MAX_INGEST_ITEMS} ids (got ${total})` });
	}
	return result.data;
};

// ---------------------------------------------------------------------------------------------------------------
// Service and programs

export class IngestRepository extends Context.Service<
	IngestRepository,
	{
		/**
		 * Stores a validated batch in one transaction, collections in `ingestCollections` order. Items whose id is
		 * already stored count as duplicates; items whose parent is missing in the account are returned as errors.
		 */
		readonly ingest: (accountId: string, batch: IngestBatch) => Effect.Effect<IngestResult, StorageError>;
		/** Erases the named items and everything hanging off them, in one transaction. */
		readonly erase: (accountId: string, request: EraseRequest) => Effect.Effect<EraseResult, StorageError>;
	}
>()("@convolens/core/IngestRepository") {}

const byCollectionThenIndex = (a: IngestItemError, b: IngestItemError) =>
	ingestCollections.indexOf(a.collection) - ingestCollections.indexOf(b.collection) || a.index - b.index;

/** The ingest program: validate the body (missing `createdAt` = the clock's now), store, merge the errors. */
export const runIngest = Effect.fn("Ingest.runIngest")(function* (accountId: string, body: unknown) {
	const repository = yield* IngestRepository;
	const now = new Date(yield* Clock.currentTimeMillis);
	const parsed = parseIngestBody(body, now);
	if (parsed instanceof InvalidInput) return yield* parsed;
	const stored = yield* repository.ingest(accountId, parsed.batch);
	for (const collection of ingestCollections) {
		yield* countIngestItems(collection, "inserted", stored.inserted[collection] ?? 0);
		yield* countIngestItems(collection, "duplicate", stored.duplicates[collection] ?? 0);
	}
	const errors = [...parsed.errors, ...stored.errors];
	for (const collection of ingestCollections) {
		yield* countIngestItems(collection, "rejected", errors.filter((error) => error.collection === collection).length);
	}
	return {
		inserted: stored.inserted,
		duplicates: stored.duplicates,
		errors: errors.sort(byCollectionThenIndex),
	} satisfies IngestResult;
});

/**
 * Strict parse for trusted producers (demo and synthetic data): the batch, or InvalidInput naming the first bad
 * item. The API uses `runIngest`, which stores the valid items and reports the bad ones.
 */
export const parseIngestBatch = Effect.fn("Ingest.parseIngestBatch")(function* (body: unknown) {
	const now = new Date(yield* Clock.currentTimeMillis);
	const parsed = parseIngestBody(body, now);
	if (parsed instanceof InvalidInput) return yield* parsed;
	const first = parsed.errors[0];
	if (first) {
		return yield* new InvalidInput({
			message: `${first.collection}[${first.index}]: ${first.message}`,
			field: `${first.collection}.${first.index}`,
		});
	}
	return parsed.batch;
});

/** The delete program: validate the body, erase with cascade. */
export const runErase = Effect.fn("Ingest.runErase")(function* (accountId: string, body: unknown) {
	const repository = yield* IngestRepository;
	const request = parseEraseBody(body);
	if (request instanceof InvalidInput) return yield* request;
	return yield* repository.erase(accountId, request);
});
