import { assert, describe, it } from "@effect/vitest";
import { Effect, ManagedRuntime } from "effect";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { makeDatabaseLayer } from "../src/layer.ts";
import { seedDemo } from "../src/seed/demo.ts";
import { generateActivity, type IngestBody } from "../src/seed/generate.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

const now = new Date("2026-11-24T10:00:00Z");

const collect = (bodies: Iterable<IngestBody>) => {
	const counts: Record<string, number> = {};
	const items: Record<string, Array<Record<string, unknown>>> = {};
	for (const body of bodies) {
		for (const [collection, list] of Object.entries(body)) {
			counts[collection] = (counts[collection] ?? 0) + (list?.length ?? 0);
			items[collection] = [...(items[collection] ?? []), ...(list ?? [])];
		}
	}
	return { counts, items };
};

describe("synthetic activity", () => {
	const options = { seed: 7, now, days: 30, messages: 20_000, bots: 8, contacts: 500 };

	it("is reproducible: the same seed gives the same bodies", () => {
		const first = generateActivity(options);
		const second = generateActivity(options);
		assert.deepStrictEqual([...first.parents()], [...second.parents()]);
		assert.deepStrictEqual([...first.events()], [...second.events()]);
		const other = generateActivity({ ...options, seed: 8 });
		assert.notDeepEqual([...other.events()][0], [...first.events()][0]);
	});

	it("names another data set's bots and contacts with parentPrefix, and its own events with idPrefix", () => {
		const activity = generateActivity({ ...options, idPrefix: "later_", parentPrefix: "" });
		const parents = collect(activity.parents());
		const events = collect(activity.events());
		assert.isTrue(parents.items.bots!.every((bot) => String(bot.id).startsWith("bot_")));
		assert.isTrue(events.items.conversations!.every((item) => String(item.id).startsWith("later_")));
		const referenced = events.items.conversations!.flatMap((item) => [item.botId, item.contactId]);
		assert.isTrue(referenced.some((id) => id !== null));
		assert.isTrue(referenced.every((id) => id === null || /^(bot|ct)_/.test(String(id))));
		assert.isTrue(events.items.messages!.every((item) => String(item.id).startsWith("later_")));
	});

	it("generates exactly the requested number of messages, whatever the size, window and seed", () => {
		const cases = [
			{ messages: 3_000, days: 7, bots: 3, contacts: 40, seed: 1 },
			{ messages: 1, days: 30, bots: 1, contacts: 1, seed: 2 },
			{ messages: 5, days: 90, bots: 2, contacts: 3, seed: 3 },
			{ messages: 12_345, days: 1, bots: 4, contacts: 100, seed: 4 },
			{ messages: 7_777, days: 45, bots: 5, contacts: 200, seed: 5, messagesPerConversation: 3 },
		];
		for (const size of cases) {
			const events = collect(generateActivity({ ...size, now }).events());
			const messages = events.items.messages ?? [];
			assert.strictEqual(messages.length, size.messages, JSON.stringify(size));
			// Distinct ids, and every message belongs to a conversation that was generated with it.
			assert.strictEqual(new Set(messages.map((message) => message.id)).size, size.messages);
			const conversations = new Set(events.items.conversations!.map((conversation) => conversation.id));
			assert.isTrue(messages.every((message) => conversations.has(message.conversationId as string)));
		}
	});

	it("has the requested size and a realistic shape", () => {
		const activity = generateActivity(options);
		const parents = collect(activity.parents());
		const events = collect(activity.events());
		assert.strictEqual(parents.counts.bots, 8);
		assert.strictEqual(parents.counts.contacts, 500);
		const messages = events.items.messages ?? [];
		assert.strictEqual(messages.length, 20_000);
		const byType = Object.groupBy(messages, (message) => String(message.type));
		assert.isTrue((byType.user?.length ?? 0) > 0.35 * messages.length);
		assert.isTrue((byType.bot?.length ?? 0) > 0.35 * messages.length);
		assert.isTrue((byType.activity?.length ?? 0) > 0.03 * messages.length);
		assert.isTrue((byType.system?.length ?? 0) > 0, "some messages of another platform type");
		assert.isTrue(byType.activity!.every((message) => typeof (message.action as { name?: string }).name === "string"));
		const tokens = (type: string) => byType[type]!.reduce((sum, message) => sum + Number(message.tokens), 0);
		assert.isTrue(tokens("bot") / byType.bot!.length > 2 * (tokens("user") / byType.user!.length));
		// Skew: the busiest bot has far more conversations than the quietest.
		const conversations = events.items.conversations ?? [];
		const perBot = Object.values(Object.groupBy(conversations, (c) => String(c.botId))).map((list) => list!.length);
		assert.isTrue(Math.max(...perBot) > 3 * Math.min(...perBot));
		assert.isTrue(conversations.some((c) => c.contactId === null) && conversations.some((c) => c.botId === null));
		const ratings = events.items.ratings ?? [];
		const negative = ratings.filter((rating) => Number(rating.value) < 0).length;
		assert.isTrue(negative > 0.1 * ratings.length && negative < 0.5 * ratings.length);
		// Every event lies inside the requested days, none after `now`.
		const start = now.getTime() - 30 * 86_400_000;
		for (const item of [...conversations, ...messages, ...ratings]) {
			assert.isTrue(Number(item.createdAt) >= start && Number(item.createdAt) <= now.getTime());
		}
	});
});

describe("demo account", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(() => database?.drop());

	it.effect("has several bots, hundreds of contacts, thousands of conversations, rated messages and datasets", () =>
		Effect.gen(function* () {
			const runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4 }));
			const account = yield* Effect.promise(() => runtime.runPromise(seedDemo({ now })));
			yield* Effect.promise(() => runtime.dispose());
			assert.match(account.token, /^\S{20,}$/);

			const client = new pg.Client({ connectionString: database.url });
			yield* Effect.promise(() => client.connect());
			const count = (sql: string) =>
				Effect.promise(() => client.query(sql, [account.id])).pipe(Effect.map((result) => Number(result.rows[0].n)));
			const bots = yield* count("select count(*) n from bot where account_id = $1");
			const contacts = yield* count("select count(*) n from contact where account_id = $1");
			const conversations = yield* count("select count(*) n from conversation where account_id = $1");
			const actions = yield* count(
				"select count(distinct action_name) n from message where account_id = $1 and type = 'activity'",
			);
			const tokens = yield* count("select sum(tokens) n from message where account_id = $1");
			const positive = yield* count("select count(*) n from rating where account_id = $1 and value > 0");
			const negativeWithReason = yield* count(
				"select count(*) n from rating where account_id = $1 and value < 0 and reason is not null",
			);
			const records = yield* count("select count(*) n from record where account_id = $1");
			const days = yield* count(
				"select extract(day from max(created_at) - min(created_at)) n from conversation where account_id = $1",
			);
			yield* Effect.promise(() => client.end());

			assert.isAtLeast(bots, 5);
			assert.isAtLeast(contacts, 300);
			assert.isAtLeast(conversations, 3_000);
			assert.isAtLeast(actions, 5);
			assert.isAbove(tokens, 0);
			assert.isAbove(positive, 0);
			assert.isAbove(negativeWithReason, 0);
			assert.isAtLeast(records, 1_000);
			assert.isAtLeast(days, 85);
		}),
	);
});
