import {
	type ActionCount,
	ActivityRepository,
	type ActivityScope,
	type ConversationQuery,
	type ConversationSummary,
	type RatingDetail,
	type SliceBoundaries,
	type TimeRange,
} from "@convolens/core";
import { Effect, Layer } from "effect";
import { Database, instantParam, instantsParam } from "../database.ts";
import { activity } from "../rollups/families.ts";
import { aggregateSql, bare, type Source } from "../rollups/family.ts";
import {
	type ActivityCounter,
	botActivityFromRow,
	type CountsRow,
	cohortsPerSlice,
	contactActivityFromRow,
	countsFromRow,
	perSlice,
	sliceOf,
	toNumber,
	withinSlices,
} from "./sql.ts";

/**
 * Aggregates over the activity tables, one SQL statement per call, slices bucketed as described in `sql.ts`. Every
 * statement filters by `account_id` first, which is the leading column of every index it uses.
 *
 * Ordering by ids and names uses `COLLATE "C"` (code-point order) so ties break the same on every server locale.
 */

/** `$n` placeholders for the optional bot filter, appended after the other parameters. */
const botFilter = (scope: ActivityScope, params: Array<unknown>, column = "bot_id") => {
	if (scope.botId === undefined) return "";
	params.push(scope.botId);
	return ` AND ${column} = $${params.length}`;
};

/**
 * The activity family's counters per slice straight from its source tables: each source's aggregates (as the
 * family describes them, `src/rollups/families.ts`) over its rows in the slices, joined by slice.
 */
const countsBySliceSql = (scope: ActivityScope, params: Array<unknown>) => {
	const bot = botFilter(scope, params);
	const sources = (Object.keys(activity.sources) as Array<Source>).flatMap((source) => {
		const contribution = activity.sources[source];
		return contribution === undefined ? [] : [[source, contribution] as const];
	});
	const rows = (source: Source) => bare(source, 1);
	const counted = sources.map(([source, contribution]) => {
		const columns = activity.counters.flatMap((column) => {
			const aggregate = contribution.counters[column];
			return aggregate === undefined ? [] : [`${aggregateSql(aggregate, rows(source))}::float8 AS ${column}`];
		});
		const where = contribution.where ? ` AND ${contribution.where(rows(source).ref)}` : "";
		return `${source}_counts AS (
	SELECT ${sliceOf} AS slice,
		${columns.join(",\n\t\t")}
	FROM ${source} WHERE account_id = $1 AND ${withinSlices}${where}${bot}
	GROUP BY 1
)`;
	});
	const from = (column: ActivityCounter) =>
		`${sources.find(([, contribution]) => contribution.counters[column] !== undefined)![0]}_counts.${column}`;
	return `
WITH ${counted.join(", ")}
SELECT s.slice, ${activity.counters.map(from).join(", ")}
FROM generate_series(1, cardinality($2::timestamptz[]) - 1) AS s(slice)
${sources.map(([source]) => `LEFT JOIN ${source}_counts USING (slice)`).join(" ")}
ORDER BY s.slice`;
};

const orderColumn = { conversations: "conversations", messages: "messages", tokens: "tokens" } as const;

export const activityRepositoryLayer = Layer.effect(
	ActivityRepository,
	Effect.gen(function* () {
		const { query } = yield* Database;

		const countsBySlice = Effect.fn("ActivityRepository.countsBySlice")(function* (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) {
			if (boundaries.length < 2) return [];
			const params: Array<unknown> = [scope.accountId, instantsParam(boundaries)];
			const rows = yield* query<CountsRow>(countsBySliceSql(scope, params), params);
			return rows.map(countsFromRow);
		});

		const activeContacts = Effect.fn("ActivityRepository.activeContacts")(function* (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) {
			const slices = Math.max(boundaries.length - 1, 0);
			if (slices === 0) return { perSlice: [], total: 0 };
			const params: Array<unknown> = [scope.accountId, instantsParam(boundaries)];
			const bot = botFilter(scope, params);
			// One pass: GROUPING SETS yields a row per slice and one (slice NULL) for the whole span.
			const rows = yield* query<{ slice: number | null; value: number }>(
				`SELECT ${sliceOf} AS slice, count(DISTINCT contact_id)::float8 AS value
				FROM conversation
				WHERE account_id = $1 AND ${withinSlices} AND contact_id IS NOT NULL${bot}
				GROUP BY GROUPING SETS ((${sliceOf}), ())`,
				params,
			);
			return { perSlice: perSlice(slices, rows), total: toNumber(rows.find((row) => row.slice === null)?.value) };
		});

		const conversationCohorts = Effect.fn("ActivityRepository.conversationCohorts")(function* (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) {
			const slices = Math.max(boundaries.length - 1, 0);
			if (slices === 0) return [];
			const params: Array<unknown> = [scope.accountId, instantsParam(boundaries)];
			const bot = botFilter(scope, params);
			const rows = yield* query<Record<string, unknown> & { slice: number }>(
				`WITH cohort AS (
					SELECT id, ${sliceOf} AS slice FROM conversation
					WHERE account_id = $1 AND ${withinSlices}${bot}
				), per_conversation AS (
					SELECT cohort.slice,
						count(m.id) AS messages,
						count(m.id) FILTER (WHERE m.type = 'user') AS user_messages,
						count(m.id) FILTER (WHERE m.type = 'bot') AS bot_messages,
						count(m.id) FILTER (WHERE m.type = 'activity') AS activity_messages,
						coalesce(sum(m.tokens), 0) AS tokens
					FROM cohort
					LEFT JOIN message m ON m.account_id = $1 AND m.conversation_id = cohort.id
					GROUP BY cohort.id, cohort.slice
				)
				SELECT slice, count(*)::float8 AS conversations,
					coalesce(sum(messages), 0)::float8 AS messages,
					coalesce(sum(user_messages), 0)::float8 AS user_messages,
					coalesce(sum(bot_messages), 0)::float8 AS bot_messages,
					coalesce(sum(activity_messages), 0)::float8 AS activity_messages,
					coalesce(sum(tokens), 0)::float8 AS tokens,
					count(*) FILTER (WHERE user_messages = 0)::float8 AS depth_zero,
					count(*) FILTER (WHERE user_messages = 1)::float8 AS depth_one,
					count(*) FILTER (WHERE user_messages BETWEEN 2 AND 3)::float8 AS depth_two_to_three,
					count(*) FILTER (WHERE user_messages BETWEEN 4 AND 10)::float8 AS depth_four_to_ten,
					count(*) FILTER (WHERE user_messages >= 11)::float8 AS depth_eleven_or_more
				FROM per_conversation
				GROUP BY slice`,
				params,
			);
			return cohortsPerSlice(slices, rows);
		});

		const topActions = Effect.fn("ActivityRepository.topActions")(function* (
			scope: ActivityScope,
			range: TimeRange,
			limit: number,
		) {
			const params: Array<unknown> = [scope.accountId, instantParam(range.start), instantParam(range.end), limit];
			const bot = botFilter(scope, params);
			const rows = yield* query<{ type: string; name: string; count: number }>(
				`SELECT coalesce(action_type, 'unknown') AS type, coalesce(action_name, 'unknown') AS name,
					count(*)::float8 AS count
				FROM message
				WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND type = 'activity'${bot}
				GROUP BY 1, 2
				ORDER BY count(*) DESC, coalesce(action_type, 'unknown') COLLATE "C",
					coalesce(action_name, 'unknown') COLLATE "C"
				LIMIT $4`,
				params,
			);
			return rows.map((row): ActionCount => ({ type: row.type, name: row.name, count: toNumber(row.count) }));
		});

		/**
		 * Conversations created in the range and messages (with their tokens) sent in it, per contact or bot; only
		 * rows whose ranking metric is above 0.
		 */
		const rankedActivity = (
			table: "contact" | "bot",
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) => {
			const key = `${table}_id`;
			const columns = table === "contact" ? "t.name, t.email, t.nick" : "t.name";
			return query<Record<string, unknown>>(
				`WITH conv AS (
					SELECT ${key} AS id, count(*) AS conversations
					FROM conversation
					WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND ${key} IS NOT NULL
					GROUP BY 1
				), msg AS (
					SELECT ${key} AS id, count(*) AS messages, coalesce(sum(tokens), 0) AS tokens
					FROM message
					WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND ${key} IS NOT NULL
					GROUP BY 1
				), activity AS (
					SELECT id, coalesce(conv.conversations, 0) AS conversations, coalesce(msg.messages, 0) AS messages,
						coalesce(msg.tokens, 0) AS tokens
					FROM conv FULL JOIN msg USING (id)
				)
				SELECT t.id, ${columns}, t.created_at, activity.conversations::float8 AS conversations,
					activity.messages::float8 AS messages, activity.tokens::float8 AS tokens
				FROM activity JOIN ${table} t ON t.account_id = $1 AND t.id = activity.id
				WHERE activity.${orderColumn[by]} > 0
				ORDER BY activity.${orderColumn[by]} DESC, t.id COLLATE "C"
				LIMIT $4`,
				[accountId, instantParam(range.start), instantParam(range.end), limit],
			);
		};

		const topContacts = Effect.fn("ActivityRepository.topContacts")(function* (
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) {
			const rows = yield* rankedActivity("contact", accountId, range, by, limit);
			return rows.map(contactActivityFromRow);
		});

		const topBots = Effect.fn("ActivityRepository.topBots")(function* (
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) {
			const rows = yield* rankedActivity("bot", accountId, range, by, limit);
			return rows.map(botActivityFromRow);
		});

		const ratings = Effect.fn("ActivityRepository.ratings")(function* (
			scope: ActivityScope,
			range: TimeRange,
			sign: "negative" | "positive",
			limit: number,
		) {
			const params: Array<unknown> = [scope.accountId, instantParam(range.start), instantParam(range.end), limit];
			const bot = botFilter(scope, params, "r.bot_id");
			const rows = yield* query<Record<string, unknown>>(
				`SELECT r.id, r.value, r.reason, r.conversation_id, r.message_id, r.contact_id, r.created_at,
					coalesce(c.name, c.email, c.nick) AS contact_name
				FROM rating r
				LEFT JOIN contact c ON c.account_id = r.account_id AND c.id = r.contact_id
				WHERE r.account_id = $1 AND r.created_at >= $2 AND r.created_at < $3
					AND r.value ${sign === "negative" ? "<" : ">"} 0${bot}
				ORDER BY r.created_at DESC, r.id COLLATE "C" DESC
				LIMIT $4`,
				params,
			);
			return rows.map(
				(row): RatingDetail => ({
					id: String(row.id),
					value: toNumber(row.value),
					reason: (row.reason as string | null) ?? null,
					conversationId: (row.conversation_id as string | null) ?? null,
					messageId: (row.message_id as string | null) ?? null,
					contactId: (row.contact_id as string | null) ?? null,
					contactName: (row.contact_name as string | null) ?? null,
					createdAt: new Date(row.created_at as Date),
				}),
			);
		});

		/**
		 * The drill-down's page: the conversation's own counters (kept by the rollup triggers) and its ratings' thumbs,
		 * newest first by the account's creation index; the keyset condition continues after the previous page.
		 */
		const conversations = Effect.fn("ActivityRepository.conversations")(function* (request: ConversationQuery) {
			const params: Array<unknown> = [
				request.accountId,
				instantParam(request.range.start),
				instantParam(request.range.end),
				request.limit,
			];
			const where: Array<string> = [];
			if (request.botId !== undefined) {
				params.push(request.botId);
				where.push(`c.bot_id = $${params.length}`);
			}
			if (request.contactId !== undefined) {
				params.push(request.contactId);
				where.push(`c.contact_id = $${params.length}`);
			}
			if (request.after !== undefined) {
				params.push(request.after.createdAt, request.after.id);
				const [at, id] = [`$${params.length - 1}`, `$${params.length}`];
				where.push(`(c.created_at < ${at} OR (c.created_at = ${at} AND c.id COLLATE "C" < ${id}))`);
			}
			if (request.rating !== undefined) where.push(`r.${request.rating} > 0`);
			const rows = yield* query<Record<string, unknown>>(
				`SELECT c.id, c.bot_id, c.contact_id, c.created_at, c.user_messages, c.bot_messages, c.activity_messages,
					c.tokens, r.up, r.down
				FROM conversation c
				CROSS JOIN LATERAL (
					SELECT count(*) FILTER (WHERE value > 0) AS up, count(*) FILTER (WHERE value < 0) AS down
					FROM rating WHERE account_id = c.account_id AND conversation_id = c.id
				) r
				WHERE c.account_id = $1 AND c.created_at >= $2 AND c.created_at < $3${where.map((condition) => ` AND ${condition}`).join("")}
				ORDER BY c.created_at DESC, c.id COLLATE "C" DESC
				LIMIT $4`,
				params,
			);
			return rows.map(
				(row): ConversationSummary => ({
					id: String(row.id),
					botId: (row.bot_id as string | null) ?? null,
					contactId: (row.contact_id as string | null) ?? null,
					createdAt: new Date(row.created_at as Date),
					userMessages: toNumber(row.user_messages),
					botMessages: toNumber(row.bot_messages),
					activityMessages: toNumber(row.activity_messages),
					tokens: toNumber(row.tokens),
					thumbsUp: toNumber(row.up),
					thumbsDown: toNumber(row.down),
				}),
			);
		});

		return ActivityRepository.of({
			conversations,
			countsBySlice,
			activeContacts,
			conversationCohorts,
			topActions,
			topContacts,
			contactRankings: (accountId: string, range: TimeRange, limit: number) =>
				Effect.all(
					{
						conversations: topContacts(accountId, range, "conversations", limit),
						messages: topContacts(accountId, range, "messages", limit),
						tokens: topContacts(accountId, range, "tokens", limit),
					},
					{ concurrency: "unbounded" },
				),
			topBots,
			ratings,
		});
	}),
);
