import {
	type DataSnapshot,
	generateReport,
	ReportIds,
	type ReportServices,
	runIngest,
	TenantRepository,
} from "@convolens/core";
import { emptySnapshot, memoryRepositories } from "@convolens/core/testing";
import { assert, describe, layer } from "@effect/vitest";
import { Effect } from "effect";
import { TestClock } from "effect/testing";
import { testDatabaseLayer } from "../src/testing/index.ts";

/**
 * Hand-made cases at the rules' edges, each answered by hand, run over PostgreSQL (through the ingest path) and over
 * the in-memory repositories: depth buckets at every boundary, the previous window across both DST changes, equal
 * thumbs, and the account-level minimum of ratings for the negative-feedback alert. Random data reaches these edges
 * rarely or never (no random conversation had ten user messages).
 */

interface Conversation {
	readonly id: string;
	readonly at: string;
	readonly user?: number;
	readonly bot?: number;
}
interface Scenario {
	readonly conversations?: ReadonlyArray<Conversation>;
	/** Rating values, all on conversation c0 at `ratedAt`. */
	readonly ratings?: ReadonlyArray<number>;
	readonly ratedAt?: string;
}

const scenarios = {
	// User messages per conversation at each depth boundary: 0–1 single turn, 2–3 short, 4–10 medium, 11+ long.
	depth: {
		conversations: [0, 1, 2, 3, 4, 10, 11, 12, 15].map((user, index) => ({
			id: `c${index}`,
			at: "2026-11-20T10:00:00Z",
			user,
			bot: 1,
		})),
	},
	// Berlin falls back on 2026-10-25: the previous window of a 7-day window ending 2026-11-03 is 2026-10-21..27,
	// 169 hours from 2026-10-20T22:00Z (not 168 hours back from the current start, 2026-10-27T23:00Z).
	fallBack: {
		conversations: [
			{ id: "c0", at: "2026-10-20T21:59:00Z" },
			{ id: "c1", at: "2026-10-20T22:30:00Z" },
			{ id: "c2", at: "2026-10-27T22:59:00Z" },
			{ id: "c3", at: "2026-10-27T23:00:00Z" },
		],
	},
	// Berlin springs forward on 2026-03-29: the previous window of a 7-day window ending 2026-04-08 is 2026-03-26..
	// 04-01, 167 hours from 2026-03-25T23:00Z (not 168 hours back from the current start, 2026-04-01T22:00Z).
	springForward: {
		conversations: [
			{ id: "c0", at: "2026-03-25T22:30:00Z" },
			{ id: "c1", at: "2026-03-25T23:00:00Z" },
			{ id: "c2", at: "2026-04-01T21:59:00Z" },
			{ id: "c3", at: "2026-04-01T22:00:00Z" },
		],
	},
	equalThumbs: { conversations: [{ id: "c0", at: "2026-11-20T10:00:00Z" }], ratings: [1, 1, -1, -1] },
	moreUp: { conversations: [{ id: "c0", at: "2026-11-20T10:00:00Z" }], ratings: [1, 1, 1, -1, -1] },
	// Nine thumbs down: under the account-level minimum of 10 rated, no negative-feedback alert.
	nineDown: { conversations: [{ id: "c0", at: "2026-11-20T10:00:00Z" }], ratings: Array(9).fill(-1) },
	// Bot Alerts' abandonment is Bot Conversation Quality's abandonmentRate: the previous week's six conversations
	// all had two user messages (0%); this week five of ten had none (50%) and five had two — five with a user
	// message in each week, the rule's minimum. 50 points up: critical.
	abandonment: {
		conversations: [
			...Array.from({ length: 6 }, (_, index) => ({ id: `p${index}`, at: "2026-11-12T10:00:00Z", user: 2, bot: 1 })),
			...Array.from({ length: 10 }, (_, index) => ({
				id: `n${index}`,
				at: "2026-11-20T10:00:00Z",
				user: index < 5 ? 2 : 0,
				bot: 1,
			})),
		],
	},
	// Ten rated, three down: a 30% share, a warning.
	tenRated: {
		conversations: [{ id: "c0", at: "2026-11-20T10:00:00Z" }],
		ratings: [...Array(3).fill(-1), ...Array(7).fill(1)],
	},
} satisfies Record<string, Scenario>;
type Name = keyof typeof scenarios;

const ratedAt = "2026-11-21T10:00:00Z";

const messagesOf = (conversation: Conversation) => [
	...Array.from({ length: conversation.user ?? 0 }, (_, index) => ({
		id: `${conversation.id}_u${index}`,
		type: "user",
	})),
	...Array.from({ length: conversation.bot ?? 0 }, (_, index) => ({ id: `${conversation.id}_b${index}`, type: "bot" })),
];

const bodyOf = (scenario: Scenario) => ({
	bots: [{ id: "b1", name: "Bot", createdAt: "2026-01-01T00:00:00Z" }],
	conversations: (scenario.conversations ?? []).map((conversation) => ({
		id: conversation.id,
		botId: "b1",
		createdAt: conversation.at,
	})),
	messages: (scenario.conversations ?? []).flatMap((conversation) =>
		messagesOf(conversation).map((message, index) => ({
			...message,
			conversationId: conversation.id,
			createdAt: new Date(Date.parse(conversation.at) + (index + 1) * 1_000).toISOString(),
		})),
	),
	ratings: (scenario.ratings ?? []).map((value, index) => ({
		id: `r${index}`,
		value,
		botId: "b1",
		conversationId: "c0",
		createdAt: ratedAt,
	})),
});

/** The same scenarios as rows of the in-memory repositories, each in the account named after it. */
const snapshot: DataSnapshot = {
	...emptySnapshot,
	accounts: Object.keys(scenarios).map((id) => ({
		id,
		name: id,
		createdAt: new Date("2026-01-01T00:00:00Z"),
		limits: { datasets: null, records: null, skillsets: null, abilities: null, files: null },
	})),
	bots: Object.keys(scenarios).map((accountId) => ({
		accountId,
		id: "b1",
		name: "Bot",
		createdAt: new Date("2026-01-01T00:00:00Z"),
	})),
	conversations: Object.entries(scenarios).flatMap(([accountId, scenario]: [string, Scenario]) =>
		(scenario.conversations ?? []).map((conversation) => ({
			accountId,
			id: conversation.id,
			createdAt: new Date(conversation.at),
			botId: "b1",
			contactId: null,
		})),
	),
	messages: Object.entries(scenarios).flatMap(([accountId, scenario]: [string, Scenario]) =>
		(scenario.conversations ?? []).flatMap((conversation) =>
			messagesOf(conversation).map((message, index) => ({
				accountId,
				id: message.id,
				conversationId: conversation.id,
				type: message.type,
				createdAt: new Date(Date.parse(conversation.at) + (index + 1) * 1_000),
				tokens: 0,
				actionType: null,
				actionName: null,
			})),
		),
	),
	ratings: Object.entries(scenarios).flatMap(([accountId, scenario]: [string, Scenario]) =>
		(scenario.ratings ?? []).map((value, index) => ({
			accountId,
			id: `r${index}`,
			value,
			createdAt: new Date(ratedAt),
			reason: null,
			botId: "b1",
			conversationId: "c0",
			messageId: null,
			contactId: null,
		})),
	),
};

/** The checks, given how to find a scenario's account. */
// The effect-test function of either layer below: the checks need nothing from the layer but the reports' services.
interface EffectTest {
	readonly effect: (name: string, self: () => Effect.Effect<void, unknown, ReportServices>) => void;
}

const checks = (it: EffectTest, account: (name: Name) => Effect.Effect<string>) => {
	const report = <Id extends string>(name: Name, id: Id, input: Record<string, unknown>, now: string) =>
		Effect.gen(function* () {
			yield* TestClock.setTime(Date.parse(now));
			return yield* generateReport(id, input, { accountId: yield* account(name) });
		});

	it.effect("puts conversations with 0, 1, 2, 3, 4, 10, 11, 12 and 15 user messages in their depth buckets", () =>
		Effect.gen(function* () {
			const quality = yield* report(
				"depth",
				ReportIds.BotConversationQuality,
				{ botId: "b1", periodDays: 7 },
				"2026-11-24T12:00:00Z",
			);
			assert.deepStrictEqual(quality.conversationDepth, { singleTurn: 2, short: 2, medium: 2, long: 3 });
			assert.strictEqual(quality.totalConversations, 9);
			// 2 of 9 conversations are single turns.
			assert.strictEqual(quality.abandonmentRate, 22.2);
			// 58 user messages over 9 conversations.
			assert.deepStrictEqual(quality.avgMessagesPerConversation, { user: 6.44, bot: 1, activity: 0 });
		}),
	);

	it.effect("takes the previous window in calendar days across both DST changes", () =>
		Effect.gen(function* () {
			const input = { periodDays: 7, timezone: "Europe/Berlin" };
			const fall = yield* report("fallBack", ReportIds.TotalConversations, input, "2026-11-03T12:00:00Z");
			assert.deepStrictEqual([fall.value, fall.previous], [1, 2]);
			const spring = yield* report("springForward", ReportIds.TotalConversations, input, "2026-04-08T12:00:00Z");
			assert.deepStrictEqual([spring.value, spring.previous], [1, 2]);
		}),
	);

	it.effect("calls equal thumbs neutral and more thumbs up positive", () =>
		Effect.gen(function* () {
			const input = { botId: "b1", periodDays: 7 };
			const equal = yield* report("equalThumbs", ReportIds.BotStats, input, "2026-11-24T12:00:00Z");
			assert.deepStrictEqual([equal.thumbsUp, equal.thumbsDown, equal.sentimentSignal], [2, 2, "neutral"]);
			const more = yield* report("moreUp", ReportIds.BotStats, input, "2026-11-24T12:00:00Z");
			assert.strictEqual(more.sentimentSignal, "positive");
		}),
	);

	it.effect("raises Bot Alerts' abandonment spike from the quality report's own abandonment rate", () =>
		Effect.gen(function* () {
			const input = { botId: "b1", periodDays: 7 };
			const now = "2026-11-24T12:00:00Z";
			const quality = yield* report("abandonment", ReportIds.BotConversationQuality, input, now);
			assert.strictEqual(quality.abandonmentRate, 50);
			const alerts = yield* report("abandonment", ReportIds.BotAlerts, input, now);
			const spike = alerts.alerts.filter((alert) => alert.type === "abandonmentSpike");
			assert.deepStrictEqual(
				spike.map((alert) => [alert.severity, alert.metric]),
				[["critical", { current: 50, baseline: 0, percentage: 50 }]],
			);
		}),
	);

	it.effect("raises the account's negative-feedback alert only from ten rated on", () =>
		Effect.gen(function* () {
			const negative = (name: Name) =>
				Effect.map(report(name, ReportIds.Alerts, { periodDays: 7 }, "2026-11-24T12:00:00Z"), (output) =>
					output.alerts.filter((alert) => alert.type === "negativeFeedback").map((alert) => alert.severity),
				);
			assert.deepStrictEqual(yield* negative("nineDown"), []);
			assert.deepStrictEqual(yield* negative("tenRated"), ["warning"]);
		}),
	);
};

describe("rule edges", () => {
	layer(memoryRepositories(snapshot))("in memory", (it) => {
		checks(it, (name) => Effect.succeed(name));
	});

	layer(testDatabaseLayer(), { timeout: "120 seconds" })("in PostgreSQL", (it) => {
		const ids = new Map<Name, string>();
		it.effect("loads every scenario through the ingest path", () =>
			Effect.gen(function* () {
				const tenants = yield* TenantRepository;
				for (const [name, scenario] of Object.entries(scenarios) as Array<[Name, Scenario]>) {
					const account = yield* tenants.createAccount({ name });
					const result = yield* runIngest(account.id, bodyOf(scenario));
					assert.deepStrictEqual(result.errors, []);
					ids.set(name, account.id);
				}
			}),
		);
		checks(it, (name) => Effect.succeed(ids.get(name) ?? ""));
	});
});
