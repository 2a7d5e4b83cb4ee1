import {
	type ActionCount,
	ActivityRepository,
	type ActivityScope,
	type ContactActivity,
	makeResultStore,
	type SliceBoundaries,
	type TimeRange,
} from "@convolens/core";
import { Effect, Layer } from "effect";
import { Database, instantParam, instantsParam, preparedQuery } from "../database.ts";
import { activityColumns, cohortColumns, contactTotalScale } from "../rollups.ts";
import { activityRepositoryLayer } from "./activity.ts";
import { DAY_MS, ENTRY_BYTES, seqAt, utcDay } from "./contact-days.ts";
import { rangeCover, SLOT_MS, SLOTS_PER_DAY, slotsAndDays } from "./span-cover.ts";
import {
	botActivityFromRow,
	type CountsRow,
	cohortsPerSlice,
	contactActivityFromRow,
	countsFromRow,
	toNumber,
} from "./sql.ts";

/**
 * The fast path: `ActivityRepository` answered from the rollup tables (`src/rollups.ts`), whose size is bounded by
 * 15-minute slots × bots, not by rows — a 30-day window reads about one day row per day and a few slots at the
 * edges of its slices per scope (`coverSpan`), whatever the account's volume. Instants that are not slot
 * boundaries (a zone with a historical offset of odd minutes) and the methods without a rollup (rating lists,
 * distinct contacts of hourly slices) use the raw-table repository.
 */
const onSlots = (instants: ReadonlyArray<number>) => instants.every((instant) => instant % SLOT_MS === 0);

/**
 * `contact_total` rows whose `metric` reaches `threshold` (a parameter): through the index on the metric's scale (bit
 * length; a value ≥ T has a scale ≥ scale(T)), then exactly.
 */
const reaches = (metric: "conversations" | "messages" | "tokens", threshold: string) =>
	`(${metric}_scale >= ${contactTotalScale(`${threshold}::bigint`)} AND ${metric} >= ${threshold}::bigint)`;

/**
 * Conversations, messages and tokens in the window of each contact `ids` (a query selecting `contact_id`) yields:
 * whole UTC days from `contact_activity_day`, partial days from `contact_slot` — a few dozen rows per contact
 * whatever its volume. `$1` is the account.
 */
const contactValues = (ids: string, range: TimeRange, params: Array<unknown>) => {
	const cover = rangeCover([range.start, range.end], params);
	const minus = cover.minus
		? `UNION ALL
			SELECT -s.conversations, -s.messages, -s.tokens FROM contact_slot s
			WHERE s.account_id = $1 AND s.contact_id = ids.contact_id AND ${cover.minus("s.slot")}`
		: "";
	return `SELECT ids.contact_id AS id, sum(x.conversations) AS conversations, sum(x.messages) AS messages,
			sum(x.tokens) AS tokens
		FROM (${ids}) ids
		CROSS JOIN LATERAL (
			SELECT d.conversations, d.messages, d.tokens FROM contact_activity_day d
			WHERE d.account_id = $1 AND d.contact_id = ids.contact_id AND ${cover.days("d.day")}
			UNION ALL
			SELECT s.conversations, s.messages, s.tokens FROM contact_slot s
			WHERE s.account_id = $1 AND s.contact_id = ids.contact_id AND ${cover.slots("s.slot")}
			${minus}
		) x
		GROUP BY 1`;
};

/**
 * `contact_day` knows, per UTC day, each contact's first and last slot: enough for a slice that covers a prefix, a
 * suffix or the whole of every UTC day it touches — any slice of a day or longer, in any zone. A slice lying
 * strictly inside one UTC day (hourly slices) needs the raw rows.
 */
const contactDaysApply = (instants: ReadonlyArray<number>) =>
	instants.slice(1).every((end, index) => {
		const start = instants[index]!;
		const day = utcDay(start);
		return start === day || end - day >= DAY_MS;
	});

/**
 * Exact distinct counts from the packed days (`contact_day`): for each slice, in order, every entry of every day it
 * touches marks its contact when the contact created a conversation inside the slice's part of that day; a contact
 * counts once per slice (`slice` holds the last slice that counted it) and once for the whole span.
 */
/** A packed day decoded: contact numbers and the first and last slot of each (see `contact_day`). */
export interface PackedDay {
	readonly seqs: Int32Array;
	readonly first: Uint8Array;
	readonly last: Uint8Array;
	/** Entry indexes by last slot, latest first: a suffix of the day visits only the entries that reach it. */
	readonly byLast: Int32Array;
}

/** Decodes 6-byte entries: number (4 bytes, big-endian), first slot, last slot. */
export const decodePackedDay = (entries: Uint8Array): PackedDay => {
	const count = Math.floor(entries.byteLength / ENTRY_BYTES);
	const seqs = new Int32Array(count);
	const first = new Uint8Array(count);
	const last = new Uint8Array(count);
	for (let index = 0, offset = 0; index < count; index++, offset += ENTRY_BYTES) {
		seqs[index] = seqAt(entries, offset);
		first[index] = entries[offset + 4]!;
		last[index] = entries[offset + 5]!;
	}
	const byLast = Int32Array.from({ length: count }, (_, index) => index).sort((a, b) => last[b]! - last[a]!);
	return { seqs, first, last, byLast };
};

export const countActiveContacts = (
	instants: ReadonlyArray<number>,
	rows: ReadonlyArray<{ readonly day: number; readonly entries: PackedDay; readonly numbers: number }>,
) => {
	const days: Array<{ day: number; parts: Array<PackedDay> }> = [];
	// Contact numbers never exceed the account's last number (read in the same statement as the days).
	const maxSeq = rows.reduce((most, row) => Math.max(most, Number(row.numbers)), 0);
	for (const row of rows) {
		const day = Number(row.day);
		if (days.at(-1)?.day !== day) days.push({ day, parts: [] });
		days.at(-1)!.parts.push(row.entries);
	}
	const slices = instants.length - 1;
	const perSlice = new Array<number>(slices).fill(0);
	const counted = new Int32Array(maxSeq + 1);
	const inSpan = new Uint8Array(maxSeq + 1);
	let total = 0;
	let firstDay = 0;
	for (let slice = 0; slice < slices; slice++) {
		const start = instants[slice]!;
		const end = instants[slice + 1]!;
		const mark = slice + 1;
		let count = 0;
		while (firstDay < days.length && days[firstDay]!.day + DAY_MS <= start) firstDay++;
		for (let index = firstDay; index < days.length && days[index]!.day < end; index++) {
			const { day, parts } = days[index]!;
			const from = Math.max(0, (start - day) / SLOT_MS);
			const to = Math.min(SLOTS_PER_DAY, (end - day) / SLOT_MS);
			for (const { seqs, first, last, byLast } of parts) {
				if (from === 0) {
					// A prefix [0, to) (or the whole day) holds the contact when its first slot is in it.
					for (let entry = 0; entry < seqs.length; entry++) {
						if (first[entry]! >= to) continue;
						const seq = seqs[entry]!;
						if (counted[seq] === mark) continue;
						counted[seq] = mark;
						count++;
						if (inSpan[seq] === 0) {
							inSpan[seq] = 1;
							total++;
						}
					}
				} else {
					// A suffix [from, 96) holds it when its last slot is: only the entries that reach `from`.
					for (let rank = 0; rank < byLast.length && last[byLast[rank]!]! >= from; rank++) {
						const seq = seqs[byLast[rank]!]!;
						if (counted[seq] === mark) continue;
						counted[seq] = mark;
						count++;
						if (inSpan[seq] === 0) {
							inSpan[seq] = 1;
							total++;
						}
					}
				}
			}
		}
		perSlice[slice] = count;
	}
	return { perSlice, total };
};

/**
 * Packed days already read, by row version (`day/part/xmin/length`): a version's entries never change, so a copy is
 * exact, and a read asks only for the entries of versions it does not hold — in practice today's, since past days
 * change only when a late event or an erase rebuilds them. Bounded: past `maxBytes`, the oldest copies go.
 */
export class PackedDayCache {
	private readonly accounts = new Map<string, Map<string, PackedDay>>();
	private bytes = 0;
	private readonly maxBytes: number;

	constructor(maxBytes = 64 * 1024 * 1024) {
		this.maxBytes = maxBytes;
	}

	/** The copies held for an account, as of now (later evictions do not affect the returned map). */
	held(accountId: string): ReadonlyMap<string, PackedDay> {
		return new Map(this.accounts.get(accountId) ?? []);
	}

	/** Decodes and keeps `entries` as the version `key`; returns the decoded day. */
	set(accountId: string, key: string, entries: Uint8Array): PackedDay {
		const decoded = decodePackedDay(entries);
		let days = this.accounts.get(accountId);
		if (days === undefined) {
			days = new Map();
			this.accounts.set(accountId, days);
		}
		// Versions of the same day and part that this one replaces are unreachable now.
		const prefix = key.slice(0, key.indexOf("/", key.indexOf("/") + 1) + 1);
		for (const [held, bytes] of days) {
			if (held.startsWith(prefix)) {
				days.delete(held);
				this.bytes -= sizeOf(bytes);
			}
		}
		days.set(key, decoded);
		this.bytes += sizeOf(decoded);
		for (const [account, held] of this.accounts) {
			if (this.bytes <= this.maxBytes) break;
			for (const [oldest, bytes] of held) {
				if (this.bytes <= this.maxBytes) break;
				held.delete(oldest);
				this.bytes -= sizeOf(bytes);
			}
			if (held.size === 0) this.accounts.delete(account);
		}
		return decoded;
	}
}

const sizeOf = (day: PackedDay) =>
	day.seqs.byteLength + day.first.byteLength + day.last.byteLength + day.byLast.byteLength;

/**
 * The columns of a `contact_day` read: the day (epoch ms), the row version `day/part/xmin/length` that keys the
 * copies of `PackedDayCache`, the given entries expression, and the account's last contact number.
 */
interface PackedDayRow {
	readonly day: number;
	readonly key: string;
	readonly entries: Uint8Array | null;
	readonly numbers: number;
}

const packedDayColumns = (entries: string) =>
	`(extract(epoch FROM day) * 1000)::float8 AS day,
	concat_ws('/', (extract(epoch FROM day) * 1000)::bigint, part, xmin, octet_length(entries)) AS key,
	${entries} AS entries, (SELECT last FROM contact_counter WHERE account_id = $1) AS numbers`;

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
			const counts = Array.from({ length: boundaries.length - 1 }, (_, index) =>
				countsFromRow({ slice: index + 1 } as CountsRow),
			);
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

		/**
		 * Exact contact rankings without summing every contact of the window: a contact's value in any window is at
		 * most its all-time value (`contact_total`). The window values of the contacts with the highest all-time
		 * values (the seeds) give a threshold — the `limit`-th best among them — and only contacts whose all-time
		 * value reaches it can rank, ties included. The three rankings together: one statement reads the window
		 * values of the seeds of all three (the union of each metric's top all-time contacts), which give three
		 * thresholds; one more reads those of the other contacts whose all-time values reach any of them; the
		 * rankings are sorted here (ids are ASCII, so string order is the `COLLATE "C"` order). A metric without a
		 * threshold (too few active seeds) is ranked over every contact of the window.
		 */
		const contactRankings = Effect.fn("ActivityRepository.contactRankings.rollup")(function* (
			accountId: string,
			range: TimeRange,
			limit: number,
		) {
			if (!onSlots([range.start, range.end])) return yield* raw.contactRankings(accountId, range, limit);
			const metrics = ["conversations", "messages", "tokens"] as const;
			/** Window values and details of the contacts `ids` selects; `$1` is the account. */
			const withDetails = (ids: string, params: Array<unknown>) =>
				`SELECT t.id, t.name, t.email, t.nick, t.created_at, v.conversations::float8 AS conversations,
					v.messages::float8 AS messages, v.tokens::float8 AS tokens
				FROM (${contactValues(ids, range, params)}) v JOIN contact t ON t.account_id = $1 AND t.id = v.id`;
			// $1 account, $2 seeds per metric; contactValues appends its own.
			const seedParams: Array<unknown> = [accountId, Math.max(2 * limit, 20)];
			const seeds = (yield* plannedEachTime<Record<string, unknown>>(
				withDetails(
					metrics
						.map(
							(metric) =>
								`(SELECT contact_id FROM contact_total WHERE account_id = $1 AND ${metric} > 0 ORDER BY ${metric}_scale DESC LIMIT $2)`,
						)
						.join(" UNION "),
					seedParams,
				),
				seedParams,
			)).map(contactActivityFromRow);
			const thresholds = new Map<(typeof metrics)[number], number>();
			for (const metric of metrics) {
				const values = seeds
					.map((seed) => seed[metric])
					.filter((value) => value > 0)
					.sort((a, b) => b - a);
				const value = values[Math.max(limit - 1, 0)];
				if (value !== undefined) thresholds.set(metric, value);
			}
			let others: ReadonlyArray<ContactActivity> = [];
			if (thresholds.size > 0) {
				// $1 account, $2 the seeds, then the thresholds; contactValues appends its own.
				const params: Array<unknown> = [accountId, seeds.map((seed) => seed.id)];
				const reach = [...thresholds]
					.map(([metric, value]) => {
						params.push(value);
						return reaches(metric, `$${params.length}`);
					})
					.join(" OR ");
				others = (yield* plannedEachTime<Record<string, unknown>>(
					withDetails(
						`SELECT contact_id FROM contact_total
						WHERE account_id = $1 AND (${reach}) AND NOT contact_id = ANY($2::text[])`,
						params,
					),
					params,
				)).map(contactActivityFromRow);
			}
			const rankings: Record<(typeof metrics)[number], ReadonlyArray<ContactActivity>> = {
				conversations: [],
				messages: [],
				tokens: [],
			};
			for (const metric of metrics) {
				rankings[metric] = thresholds.has(metric)
					? [...seeds, ...others]
							.filter((contact) => contact[metric] > 0)
							.sort((a, b) => b[metric] - a[metric] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
							.slice(0, limit)
					: (yield* ranked("contact", accountId, range, metric, limit)).map(contactActivityFromRow);
			}
			return rankings;
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
