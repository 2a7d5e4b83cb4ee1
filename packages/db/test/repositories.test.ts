import { AccountRepository, ActivityRepository, runIngest } from "@convolens/core";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import type pg from "pg";
import { copyRows } from "../src/bulk.ts";
import { Database } from "../src/database.ts";
import { onCluster, testDatabaseLayer } from "../src/testing/index.ts";
import { newAccount } from "./support.ts";

const t = (iso: string) => new Date(iso);
const boundaries = ["2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z", "2026-02-03T00:00:00Z"].map(Date.parse);

/** Two accounts with the same ids; only `mine` should ever be counted. */
const seed = Effect.gen(function* () {
	const mine = yield* newAccount("mine");
	const theirs = yield* newAccount("theirs");
	for (const account of [mine, theirs]) {
		const result = yield* runIngest(account, {
			contacts: [
				{ id: "u1", name: null, email: "u1@example.com", createdAt: "2026-02-01T00:00:00Z" },
				{ id: "u2", nick: "two", createdAt: "2026-02-02T12:00:00Z" },
			],
			bots: [{ id: "b1" }, { id: "b2" }],
			datasets: [{ id: "d1" }, { id: "d2" }],
			records: [
				{ id: "r1", datasetId: "d1" },
				{ id: "r2", datasetId: "d1" },
			],
			conversations: [
				// exactly on the first boundary: slice 1
				{ id: "c1", botId: "b1", contactId: "u1", createdAt: "2026-02-01T00:00:00Z" },
				// one millisecond before the second boundary: still slice 1
				{ id: "c2", botId: "b2", contactId: "u1", createdAt: "2026-02-01T23:59:59.999Z" },
				// exactly on the last boundary: outside the span
				{ id: "c3", botId: "b1", contactId: "u2", createdAt: "2026-02-03T00:00:00Z" },
				{ id: "c4", contactId: "u2", createdAt: "2026-02-02T08:00:00Z" },
			],
			messages: [
				{ id: "m1", conversationId: "c1", type: "user", tokens: 5, createdAt: "2026-02-01T01:00:00Z" },
				{ id: "m2", conversationId: "c1", type: "bot", tokens: 7, createdAt: "2026-02-02T01:00:00Z" },
				{
					id: "m3",
					conversationId: "c2",
					type: "activity",
					tokens: 1,
					createdAt: "2026-02-02T02:00:00Z",
					action: { type: "tool", name: "lookup" },
				},
				{ id: "m4", conversationId: "c2", type: "system", tokens: 100, createdAt: "2026-02-02T03:00:00Z" },
				{ id: "m5", conversationId: "c3", type: "user", tokens: 2, createdAt: "2026-02-03T00:00:00Z" },
			],
			ratings: [
				{ id: "x1", value: 10, botId: "b1", createdAt: "2026-02-01T05:00:00Z" },
				{ id: "x2", value: -3, botId: "b2", contactId: "u2", reason: "slow", createdAt: "2026-02-02T05:00:00Z" },
				{ id: "x3", value: 0, createdAt: "2026-02-02T06:00:00Z" },
			],
		});
		assert.deepStrictEqual(result.errors, []);
	}
	return mine;
});

layer(testDatabaseLayer(), { timeout: "120 seconds" })("PostgreSQL repositories", (it) => {
	it.effect("count per half-open slice, inside the account only, with messages and ratings by their own time", () =>
		Effect.gen(function* () {
			const accountId = yield* seed;
			const activity = yield* ActivityRepository;
			const counts = yield* activity.countsBySlice({ accountId }, boundaries);
			assert.deepStrictEqual(counts, [
				{
					conversations: 2,
					messages: 1,
					userMessages: 1,
					botMessages: 0,
					activityMessages: 0,
					tokens: 5,
					ratings: 1,
					thumbsUp: 1,
					thumbsDown: 0,
				},
				{
					conversations: 1,
					messages: 3,
					userMessages: 0,
					botMessages: 1,
					activityMessages: 1,
					tokens: 108,
					ratings: 2,
					thumbsUp: 0,
					thumbsDown: 1,
				},
			]);
			const ofBot = yield* activity.countsBySlice({ accountId, botId: "b2" }, boundaries);
			assert.deepStrictEqual(
				ofBot.map((slice) => [slice.conversations, slice.messages, slice.tokens, slice.ratings]),
				[
					[1, 0, 0, 0],
					[0, 2, 101, 1],
				],
			);
			assert.deepStrictEqual(yield* activity.countsBySlice({ accountId }, [boundaries[0]!]), []);
		}),
	);

	it.effect("count distinct active contacts per slice and over the span", () =>
		Effect.gen(function* () {
			const accountId = yield* seed;
			const activity = yield* ActivityRepository;
			assert.deepStrictEqual(yield* activity.activeContacts({ accountId }, boundaries), { perSlice: [1, 1], total: 2 });
			assert.deepStrictEqual(yield* activity.activeContacts({ accountId, botId: "b1" }, boundaries), {
				perSlice: [1, 0],
				total: 1,
			});
		}),
	);

	it.effect("describe a conversation cohort with all of its messages, whenever sent", () =>
		Effect.gen(function* () {
			const accountId = yield* seed;
			const activity = yield* ActivityRepository;
			const [cohort] = yield* activity.conversationCohorts({ accountId }, [boundaries[0]!, boundaries[1]!]);
			assert.deepStrictEqual(cohort, {
				conversations: 2,
				messages: 4,
				userMessages: 1,
				botMessages: 1,
				activityMessages: 1,
				tokens: 113,
				userMessageDepth: { zero: 1, one: 1, twoToThree: 0, fourToTen: 0, elevenOrMore: 0 },
			});
		}),
	);

	it.effect("rank actions, contacts and bots, and list ratings newest first with the contact's name", () =>
		Effect.gen(function* () {
			const accountId = yield* seed;
			const activity = yield* ActivityRepository;
			const range = { start: boundaries[0]!, end: boundaries[2]! };
			assert.deepStrictEqual(yield* activity.topActions({ accountId }, range, 10), [
				{ type: "tool", name: "lookup", count: 1 },
			]);
			const contacts = yield* activity.topContacts(accountId, range, "tokens", 10);
			assert.deepStrictEqual(
				contacts.map((row) => [row.id, row.conversations, row.messages, row.tokens]),
				[["u1", 2, 4, 113]],
			);
			const bots = yield* activity.topBots(accountId, range, "conversations", 1);
			assert.deepStrictEqual(
				bots.map((row) => [row.id, row.conversations]),
				[["b1", 1]],
			);
			const negative = yield* activity.ratings({ accountId }, range, "negative", 10);
			assert.deepStrictEqual(
				negative.map((row) => [row.id, row.value, row.reason, row.contactName]),
				[["x2", -3, "slow", "two"]],
			);
			assert.deepStrictEqual(
				(yield* activity.ratings({ accountId, botId: "b2" }, range, "positive", 10)).map((row) => row.id),
				[],
			);
		}),
	);

	it.effect("answer account questions: bots, dataset record counts, contacts and usage against limits", () =>
		Effect.gen(function* () {
			const accountId = yield* seed;
			const accounts = yield* AccountRepository;
			assert.isTrue(yield* accounts.botExists(accountId, "b1"));
			assert.isFalse(yield* accounts.botExists(accountId, "b9"));
			const counts = yield* accounts.datasetRecordCounts(accountId, ["d1", "d2", "d9"]);
			assert.deepStrictEqual([...counts.entries()].sort(), [
				["d1", 2],
				["d2", 0],
			]);
			assert.strictEqual(yield* accounts.totalContacts(accountId), 2);
			assert.deepStrictEqual(yield* accounts.contactsCreated(accountId, boundaries), [1, 1]);
			const { usage, limits } = yield* accounts.usage(accountId);
			assert.deepStrictEqual(usage, { datasets: 2, records: 2, skillsets: 0, abilities: 0, files: 0 });
			assert.deepStrictEqual(limits, { datasets: null, records: null, skillsets: null, abilities: null, files: null });
		}),
	);

	// Bulk loads are counted by the triggers; a cluster has none (`src/maintenance.ts`).
	it.effect.skipIf(onCluster())("load rows in bulk with copyRows, skipping rows already stored", () =>
		Effect.gen(function* () {
			const accountId = yield* seed;
			const { pool } = yield* Database;
			const rows = Array.from({ length: 2_500 }, (_, i) => [
				accountId,
				`bulk-${i}`,
				t("2026-02-01T10:00:00Z"),
				"c1",
				"b1",
				"u1",
				"user",
				i,
			]);
			const columns = ["account_id", "id", "created_at", "conversation_id", "bot_id", "contact_id", "type", "tokens"];
			const first = yield* Effect.promise(() =>
				copyRows(pool as pg.Pool, "message", columns, rows, { chunkSize: 1_000 }),
			);
			const again = yield* Effect.promise(() => copyRows(pool as pg.Pool, "message", columns, rows));
			assert.strictEqual(first, 2_500);
			assert.strictEqual(again, 0);
			const activity = yield* ActivityRepository;
			const [slice] = yield* activity.countsBySlice({ accountId }, [boundaries[0]!, boundaries[1]!]);
			assert.strictEqual(slice!.userMessages, 2_501);
		}),
	);
});
