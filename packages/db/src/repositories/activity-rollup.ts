import {
	type ActionCount,
	ActivityRepository,
	type ActivityScope,
	makeResultStore,
	type SliceBoundaries,
	type TimeRange,
} from "@convolens/core";
import { Effect, Layer } from "effect";
import { Database, instantParam, instantsParam, preparedQuery } from "../database.ts";
import { activityColumns, cohortColumns } from "../rollups/index.ts";
import { contactDaysApply, countActiveContacts, type PackedDayRow, packedDayColumns } from "./active-contacts.ts";
import { activityRepositoryLayer } from "./activity.ts";
import { utcDay } from "./contact-days.ts";
import { rankContacts } from "./contact-rankings.ts";
import { PackedDayCache } from "./packed-day-cache.ts";
import { SLOT_MS, slotsAndDays } from "./span-cover.ts";
import {
	botActivityFromRow,
	type CountsRow,
	cohortsPerSlice,
	contactActivityFromRow,
	countsFromRow,
	toNumber,
} from "./sql.ts";

/**
 * The fast path: `ActivityRepository` answered from the rollup tables (`src/rollups/`), whose size is bounded by
 * 15-minute slots × bots, not by rows — a 30-day window reads about one day row per day and a few slots at the
 * edges of its slices per scope (`coverSpan`), whatever the account's volume. Instants that are not slot
 * boundaries (a zone with a historical offset of odd minutes) and the methods without a rollup (rating lists,
 * distinct contacts of hourly slices) use the raw-table repository.
 */
const onSlots = (instants: ReadonlyArray<number>) => instants.every((instant) => instant % SLOT_MS === 0);

const rollupLayer = Layer.effect(
	ActivityRepository,
	Effect.gen(function* () {
		const packedDays = new PackedDayCache();
		// Distinct counts by window and the versions of its packed days: a window whose days did not change since
		// (the previous period, under ingest of current activity) is not counted again.
		const countsByVersions = makeResultStore(256);
		const raw = yield* ActivityRepository;
		const database = yield* Database;
		const query = preparedQuery(database);
		/**
		 * The rankings' statements (top contacts and bots, the contact rankings) are planned at every execution
		 * instead of prepared: their limits, seed lists and thresholds move the selectivity by orders of magnitude
		 * between accounts and windows, and the generic plan PostgreSQL may keep after five executions of a prepared
		 * statement made a large account's contact ranking take 500–900 ms instead of ~10 ms on a server that had
		 * been up a while. test/plans.test.ts catches such a plan (the top contacts' generic plan read 100 buffers
		 * where a fresh plan read 11); the other reads keep their prepared plans, which planning each time would
		 * cost 15–50 ms a batch (docs/performance.md).
		 */
		const plannedEachTime = <Row>(sql: string, params: ReadonlyArray<unknown>) => database.query<Row>(sql, params);
		const botKey = (scope: ActivityScope) => scope.botId ?? "";

		/** The sums of `columns` of one scope's `<family>_slot` / `_day` rows per slice of `boundaries` (1-based `slice`). */
		const sumsPerSlice = <Row>(
			family: "activity" | "cohort",
			columns: ReadonlyArray<string>,
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) => {
			const params: Array<unknown> = [scope.accountId, instantsParam(boundaries), botKey(scope)];
			const source = slotsAndDays(family, [], columns, "account_id = $1 AND bot_key = $3", boundaries, params);
			return query<Row & { slice: number }>(
				`SELECT width_bucket(t, $2::timestamptz[]) AS slice,
					${columns.map((column) => `sum(${column})::float8 AS ${column}`).join(", ")}
				FROM ${source} x
				GROUP BY 1`,
				params,
			);
		};

		const countsBySlice = Effect.fn("ActivityRepository.countsBySlice.rollup")(function* (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) {
			if (boundaries.length < 2) return [];
			if (!onSlots(boundaries)) return yield* raw.countsBySlice(scope, boundaries);
			const rows = yield* sumsPerSlice<CountsRow>("activity", activityColumns, scope, boundaries);
			const counts = Array.from({ length: boundaries.length - 1 }, (_, index) => countsFromRow({ slice: index + 1 }));
			for (const row of rows) counts[row.slice - 1] = countsFromRow(row);
			return counts;
		});

		const conversationCohorts = Effect.fn("ActivityRepository.conversationCohorts.rollup")(function* (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) {
			const slices = Math.max(boundaries.length - 1, 0);
			if (slices === 0) return [];
			if (!onSlots(boundaries)) return yield* raw.conversationCohorts(scope, boundaries);
			const rows = yield* sumsPerSlice<Record<string, unknown>>("cohort", cohortColumns, scope, boundaries);
			return cohortsPerSlice(slices, rows);
		});

		const topActions = Effect.fn("ActivityRepository.topActions.rollup")(function* (
			scope: ActivityScope,
			range: TimeRange,
			limit: number,
		) {
			if (!onSlots([range.start, range.end])) return yield* raw.topActions(scope, range, limit);
			const params: Array<unknown> = [scope.accountId, botKey(scope), limit];
			const source = slotsAndDays(
				"action",
				["action_type", "action_name"],
				["count"],
				"account_id = $1 AND bot_key = $2",
				[range.start, range.end],
				params,
			);
			const rows = yield* query<{ type: string; name: string; count: number }>(
				`SELECT action_type AS type, action_name AS name, sum(count)::float8 AS count
				FROM ${source} x
				GROUP BY 1, 2
				HAVING sum(count) > 0
				ORDER BY sum(count) DESC, action_type COLLATE "C", action_name COLLATE "C"
				LIMIT $3`,
				params,
			);
			return rows.map((row): ActionCount => ({ type: row.type, name: row.name, count: toNumber(row.count) }));
		});

		/**
		 * Rankings summed over every contact or bot of the window: `contact_slot` for contacts, the per-bot rows of
		 * `activity_slot` / `activity_day` for bots.
		 */
		const ranked = (
			table: "contact" | "bot",
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) => {
			// $1 account, $2 limit; the source appends its own parameters.
			const params: Array<unknown> = [accountId, limit];
			const inWindow = (column: string) => {
				params.push(instantParam(range.start), instantParam(range.end));
				return `${column} >= $${params.length - 1} AND ${column} < $${params.length}`;
			};
			let source: string;
			if (table === "bot") {
				source = `SELECT bot_key AS id, sum(conversations) AS conversations, sum(messages) AS messages,
						sum(tokens) AS tokens
					FROM ${slotsAndDays(
						"activity",
						["bot_key"],
						["conversations", "messages", "tokens"],
						"account_id = $1 AND bot_key <> ''",
						[range.start, range.end],
						params,
					)} x GROUP BY 1`;
			} else {
				source = `SELECT contact_id AS id, sum(conversations) AS conversations, sum(messages) AS messages,
						sum(tokens) AS tokens
					FROM contact_slot WHERE account_id = $1 AND ${inWindow("slot")} GROUP BY 1`;
			}
			const columns = table === "contact" ? "t.name, t.email, t.nick" : "t.name";
			// Rankings are planned at every execution (see `plannedEachTime`).
			return plannedEachTime<Record<string, unknown>>(
				`WITH activity AS (${source})
				SELECT t.id, ${columns}, t.created_at, activity.conversations::float8 AS conversations,
					activity.messages::float8 AS messages, activity.tokens::float8 AS tokens
				FROM activity JOIN ${table} t ON t.account_id = $1 AND t.id = activity.id
				WHERE activity.${by} > 0
				ORDER BY activity.${by} DESC, t.id COLLATE "C"
				LIMIT $2`,
				params,
			);
		};

		/** Exact contact rankings from the all-time totals (`rankContacts`). */
		const contactRankings = Effect.fn("ActivityRepository.contactRankings.rollup")(function* (
			accountId: string,
			range: TimeRange,
			limit: number,
		) {
			if (!onSlots([range.start, range.end])) return yield* raw.contactRankings(accountId, range, limit);
			return yield* rankContacts(
				plannedEachTime,
				(metric) =>
					ranked("contact", accountId, range, metric, limit).pipe(
						Effect.map((rows) => rows.map(contactActivityFromRow)),
					),
				accountId,
				range,
				limit,
			);
		});

		/** One ranking: the three cost little more than one (their seeds and candidates mostly coincide). */
		const topContacts = Effect.fn("ActivityRepository.topContacts.rollup")(function* (
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) {
			return (yield* contactRankings(accountId, range, limit))[by];
		});

		const topBots = Effect.fn("ActivityRepository.topBots.rollup")(function* (
			accountId: string,
			range: TimeRange,
			by: "conversations" | "messages" | "tokens",
			limit: number,
		) {
			if (!onSlots([range.start, range.end])) return yield* raw.topBots(accountId, range, by, limit);
			const rows = yield* ranked("bot", accountId, range, by, limit);
			return rows.map(botActivityFromRow);
		});

		const activeContacts = Effect.fn("ActivityRepository.activeContacts.rollup")(function* (
			scope: ActivityScope,
			boundaries: SliceBoundaries,
		) {
			if (boundaries.length < 2) return { perSlice: [], total: 0 };
			if (scope.botId !== undefined || !onSlots(boundaries) || !contactDaysApply(boundaries)) {
				return yield* raw.activeContacts(scope, boundaries);
			}
			const held = packedDays.held(scope.accountId);
			const params = [scope.accountId, instantParam(utcDay(boundaries[0]!)), instantParam(boundaries.at(-1)!)];
			// Usually every version in the window is held (only today's changes): then the versions alone, cheap to
			// list. Otherwise one statement returns the versions with the entries of those not held, so all come
			// from the same snapshot.
			let rows = yield* query<PackedDayRow>(
				`SELECT ${packedDayColumns("NULL::bytea")} FROM contact_day WHERE account_id = $1 AND day >= $2 AND day < $3
				ORDER BY day`,
				params,
			);
			if (rows.some((row) => !held.has(row.key))) {
				rows = yield* query<PackedDayRow>(
					`SELECT d.day, d.key, CASE WHEN d.key = ANY($4::text[]) THEN NULL ELSE d.entries END AS entries, d.numbers
					FROM (SELECT ${packedDayColumns("entries")} FROM contact_day WHERE account_id = $1 AND day >= $2 AND day < $3) d
					ORDER BY d.day`,
					[...params, rows.map((row) => row.key).filter((key) => held.has(key))],
				);
			}
			// The counts follow from the instants and the versions read: the same pair gives the same counts.
			const key = `${scope.accountId}|${boundaries.join(",")}|${rows.map((row) => row.key).join(",")}`;
			const known = countsByVersions.get(key) as ReturnType<typeof countActiveContacts> | undefined;
			if (known !== undefined) return known;
			const counts = countActiveContacts(
				boundaries,
				rows.map((row) => ({
					day: row.day,
					numbers: row.numbers,
					entries: row.entries === null ? held.get(row.key)! : packedDays.set(scope.accountId, row.key, row.entries),
				})),
			);
			countsByVersions.set(key, counts);
			return counts;
		});

		return ActivityRepository.of({
			...raw,
			countsBySlice,
			activeContacts,
			conversationCohorts,
			topActions,
			topContacts,
			contactRankings,
			topBots,
		});
	}),
);

/** `ActivityRepository` over the rollups, falling back to the raw-table repository where no rollup applies. */
export const rollupActivityRepositoryLayer = rollupLayer.pipe(Layer.provide(activityRepositoryLayer));
