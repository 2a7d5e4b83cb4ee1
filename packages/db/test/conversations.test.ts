import { type ConversationsPage, InvalidInput, listConversations, runIngest, TenantRepository } from "@convolens/core";
import { assert, layer } from "@effect/vitest";
import { Effect, Fiber, Queue } from "effect";
import { testDatabaseLayer } from "../src/testing/index.ts";

/**
 * The drill-down over PostgreSQL: conversations of a range, newest first (same instant: by id, descending), by bot,
 * contact and thumbs, page after page with the cursor; each conversation's counts come from its own messages and
 * ratings. The expected lists are written out by hand.
 */
const body = {
	bots: [{ id: "b1" }, { id: "b2" }],
	contacts: [{ id: "u1" }, { id: "u2" }],
	conversations: [
		{ id: "c1", botId: "b1", contactId: "u1", createdAt: "2026-11-20T10:00:00Z" },
		{ id: "c2", botId: "b1", contactId: "u2", createdAt: "2026-11-20T11:00:00Z" },
		{ id: "c3", botId: "b2", contactId: "u1", createdAt: "2026-11-20T11:00:00Z" },
		{ id: "c4", botId: "b2", contactId: null, createdAt: "2026-11-21T09:00:00Z" },
		{ id: "c5", botId: null, contactId: "u2", createdAt: "2026-11-22T09:00:00Z" },
		// Outside the range asked for below.
		{ id: "c0", botId: "b1", contactId: "u1", createdAt: "2026-11-19T23:59:59.999Z" },
		{ id: "c9", botId: "b1", contactId: "u1", createdAt: "2026-11-23T00:00:00Z" },
	],
	messages: [
		{ id: "m1", conversationId: "c1", type: "user", tokens: 5, createdAt: "2026-11-20T10:00:01Z" },
		{ id: "m2", conversationId: "c1", type: "bot", tokens: 7, createdAt: "2026-11-20T10:00:02Z" },
		{ id: "m3", conversationId: "c1", type: "activity", tokens: 0, createdAt: "2026-11-20T10:00:03Z" },
		{ id: "m4", conversationId: "c2", type: "user", tokens: 1, createdAt: "2026-11-20T11:00:01Z" },
		{ id: "m5", conversationId: "c2", type: "user", tokens: 1, createdAt: "2026-11-20T11:00:02Z" },
		// A message sent days later still counts for its conversation.
		{ id: "m6", conversationId: "c3", type: "bot", tokens: 9, createdAt: "2026-11-25T08:00:00Z" },
	],
	ratings: [
		{ id: "r1", conversationId: "c1", value: 1, createdAt: "2026-11-20T10:05:00Z" },
		{ id: "r2", conversationId: "c1", value: -1, createdAt: "2026-11-20T10:06:00Z" },
		{ id: "r3", conversationId: "c3", value: -50, createdAt: "2026-11-20T12:00:00Z" },
		{ id: "r4", conversationId: "c5", value: 0, createdAt: "2026-11-22T10:00:00Z" },
	],
};

const summary = (
	id: string,
	botId: string | null,
	contactId: string | null,
	createdAt: string,
	[userMessages, botMessages, activityMessages, tokens, thumbsUp, thumbsDown]: readonly [
		number,
		number,
		number,
		number,
		number,
		number,
	],
) => ({ id, botId, contactId, createdAt, userMessages, botMessages, activityMessages, tokens, thumbsUp, thumbsDown });

const c5 = summary("c5", null, "u2", "2026-11-22T09:00:00.000Z", [0, 0, 0, 0, 0, 0]);
const c4 = summary("c4", "b2", null, "2026-11-21T09:00:00.000Z", [0, 0, 0, 0, 0, 0]);
const c3 = summary("c3", "b2", "u1", "2026-11-20T11:00:00.000Z", [0, 1, 0, 9, 0, 1]);
const c2 = summary("c2", "b1", "u2", "2026-11-20T11:00:00.000Z", [2, 0, 0, 2, 0, 0]);
const c1 = summary("c1", "b1", "u1", "2026-11-20T10:00:00.000Z", [1, 1, 1, 12, 1, 1]);

const range = { start: "2026-11-20T00:00:00Z", end: "2026-11-23T00:00:00Z" };

layer(testDatabaseLayer(), { timeout: "120 seconds" })("drill-down to conversations", (it) => {
	const account = Effect.gen(function* () {
		const tenants = yield* TenantRepository;
		const created = yield* tenants.createAccount({ name: "Drill-down" });
		const result = yield* runIngest(created.id, body);
		assert.deepStrictEqual(result.errors, []);
		return created.id;
	}).pipe(Effect.cached);

	it.effect("lists the range newest first, ties by id descending, with each conversation's counts", () =>
		Effect.gen(function* () {
			const accountId = yield* yield* account;
			const page = yield* listConversations(accountId, range);
			assert.deepStrictEqual(page, { items: [c5, c4, c3, c2, c1] });
		}),
	);

	it.effect("filters by bot, contact and thumbs", () =>
		Effect.gen(function* () {
			const accountId = yield* yield* account;
			const ids = (input: Record<string, unknown>) =>
				Effect.map(listConversations(accountId, { ...range, ...input }), (page: ConversationsPage) =>
					page.items.map((item) => item.id),
				);
			assert.deepStrictEqual(yield* ids({ botId: "b1" }), ["c2", "c1"]);
			assert.deepStrictEqual(yield* ids({ contactId: "u1" }), ["c3", "c1"]);
			assert.deepStrictEqual(yield* ids({ rating: "up" }), ["c1"]);
			assert.deepStrictEqual(yield* ids({ rating: "down" }), ["c3", "c1"]);
			assert.deepStrictEqual(yield* ids({ botId: "b2", rating: "down" }), ["c3"]);
			assert.deepStrictEqual(yield* ids({ botId: "nobody" }), []);
		}),
	);

	it.effect("pages with the cursor through exactly the whole list, across equal instants", () =>
		Effect.gen(function* () {
			const accountId = yield* yield* account;
			const first = yield* listConversations(accountId, { ...range, take: 2 });
			assert.deepStrictEqual(first.items, [c5, c4]);
			assert.isString(first.cursor);
			const second = yield* listConversations(accountId, { ...range, take: 2, cursor: first.cursor });
			assert.deepStrictEqual(second.items, [c3, c2]);
			const third = yield* listConversations(accountId, { ...range, take: 2, cursor: second.cursor });
			assert.deepStrictEqual(third, { items: [c1] });
		}),
	);

	it.effect("names what is wrong with a request", () =>
		Effect.gen(function* () {
			const accountId = yield* yield* account;
			const fails = (input: Record<string, unknown>) => Effect.flip(listConversations(accountId, input));
			const cases: ReadonlyArray<[Record<string, unknown>, string, string]> = [
				[{ end: range.end }, "start", "start is required"],
				[{ ...range, end: range.start }, "end", "end must be after start"],
				[{ ...range, start: "yesterday" }, "start", "ISO-8601"],
				[{ ...range, take: 101 }, "take", "take must be at most 100"],
				[{ ...range, take: 1e308 }, "take", "take must be at most 100"],
				[{ ...range, rating: "meh" }, "rating", "rating"],
				[{ ...range, cursor: "not-a-cursor" }, "cursor", "cursor"],
				[{ ...range, start: "0000-01-01T00:00:00Z" }, "start", "years 1–9999"],
			];
			for (const [input, field, message] of cases) {
				const error = yield* fails(input);
				assert.instanceOf(error, InvalidInput, JSON.stringify(input));
				if (error instanceof InvalidInput) {
					assert.strictEqual(error.field, field, JSON.stringify(input));
					assert.include(error.message, message, JSON.stringify(input));
				}
			}
		}),
	);

	it.effect(
		"pages while another task ingests: nothing repeats, nothing present at the first page is skipped",
		() =>
			Effect.gen(function* () {
				const tenants = yield* TenantRepository;
				const { id: accountId } = yield* tenants.createAccount({ name: "Paging under ingest" });
				const day = Date.parse("2026-11-10T00:00:00Z");
				const at = (minutes: number) => new Date(day + minutes * 60_000).toISOString();
				// 40 conversations over the day; every fourth instant is shared by four ids whose byte order is not
				// their case-folded order ("A" < "Z" < "_" < "a"), so the cursor has ties to cross.
				const tied = ["A", "Z", "_", "a"];
				const existing = Array.from({ length: 40 }, (_, index) => ({
					id: index % 4 === 0 ? `e${index}` : `e${index - (index % 4)}${tied[index % 4]}`,
					createdAt: at(30 * (index - (index % 4))),
				}));
				yield* runIngest(accountId, { conversations: existing });
				const dayRange = { start: at(0), end: at(24 * 60) };

				// One batch per page turn: conversations newer than anything listed, and late ones in the middle of
				// the day, some at instants already listed (ties again) and some between them.
				const batch = (turn: number) => ({
					conversations: [
						{ id: `new${turn}`, createdAt: at(23 * 60 + turn) },
						{ id: `late${turn}`, createdAt: at(30 * 4 * (turn % 10)) },
						{ id: `late${turn}x`, createdAt: at(30 * 4 * (9 - (turn % 10)) + 7) },
					],
				});
				const turns = yield* Queue.unbounded<number>();
				const ingested = yield* Queue.unbounded<number>();
				const ingester = yield* Effect.forkChild(
					Effect.gen(function* () {
						for (let turn = 0; ; turn++) {
							yield* Queue.take(turns);
							const result = yield* runIngest(accountId, batch(turn));
							assert.deepStrictEqual(result.errors, []);
							yield* Queue.offer(ingested, turn);
						}
					}),
				);

				const seen: Array<{ id: string; createdAt: string }> = [];
				let cursor: string | undefined;
				let pages = 0;
				do {
					const page: ConversationsPage = yield* listConversations(accountId, {
						...dayRange,
						take: 3,
						...(cursor === undefined ? {} : { cursor }),
					});
					seen.push(...page.items.map(({ id, createdAt }) => ({ id, createdAt })));
					cursor = page.cursor;
					pages++;
					if (cursor !== undefined) {
						// The next batch is stored while the next page is read, and the one before is stored already.
						yield* Queue.offer(turns, pages);
						if (pages > 1) yield* Queue.take(ingested);
					}
				} while (cursor !== undefined);
				yield* Fiber.interrupt(ingester);

				const ids = seen.map((item) => item.id);
				assert.strictEqual(new Set(ids).size, ids.length, "no conversation is listed twice");
				for (const conversation of existing) assert.include(ids, conversation.id);
				// Newest first across the whole walk (same instant: id in byte order, descending).
				for (let index = 1; index < seen.length; index++) {
					const [before, after] = [seen[index - 1]!, seen[index]!];
					assert.isTrue(
						before.createdAt > after.createdAt || (before.createdAt === after.createdAt && before.id > after.id),
						`${before.id} before ${after.id}`,
					);
				}
				// Conversations newer than the first page never push into later pages.
				assert.deepStrictEqual(
					ids.filter((id) => id.startsWith("new")),
					[],
				);
				assert.isAbove(pages, 10);
			}),
		{ timeout: 60_000 },
	);
});
