import type { ContactActivity, StorageError, TimeRange } from "@convolens/core";
import { Effect } from "effect";
import { contactTotalScale } from "../rollups/index.ts";
import { rangeCover } from "./span-cover.ts";
import { contactActivityFromRow } from "./sql.ts";

export type ContactMetric = "conversations" | "messages" | "tokens";

/**
 * `contact_total` rows whose `metric` reaches `threshold` (a parameter): through the index on the metric's scale (bit
 * length; a value ≥ T has a scale ≥ scale(T)), then exactly.
 */
const reaches = (metric: ContactMetric, threshold: string) =>
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
 * Exact contact rankings without summing every contact of the window: a contact's value in any window is at
 * most its all-time value (`contact_total`). The window values of the contacts with the highest all-time
 * values (the seeds) give a threshold — the `limit`-th best among them — and only contacts whose all-time
 * value reaches it can rank, ties included. The three rankings together: one statement reads the window
 * values of the seeds of all three (the union of each metric's top all-time contacts), which give three
 * thresholds; one more reads those of the other contacts whose all-time values reach any of them; the
 * rankings are sorted here (ids are ASCII, so string order is the `COLLATE "C"` order). A metric without a
 * threshold (too few active seeds) is ranked over every contact of the window.
 *
 * `run` executes a statement (planned at each execution, see the repository layer); `rankAll` ranks one metric over
 * every contact of the window.
 */
export const rankContacts = (
	run: <Row>(sql: string, params: ReadonlyArray<unknown>) => Effect.Effect<Array<Row>, StorageError>,
	rankAll: (metric: ContactMetric) => Effect.Effect<ReadonlyArray<ContactActivity>, StorageError>,
	accountId: string,
	range: TimeRange,
	limit: number,
) =>
	Effect.gen(function* () {
		const metrics = ["conversations", "messages", "tokens"] as const;
		/** Window values and details of the contacts `ids` selects; `$1` is the account. */
		const withDetails = (ids: string, params: Array<unknown>) =>
			`SELECT t.id, t.name, t.email, t.nick, t.created_at, v.conversations::float8 AS conversations,
				v.messages::float8 AS messages, v.tokens::float8 AS tokens
			FROM (${contactValues(ids, range, params)}) v JOIN contact t ON t.account_id = $1 AND t.id = v.id`;
		// $1 account, $2 seeds per metric; contactValues appends its own.
		const seedParams: Array<unknown> = [accountId, Math.max(2 * limit, 20)];
		const seeds = (yield* run<Record<string, unknown>>(
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
			others = (yield* run<Record<string, unknown>>(
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
				: yield* rankAll(metric);
		}
		return rankings;
	});
