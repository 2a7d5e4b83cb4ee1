import { IngestRepository, InvalidInput, runErase, runIngest } from "@convolens/core";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import fc from "fast-check";
import { expect } from "vitest";
import { Database } from "../src/database.ts";
import { CONTACT_DAY_MAX_PARTS, contactDayLock } from "../src/rollups/index.ts";
import { testDatabaseLayer } from "../src/testing/index.ts";
import { newAccount } from "./support.ts";

const count = (table: string, accountId: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const rows = yield* query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`, [
			accountId,
		]);
		return rows[0]!.n;
	});

const at = "2026-03-01T10:00:00Z";

/** The packed parts of an account's day, and whether one of them is a merge (part 0). */
const dayParts = (accountId: string, day: Date) =>
	Effect.flatMap(Database, ({ query }) =>
		query<{ parts: number; merged: boolean }>(
			"SELECT count(*)::int AS parts, coalesce(bool_or(part = 0), false) AS merged FROM contact_day WHERE account_id = $1 AND day = $2",
			[accountId, day],
		),
	).pipe(Effect.map((rows) => rows[0]!));

/** One conversation of a new contact `u<index>`, `index` minutes into `day`, in a request of its own. */
const conversationOn = (accountId: string, index: number, day: Date) =>
	runIngest(accountId, {
		contacts: [{ id: `u${index}` }],
		conversations: [
			{ id: `c${index}`, contactId: `u${index}`, createdAt: new Date(day.getTime() + index * 60_000).toISOString() },
		],
	});

layer(testDatabaseLayer(), { timeout: "120 seconds" })("ingest", (it) => {
	it.effect("stores a conversation and its messages sent together, parents first", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const result = yield* runIngest(account, {
				messages: [
					{ id: "m1", conversationId: "c1", type: "user", tokens: 3, createdAt: at },
					{ id: "m2", conversationId: "c1", type: "activity", action: { type: "tool", name: "search" } },
				],
				conversations: [{ id: "c1", botId: "b1", contactId: "u1", createdAt: at }],
				bots: [{ id: "b1", name: "Helper bot" }],
				contacts: [{ id: "u1", email: "u1@example.com" }],
			});
			assert.deepStrictEqual(result.errors, []);
			assert.strictEqual(result.inserted.messages, 2);
			assert.strictEqual(result.inserted.conversations, 1);
			const { query } = yield* Database;
			const rows = yield* query<Record<string, unknown>>(
				"SELECT id, bot_id, contact_id, tokens, action_type, action_name, created_at FROM message WHERE account_id = $1 ORDER BY id",
				[account],
			);
			assert.deepStrictEqual(
				rows.map((row) => [row.id, row.bot_id, row.contact_id, row.tokens, row.action_type, row.action_name]),
				[
					["m1", "b1", "u1", 3, null, null],
					["m2", "b1", "u1", 0, "tool", "search"],
				],
			);
			assert.strictEqual(new Date(rows[0]!.created_at as Date).toISOString(), "2026-03-01T10:00:00.000Z");
		}),
	);

	it.effect("is idempotent: a repeated id counts as a duplicate and changes nothing", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			yield* runIngest(account, { bots: [{ id: "b1", name: "first" }] });
			const again = yield* runIngest(account, {
				bots: [
					{ id: "b1", name: "second" },
					{ id: "b2", name: "new" },
					{ id: "b2", name: "repeated in the batch" },
				],
			});
			assert.strictEqual(again.inserted.bots, 1);
			assert.strictEqual(again.duplicates.bots, 2);
			const { query } = yield* Database;
			const rows = yield* query<{ id: string; name: string }>(
				"SELECT id, name FROM bot WHERE account_id = $1 ORDER BY id",
				[account],
			);
			assert.deepStrictEqual(rows, [
				{ id: "b1", name: "first" },
				{ id: "b2", name: "new" },
			]);
		}),
	);

	it.effect("rejects each bad item alone, naming the field, and stores the rest", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const result = yield* runIngest(account, {
				conversations: [{ id: "c1" }],
				messages: [
					{ id: "ok", conversationId: "c1", type: "bot", tokens: 10 },
					{ id: "bad tokens", conversationId: "c1", type: "bot", tokens: -1 },
					{ id: "m3", conversationId: "c1", type: "bot", tokens: 1.5 },
					"not an object",
					{ id: "m5", conversationId: "c1" },
				],
				ratings: [{ id: "r1", value: 101 }],
			});
			assert.strictEqual(result.inserted.messages, 1);
			assert.deepStrictEqual(
				result.errors.map((error) => [error.collection, error.index, error.id, error.code]),
				[
					["messages", 1, "bad tokens", "BAD_REQUEST"],
					["messages", 2, "m3", "BAD_REQUEST"],
					["messages", 3, null, "BAD_REQUEST"],
					["messages", 4, "m5", "BAD_REQUEST"],
					["ratings", 0, "r1", "BAD_REQUEST"],
				],
			);
			assert.match(result.errors[0]!.message, /^id: .*; tokens: must be an integer ≥ 0$/);
			assert.match(result.errors[1]!.message, /tokens/);
			assert.match(result.errors[3]!.message, /type/);
			assert.match(result.errors[4]!.message, /value: must be an integer from -100 to 100/);
			assert.strictEqual(yield* count("message", account), 1);
		}),
	);

	it.effect("reads createdAt as ISO-8601 with an offset or epoch milliseconds, and the clock's now when absent", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			yield* TestClock.setTime(Date.parse("2026-04-05T06:07:08.009Z"));
			const result = yield* runIngest(account, {
				files: [
					{ id: "iso", createdAt: "2026-01-02T03:04:05+05:30" },
					{ id: "epoch", createdAt: 1_767_225_600_000 },
					{ id: "absent" },
					{ id: "no-offset", createdAt: "2026-01-02T03:04:05" },
					{ id: "words", createdAt: "yesterday" },
					{ id: "bad id!" },
					{ id: "x".repeat(65) },
				],
			});
			assert.strictEqual(result.inserted.files, 3);
			assert.deepStrictEqual(
				result.errors.map((error) => [error.index, error.message.split(":")[0]]),
				[
					[3, "createdAt"],
					[4, "createdAt"],
					[5, "id"],
					[6, "id"],
				],
			);
			const { query } = yield* Database;
			const rows = yield* query<{ id: string; created_at: Date }>(
				"SELECT id, created_at FROM file WHERE account_id = $1 ORDER BY id",
				[account],
			);
			assert.deepStrictEqual(
				rows.map((row) => [row.id, new Date(row.created_at).toISOString()]),
				[
					["absent", "2026-04-05T06:07:08.009Z"],
					["epoch", "2026-01-01T00:00:00.000Z"],
					["iso", "2026-01-01T21:34:05.000Z"],
				],
			);
		}),
	);

	it.effect("checks parents inside the account only", () =>
		Effect.gen(function* () {
			const owner = yield* newAccount("owner");
			const other = yield* newAccount("other");
			yield* runIngest(owner, { bots: [{ id: "b1" }], datasets: [{ id: "d1" }], conversations: [{ id: "c1" }] });
			const result = yield* runIngest(other, {
				conversations: [{ id: "c1", botId: "b1" }],
				messages: [{ id: "m1", conversationId: "c1", type: "user" }],
				records: [{ id: "r1", datasetId: "d1" }],
				ratings: [{ id: "x1", value: 1, contactId: "nobody" }],
			});
			assert.deepStrictEqual(
				result.errors.map((error) => [error.collection, error.id, error.code, error.message]),
				[
					["conversations", "c1", "NOT_FOUND", 'botId: no bot "b1" in this account'],
					["messages", "m1", "NOT_FOUND", 'conversationId: no conversation "c1" in this account'],
					["ratings", "x1", "NOT_FOUND", 'contactId: no contact "nobody" in this account'],
					["records", "r1", "NOT_FOUND", 'datasetId: no dataset "d1" in this account'],
				],
			);
			assert.strictEqual(yield* count("conversation", other), 0);
			assert.strictEqual(yield* count("conversation", owner), 1);
		}),
	);

	it.effect("names the first missing parent of an item, and counts parents written earlier in the same batch", () =>
		Effect.gen(function* () {
			const account = yield* newAccount("parents");
			yield* runIngest(account, { bots: [{ id: "b1" }], contacts: [{ id: "k1" }] });
			const result = yield* runIngest(account, {
				conversations: [{ id: "c1", botId: "b1", contactId: "k1" }],
				messages: [{ id: "m1", conversationId: "c1", type: "bot" }],
				ratings: [
					// Parents from the store (bot, contact) and from this batch (conversation, message).
					{ id: "x1", value: 1, botId: "b1", conversationId: "c1", messageId: "m1", contactId: "k1" },
					// Bot, message and contact missing: only the bot, the first parent, is named.
					{ id: "x2", value: -1, botId: "nobot", conversationId: "c1", messageId: "nomsg", contactId: "nok" },
					// Every parent found but the last.
					{ id: "x3", value: 1, botId: "b1", conversationId: "c1", messageId: "m1", contactId: "nok" },
					// The message missing: named although the contact is missing too.
					{ id: "x4", value: 1, conversationId: "c1", messageId: "nomsg", contactId: "nok" },
				],
			});
			assert.deepStrictEqual(
				result.errors.map((error) => [error.id, error.message]),
				[
					["x2", 'botId: no bot "nobot" in this account'],
					["x3", 'contactId: no contact "nok" in this account'],
					["x4", 'messageId: no message "nomsg" in this account'],
				],
			);
			assert.strictEqual(result.inserted.ratings, 1);
			assert.strictEqual(yield* count("rating", account), 1);
		}),
	);

	it.effect("rejects a whole body that is not an object, names an unknown collection, or exceeds 10,000 items", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const notObject = yield* Effect.flip(runIngest(account, [1, 2]));
			assert.instanceOf(notObject, InvalidInput);
			const unknown = yield* Effect.flip(runIngest(account, { users: [] }));
			assert.strictEqual((unknown as InvalidInput).field, "users");
			const notArray = yield* Effect.flip(runIngest(account, { bots: { id: "b1" } }));
			assert.strictEqual((notArray as InvalidInput).field, "bots");
			const tooMany = yield* Effect.flip(
				runIngest(account, {
					bots: Array.from({ length: 6_000 }, (_, i) => ({ id: `b${i}` })),
					files: Array.from({ length: 4_001 }, (_, i) => ({ id: `f${i}` })),
				}),
			);
			assert.match(tooMany.message, /at most 10000 items/);
			assert.strictEqual(yield* count("bot", account), 0);
			const exactly = yield* runIngest(account, { files: Array.from({ length: 10_000 }, (_, i) => ({ id: `f${i}` })) });
			assert.strictEqual(exactly.inserted.files, 10_000);
		}),
	);

	it.effect("erases a contact with its conversations, their messages and ratings, and nothing else", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			yield* runIngest(account, {
				contacts: [{ id: "u1" }, { id: "u2" }],
				bots: [{ id: "b1" }],
				conversations: [
					{ id: "c1", contactId: "u1", botId: "b1" },
					{ id: "c2", contactId: "u2", botId: "b1" },
				],
				messages: [
					{ id: "m1", conversationId: "c1", type: "user" },
					{ id: "m2", conversationId: "c2", type: "user" },
				],
				ratings: [
					{ id: "r1", value: 1, conversationId: "c1" },
					{ id: "r2", value: -1, messageId: "m1" },
					{ id: "r3", value: -1, contactId: "u1" },
					{ id: "r4", value: 1, conversationId: "c2", botId: "b1" },
				],
			});
			const result = yield* runErase(account, { contacts: ["u1", "ghost"] });
			assert.strictEqual(result.deleted.contacts, 1);
			const { query } = yield* Database;
			const ids = (table: string) =>
				query<{ id: string }>(`SELECT id FROM ${table} WHERE account_id = $1 ORDER BY id`, [account]).pipe(
					Effect.map((rows) => rows.map((row) => row.id)),
				);
			assert.deepStrictEqual(yield* ids("contact"), ["u2"]);
			assert.deepStrictEqual(yield* ids("conversation"), ["c2"]);
			assert.deepStrictEqual(yield* ids("message"), ["m2"]);
			assert.deepStrictEqual(yield* ids("rating"), ["r4"]);
			// Erasing the bot takes its remaining conversation and the bot's ratings.
			yield* runErase(account, { bots: ["b1"] });
			assert.deepStrictEqual(yield* ids("conversation"), []);
			assert.deepStrictEqual(yield* ids("message"), []);
			assert.deepStrictEqual(yield* ids("rating"), []);
			assert.deepStrictEqual(yield* ids("contact"), ["u2"]);
		}),
	);

	it.effect("erases only inside the account and rejects an unknown collection", () =>
		Effect.gen(function* () {
			const owner = yield* newAccount("owner");
			const other = yield* newAccount("other");
			yield* runIngest(owner, { datasets: [{ id: "d1" }], records: [{ id: "r1", datasetId: "d1" }] });
			const result = yield* runErase(other, { datasets: ["d1"] });
			assert.strictEqual(result.deleted.datasets, 0);
			assert.strictEqual(yield* count("record", owner), 1);
			const bad = yield* Effect.flip(runErase(owner, { users: ["x"] }));
			assert.strictEqual((bad as InvalidInput).field, "users");
			yield* runErase(owner, { datasets: ["d1"] });
			assert.strictEqual(yield* count("record", owner), 0);
		}),
	);

	it.effect("stores each item once under concurrent overlapping batches from several connections", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const repository = yield* IngestRepository;
			const conversations = Array.from({ length: 200 }, (_, i) => ({ id: `c${i}` }));
			const messages = Array.from({ length: 2_000 }, (_, i) => ({
				id: `m${i}`,
				conversationId: `c${i % 200}`,
				type: "user",
			}));
			// Eight writers, each sending an overlapping window of the same items, in a different order.
			const bodies = Array.from({ length: 8 }, (_, w) => {
				const from = w * 150;
				const slice = messages.slice(from, from + 800);
				return { conversations, messages: w % 2 === 0 ? slice : [...slice].reverse() };
			});
			const results = yield* Effect.forEach(bodies, (body) => runIngest(account, body), { concurrency: 8 });
			const insertedMessages = results.reduce((sum, result) => sum + result.inserted.messages, 0);
			const insertedConversations = results.reduce((sum, result) => sum + result.inserted.conversations, 0);
			const sent = bodies.reduce((sum, body) => sum + body.messages.length, 0);
			const duplicateMessages = results.reduce((sum, result) => sum + result.duplicates.messages, 0);
			const distinct = new Set(bodies.flatMap((body) => body.messages.map((message) => message.id))).size;
			assert.strictEqual(insertedConversations, 200);
			assert.strictEqual(insertedMessages, distinct);
			assert.strictEqual(insertedMessages + duplicateMessages, sent);
			assert.strictEqual(yield* count("message", account), distinct);
			assert.isDefined(repository);
		}),
	);
	it.effect("gives every message its stored conversation's bot and contact, under repeats and concurrent writers", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			yield* runIngest(account, {
				bots: [{ id: "b1" }, { id: "b2" }, { id: "b3" }],
				contacts: [{ id: "u1" }, { id: "u2" }],
			});
			// Repeated in one batch: the first item is stored, its messages copy it.
			const repeated = yield* runIngest(account, {
				conversations: [
					{ id: "r1", botId: "b1", contactId: "u1" },
					{ id: "r1", botId: "b2", contactId: "u2" },
				],
				messages: [{ id: "rm1", conversationId: "r1", type: "user" }],
			});
			assert.deepStrictEqual([repeated.inserted.conversations, repeated.duplicates.conversations], [1, 1]);
			// Six writers send the same new conversations with different owners, each with messages of its own:
			// whichever stores a conversation first, every message must carry that stored row's owners.
			const bodies = Array.from({ length: 6 }, (_, w) => ({
				conversations: Array.from({ length: 40 }, (_, i) => ({
					id: `c${i}`,
					botId: `b${1 + ((i + w) % 3)}`,
					contactId: `u${1 + (w % 2)}`,
				})),
				messages: Array.from({ length: 200 }, (_, i) => ({
					id: `w${w}-m${i}`,
					conversationId: `c${i % 40}`,
					type: "bot",
				})),
			}));
			const results = yield* Effect.forEach(bodies, (body) => runIngest(account, body), { concurrency: 6 });
			assert.deepStrictEqual(
				results.flatMap((result) => result.errors),
				[],
			);
			assert.strictEqual(
				results.reduce((sum, result) => sum + result.inserted.conversations, 0),
				40,
			);
			const { query } = yield* Database;
			const mismatched = yield* query<{ n: number; total: number }>(
				`SELECT count(*) FILTER (WHERE m.bot_id IS DISTINCT FROM c.bot_id OR m.contact_id IS DISTINCT FROM c.contact_id)::int AS n,
					count(*)::int AS total
				FROM message m JOIN conversation c ON c.account_id = m.account_id AND c.id = m.conversation_id
				WHERE m.account_id = $1`,
				[account],
			);
			assert.deepStrictEqual(mismatched, [{ n: 0, total: 1 + 6 * 200 }]);
			const [first] = yield* query<{ bot_id: string; contact_id: string }>(
				"SELECT bot_id, contact_id FROM message WHERE account_id = $1 AND id = 'rm1'",
				[account],
			);
			assert.deepStrictEqual(first, { bot_id: "b1", contact_id: "u1" });
		}),
	);

	it.effect("survives ingest racing with erase of the same conversations: no failure, no orphan", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const conversations = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}` }));
			const bodies = Array.from({ length: 6 }, (_, w) => ({
				conversations,
				messages: Array.from({ length: 500 }, (_, i) => ({
					id: `w${w}-m${i}`,
					conversationId: `c${(i + w) % 50}`,
					type: "user",
				})),
			}));
			const erasures = Array.from({ length: 6 }, (_, n) => ({
				conversations: Array.from({ length: 10 }, (_, i) => `c${(n * 7 + i) % 50}`),
			}));
			yield* Effect.all(
				[
					Effect.forEach(bodies, (body) => runIngest(account, body), { concurrency: 3 }),
					Effect.forEach(erasures, (request) => runErase(account, request), { concurrency: 1 }),
				],
				{ concurrency: 2 },
			);
			const { query } = yield* Database;
			const orphans = yield* query(
				`SELECT 1 FROM message m LEFT JOIN conversation c ON c.account_id = m.account_id AND c.id = m.conversation_id
				WHERE m.account_id = $1 AND c.id IS NULL`,
				[account],
			);
			assert.strictEqual(orphans.length, 0);
			const copies = yield* query(
				`SELECT 1 FROM message m JOIN conversation c ON c.account_id = m.account_id AND c.id = m.conversation_id
				WHERE m.account_id = $1 AND (m.bot_id IS DISTINCT FROM c.bot_id OR m.contact_id IS DISTINCT FROM c.contact_id)`,
				[account],
			);
			assert.strictEqual(copies.length, 0);
		}),
	);

	it.effect("merges a day's contact parts past the limit, and never waits for a day another transaction holds", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const { query, pool } = yield* Database;
			const day = new Date("2026-03-01T00:00:00Z");
			const parts = () => dayParts(account, day);
			const conversation = (index: number) => conversationOn(account, index, day);
			// One transaction, one part: the batch after the limit merges the day into one part.
			for (let index = 0; index < CONTACT_DAY_MAX_PARTS; index++) yield* conversation(index);
			assert.deepStrictEqual(yield* parts(), { parts: CONTACT_DAY_MAX_PARTS, merged: false });
			yield* conversation(CONTACT_DAY_MAX_PARTS);
			assert.deepStrictEqual(yield* parts(), { parts: 1, merged: true });
			// While another transaction holds the day (as a rebuild after an erase does), batches go on without waiting
			// and leave their parts; the first batch after it ends merges them.
			const holder = yield* Effect.promise(() => pool.connect());
			yield* Effect.promise(() => holder.query("BEGIN"));
			yield* Effect.promise(() =>
				holder.query(`SELECT pg_advisory_xact_lock(${contactDayLock("$1::text", "$2::timestamptz")})`, [account, day]),
			);
			for (let index = 100; index < 100 + CONTACT_DAY_MAX_PARTS + 2; index++) yield* conversation(index);
			assert.deepStrictEqual(yield* parts(), { parts: CONTACT_DAY_MAX_PARTS + 3, merged: true });
			yield* Effect.promise(() => holder.query("COMMIT"));
			holder.release();
			yield* conversation(200);
			assert.deepStrictEqual(yield* parts(), { parts: 1, merged: true });
			// The merged day holds every contact once: all 36 are active that day.
			const entries = yield* query<{ n: number }>(
				"SELECT octet_length(entries) / 6 AS n FROM contact_day WHERE account_id = $1 AND day = $2",
				[account, day],
			);
			assert.strictEqual(entries[0]!.n, 2 * CONTACT_DAY_MAX_PARTS + 4);
		}),
	);

	it.effect("merges the day before a written day once it has two parts, so past days read as one part", () =>
		Effect.gen(function* () {
			const account = yield* newAccount();
			const { query } = yield* Database;
			const day = new Date("2026-03-01T00:00:00Z");
			const next = new Date("2026-03-02T00:00:00Z");
			const parts = (of: Date) => dayParts(account, of);
			const conversation = (index: number, on: Date) => conversationOn(account, index, on);
			for (let index = 0; index < 3; index++) yield* conversation(index, day);
			assert.deepStrictEqual(yield* parts(day), { parts: 3, merged: false });
			// The next day's first batch merges it; the next day itself keeps its part.
			yield* conversation(3, next);
			assert.deepStrictEqual(yield* parts(day), { parts: 1, merged: true });
			assert.deepStrictEqual(yield* parts(next), { parts: 1, merged: false });
			// A late event adds a part to the past day; the next batch of the day after merges it again.
			yield* conversation(4, day);
			assert.deepStrictEqual(yield* parts(day), { parts: 2, merged: true });
			yield* conversation(5, next);
			assert.deepStrictEqual(yield* parts(day), { parts: 1, merged: true });
			assert.deepStrictEqual(yield* parts(next), { parts: 2, merged: false });
			const entries = yield* query<{ n: number }>(
				"SELECT octet_length(entries) / 6 AS n FROM contact_day WHERE account_id = $1 AND day = $2",
				[account, day],
			);
			assert.strictEqual(entries[0]!.n, 4);
		}),
	);

	it.effect(
		"stores every item whose createdAt PostgreSQL can hold and names every other, never failing the request",
		() =>
			Effect.gen(function* () {
				const account = yield* newAccount();
				const { query } = yield* Database;
				const context = yield* Effect.context<Database | IngestRepository>();
				const pad = (value: number, width: number) => String(value).padStart(width, "0");
				// ISO-8601 texts at and past the edges of the calendar and of years 1–9999, with offsets up to ±23:59.
				const isoText = fc
					.record({
						year: fc.oneof(
							fc.constantFrom(0, 1, 2, 1969, 1970, 2024, 2100, 9998, 9999),
							fc.integer({ min: 0, max: 9999 }),
						),
						month: fc.integer({ min: 0, max: 13 }),
						day: fc.integer({ min: 0, max: 32 }),
						hour: fc.integer({ min: 0, max: 25 }),
						minute: fc.integer({ min: 0, max: 59 }),
						second: fc.integer({ min: 0, max: 59 }),
						millis: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
						offset: fc.option(
							fc.record({
								sign: fc.constantFrom(1, -1),
								hours: fc.integer({ min: 0, max: 23 }),
								minutes: fc.constantFrom(0, 30, 45, 59),
							}),
							{ nil: undefined },
						),
					})
					.map((parts) => {
						const zone =
							parts.offset === undefined
								? "Z"
								: `${parts.offset.sign > 0 ? "+" : "-"}${pad(parts.offset.hours, 2)}:${pad(parts.offset.minutes, 2)}`;
						const fraction = parts.millis === undefined ? "" : `.${pad(parts.millis, 3)}`;
						const text = `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}T${pad(parts.hour, 2)}:${pad(parts.minute, 2)}:${pad(parts.second, 2)}${fraction}${zone}`;
						// The oracle: the fields name a real date and time, and the instant lies in years 1–9999 UTC.
						const local = new Date(0);
						local.setUTCFullYear(parts.year, parts.month - 1, parts.day);
						local.setUTCHours(parts.hour, parts.minute, parts.second, parts.millis ?? 0);
						const real =
							local.getUTCFullYear() === parts.year &&
							local.getUTCMonth() === parts.month - 1 &&
							local.getUTCDate() === parts.day &&
							local.getUTCHours() === parts.hour;
						const offsetMs =
							parts.offset === undefined
								? 0
								: parts.offset.sign * (parts.offset.hours * 60 + parts.offset.minutes) * 60_000;
						const instant = local.getTime() - offsetMs;
						const inRange =
							instant >= Date.parse("0001-01-01T00:00:00Z") && instant <= Date.parse("9999-12-31T23:59:59.999Z");
						return { createdAt: text as string | number, expected: real && inRange ? instant : undefined };
					});
				const epochMs = fc
					.oneof(
						fc.constantFrom(
							-1,
							0,
							253_402_300_799_999,
							253_402_300_800_000,
							8.64e15,
							8.64e15 + 1,
							1.5,
							Number.MAX_SAFE_INTEGER,
						),
						fc.integer({ min: -1_000, max: 253_402_300_800_999 }),
					)
					.map((value) => ({
						createdAt: value as string | number,
						expected: Number.isInteger(value) && value >= 0 && value <= 253_402_300_799_999 ? value : undefined,
					}));
				let request = 0;
				yield* Effect.promise(() =>
					fc.assert(
						fc.asyncProperty(fc.array(fc.oneof(isoText, epochMs), { minLength: 1, maxLength: 12 }), async (cases) => {
							request++;
							const ids = cases.map((_, index) => `p${request}_${index}`);
							const result = await Effect.runPromise(
								runIngest(account, {
									contacts: [
										{ id: `p${request}_ok`, createdAt: "2026-03-01T10:00:00Z" },
										...cases.map((item, index) => ({ id: ids[index], createdAt: item.createdAt })),
									],
								}).pipe(Effect.provideContext(context)),
							);
							const rejected = new Set(result.errors.map((error) => error.id));
							for (const error of result.errors) expect(error.message).toMatch(/^createdAt: /);
							const stored = await Effect.runPromise(
								query<{ id: string; at: string }>(
									"SELECT id, (extract(epoch FROM created_at) * 1000)::bigint::text AS at FROM contact WHERE account_id = $1 AND id LIKE $2",
									[account, `p${request}\\_%`],
								).pipe(Effect.provideContext(context)),
							);
							const at = new Map(stored.map((row) => [row.id, Number(row.at)]));
							expect(at.get(`p${request}_ok`)).toBe(Date.parse("2026-03-01T10:00:00Z"));
							cases.forEach((item, index) => {
								const id = ids[index]!;
								if (item.expected === undefined) {
									expect(rejected.has(id), `${item.createdAt} rejected`).toBe(true);
									expect(at.has(id)).toBe(false);
								} else {
									expect(rejected.has(id), `${item.createdAt} accepted`).toBe(false);
									expect(at.get(id), String(item.createdAt)).toBe(item.expected);
								}
							});
						}),
						{ numRuns: 60, seed: 20261202 },
					),
				);
			}),
	);
});
