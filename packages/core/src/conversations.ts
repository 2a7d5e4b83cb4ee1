/**
 * Drill-down (contract §8.4): the conversations behind a point of a chart — created in `[start, end)`, optionally of
 * one bot or contact, or only those with a thumbs up or down — newest first, a page at a time. Pages are keyset
 * pages: the cursor names the last conversation of a page, so a conversation ingested meanwhile never shifts one.
 */
import { Effect } from "effect";
import { z } from "zod";
import { InvalidInput } from "./errors.ts";
import { entityId } from "./ingest.ts";
import { parseInput } from "./input.ts";
import { ActivityRepository, type ConversationSummary } from "./repositories.ts";

export const MAX_CONVERSATIONS_PAGE = 100;

const instant = (field: string) =>
	z.iso.datetime({ offset: true, error: `${field} must be an ISO-8601 date-time with an offset` });

export const conversationsInput = z.object({
	start: instant("start").describe("First instant of the range (inclusive), ISO-8601 with an offset"),
	end: instant("end").describe("End of the range (exclusive), ISO-8601 with an offset"),
	botId: entityId.optional().describe("Only this bot's conversations"),
	contactId: entityId.optional().describe("Only this contact's conversations"),
	rating: z
		.enum(["up", "down"])
		.optional()
		.describe("Only conversations with at least one thumbs up (up) or at least one thumbs down (down)"),
	take: z
		.number()
		.min(1)
		.max(MAX_CONVERSATIONS_PAGE)
		.int()
		.default(25)
		.describe(`Conversations per page (1–${MAX_CONVERSATIONS_PAGE}, default 25)`),
	cursor: z.string().max(200).optional().describe("The cursor of the previous page"),
});

export type ConversationsInput = z.input<typeof conversationsInput>;

export interface ConversationItem extends Omit<ConversationSummary, "createdAt"> {
	/** ISO-8601 instant. */
	readonly createdAt: string;
}

export interface ConversationsPage {
	readonly items: ReadonlyArray<ConversationItem>;
	/** Present while more conversations remain: pass it back as `cursor` for the next page. */
	readonly cursor?: string;
}

/** The instants a range may name: years 1–9999, as everything stored. */
const MIN_MS = Date.parse("0001-01-01T00:00:00Z");
const MAX_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** A cursor names the last conversation of a page: its creation in epoch milliseconds and its id (no dot in ids). */
const encodeCursor = (summary: ConversationSummary) => `${summary.createdAt.getTime()}.${summary.id}`;

const decodeCursor = (cursor: string): { createdAt: Date; id: string } | undefined => {
	const dot = cursor.indexOf(".");
	const time = Number(cursor.slice(0, dot));
	const id = cursor.slice(dot + 1);
	if (dot <= 0 || !Number.isInteger(time) || time < MIN_MS || time > MAX_MS) return undefined;
	return entityId.safeParse(id).success ? { createdAt: new Date(time), id } : undefined;
};

/** One page of the account's conversations for `rawInput` (validated here: a bad field is `InvalidInput`). */
export const listConversations = Effect.fn("Conversations.list")(function* (accountId: string, rawInput: unknown) {
	const input = yield* parseInput(conversationsInput, rawInput);
	const start = Date.parse(input.start);
	const end = Date.parse(input.end);
	for (const [field, value] of [
		["start", start],
		["end", end],
	] as const) {
		if (!(value >= MIN_MS && value <= MAX_MS)) {
			return yield* new InvalidInput({ message: `${field} must lie in years 1–9999`, field });
		}
	}
	if (end <= start) return yield* new InvalidInput({ message: "end must be after start", field: "end" });
	const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
	if (input.cursor !== undefined && after === undefined) {
		return yield* new InvalidInput({ message: "cursor: not a cursor this API returned", field: "cursor" });
	}
	const repository = yield* ActivityRepository;
	// One more than the page: whether more remain, without counting them.
	const rows = yield* repository.conversations({
		accountId,
		range: { start, end },
		botId: input.botId,
		contactId: input.contactId,
		rating: input.rating,
		after,
		limit: input.take + 1,
	});
	const page = rows.slice(0, input.take);
	const last = page.at(-1);
	const items = page.map((row): ConversationItem => ({ ...row, createdAt: row.createdAt.toISOString() }));
	return rows.length > input.take && last !== undefined ? { items, cursor: encodeCursor(last) } : { items };
});
