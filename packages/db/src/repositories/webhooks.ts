import { randomBytes } from "node:crypto";
import { Effect } from "effect";
import type pg from "pg";
import { Database } from "../database.ts";

/**
 * Alert webhooks (contract §8.3): registration, the evaluation state, the outbox and its delivery log. Every
 * statement names one account except the two scans that find work (accounts with webhooks, deliveries that are due),
 * so on Citus each write is a single-shard statement.
 */

const randomId = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString("base64url")}`;

export interface WebhookRow {
	readonly id: string;
	readonly url: string;
	/** Epoch milliseconds. */
	readonly createdAt: number;
}

export interface DeliveryRow {
	readonly id: string;
	readonly event: string;
	readonly status: "pending" | "delivered" | "failed";
	readonly attempts: number;
	readonly lastError: string | null;
	/** Epoch milliseconds. */
	readonly createdAt: number;
	readonly deliveredAt: number | null;
}

/** A delivery claimed for one attempt: what the sender needs. */
export interface ClaimedDelivery {
	readonly accountId: string;
	readonly id: string;
	readonly url: string;
	readonly secret: string;
	readonly payload: string;
	/** Attempts including this one. */
	readonly attempts: number;
	/** Epoch milliseconds. */
	readonly createdAt: number;
}

/** A `timestamptz` as epoch milliseconds, whichever form the driver parsed it into. */
const instant = (value: Date | string) => new Date(value).getTime();
const epoch = (value: Date | string | null) => (value === null ? null : instant(value));

/**
 * Registers a webhook with a new id and secret unless the account already has `maxPerAccount`. The count and the
 * insert run under the account's evaluation-state row lock, so concurrent registrations cannot pass the bound.
 */
export const createWebhook = (input: {
	readonly accountId: string;
	readonly url: string;
	readonly maxPerAccount: number;
}) =>
	Effect.gen(function* () {
		const { transaction } = yield* Database;
		const id = randomId("wh_", 12);
		const secret = randomId("whsec_", 32);
		return yield* transaction(async (client) => {
			await lockAccountState(client, input.accountId);
			const { rows } = await client.query<{ count: string }>(
				"SELECT count(*) AS count FROM webhook WHERE account_id = $1",
				[input.accountId],
			);
			if (Number(rows[0]?.count ?? 0) >= input.maxPerAccount) return undefined;
			const inserted = await client.query<{ created_at: Date }>(
				"INSERT INTO webhook (account_id, id, created_at, url, secret) VALUES ($1, $2, now(), $3, $4) RETURNING created_at",
				[input.accountId, id, input.url, secret],
			);
			return { id, url: input.url, secret, createdAt: instant(inserted.rows[0]?.created_at ?? new Date()) };
		});
	});

export const listWebhooks = (accountId: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const rows = yield* query<{ id: string; url: string; created_at: Date }>(
			"SELECT id, url, created_at FROM webhook WHERE account_id = $1 ORDER BY created_at, id",
			[accountId],
		);
		return rows.map((row): WebhookRow => ({ id: row.id, url: row.url, createdAt: instant(row.created_at) }));
	});

/**
 * Deletes the webhook and (by cascade) its deliveries; false when the account has no such webhook. With the account's
 * last webhook goes its evaluation state, so a webhook registered later starts from "nothing raised".
 */
export const deleteWebhook = (accountId: string, id: string) =>
	Effect.gen(function* () {
		const { transaction } = yield* Database;
		return yield* transaction(async (client) => {
			await lockAccountState(client, accountId);
			const deleted = await client.query("DELETE FROM webhook WHERE account_id = $1 AND id = $2", [accountId, id]);
			await client.query(
				"DELETE FROM webhook_alert_state WHERE account_id = $1 AND NOT EXISTS (SELECT 1 FROM webhook WHERE account_id = $1)",
				[accountId],
			);
			return (deleted.rowCount ?? 0) > 0;
		});
	});

/** The webhook's newest deliveries first, or `undefined` when the account has no such webhook. */
export const listDeliveries = (accountId: string, webhookId: string, limit: number) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const found = yield* query("SELECT 1 FROM webhook WHERE account_id = $1 AND id = $2", [accountId, webhookId]);
		if (found.length === 0) return undefined;
		const rows = yield* query<{
			id: string;
			event: string;
			status: DeliveryRow["status"];
			attempts: number;
			last_error: string | null;
			created_at: Date;
			delivered_at: Date | null;
		}>(
			`SELECT id, event, status, attempts, last_error, created_at, delivered_at FROM webhook_delivery
			WHERE account_id = $1 AND webhook_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
			[accountId, webhookId, limit],
		);
		return rows.map(
			(row): DeliveryRow => ({
				id: row.id,
				event: row.event,
				status: row.status,
				attempts: row.attempts,
				lastError: row.last_error,
				createdAt: instant(row.created_at),
				deliveredAt: epoch(row.delivered_at),
			}),
		);
	});

/**
 * The periodic evaluation's work list: every account with at least one webhook whose last stored evaluation started
 * before `evaluatedBeforeMs` (or that has none). An account another process (or an ingest) evaluated since is left
 * out, so several API processes share the periodic work instead of each doing all of it.
 */
export const accountsDueForEvaluation = (evaluatedBeforeMs: number) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const rows = yield* query<{ account_id: string }>(
			`SELECT DISTINCT w.account_id FROM webhook w
			LEFT JOIN webhook_alert_state s ON s.account_id = w.account_id
			WHERE coalesce(s.evaluated_at_ms, 0) < $1`,
			[evaluatedBeforeMs],
		);
		return rows.map((row) => row.account_id);
	});

/** Creates the account's state row if missing and locks it for the rest of the transaction. */
const lockAccountState = async (client: pg.PoolClient, accountId: string) => {
	await client.query(
		"INSERT INTO webhook_alert_state (account_id, raised, evaluated_at_ms) VALUES ($1, '{}', 0) ON CONFLICT DO NOTHING",
		[accountId],
	);
	const { rows } = await client.query<{ raised: Array<string>; evaluated_at_ms: number }>(
		"SELECT raised, evaluated_at_ms FROM webhook_alert_state WHERE account_id = $1 FOR UPDATE",
		[accountId],
	);
	return rows[0] ?? { raised: [], evaluated_at_ms: 0 };
};

/** An alert raised by an evaluation: its identity and the body of its event for a given delivery id. */
export interface RaisedAlert {
	readonly key: string;
	readonly body: (deliveryId: string, createdAtMs: number) => string;
}

/**
 * Stores an evaluation that started at `startedAtMs` and queues one delivery per webhook for each alert raised now
 * and not raised by the previous stored evaluation, all in one transaction under the account's state-row lock: two
 * processes evaluating the same account apply one after the other, and an evaluation that started before the stored
 * one is dropped (it may have read older data). Returns the queued delivery ids.
 */
export const applyEvaluation = (input: {
	readonly accountId: string;
	readonly startedAtMs: number;
	readonly raised: ReadonlyArray<RaisedAlert>;
	readonly nowMs: number;
}) =>
	Effect.gen(function* () {
		const { transaction } = yield* Database;
		return yield* transaction(async (client) => {
			const state = await lockAccountState(client, input.accountId);
			if (Number(state.evaluated_at_ms) > input.startedAtMs) return [];
			const previous = new Set(state.raised);
			const fresh = input.raised.filter((alert) => !previous.has(alert.key));
			const queued: Array<string> = [];
			if (fresh.length > 0) {
				const { rows: webhooks } = await client.query<{ id: string }>(
					"SELECT id FROM webhook WHERE account_id = $1 ORDER BY id",
					[input.accountId],
				);
				for (const alert of fresh) {
					for (const webhook of webhooks) {
						const id = randomId("dlv_", 16);
						await client.query(
							`INSERT INTO webhook_delivery
								(account_id, id, created_at, webhook_id, event, payload, status, attempts, next_attempt_at_ms)
							VALUES ($1, $2, to_timestamp($3::float8 / 1000), $4, 'alert.raised', $5, 'pending', 0, $3)`,
							[input.accountId, id, input.nowMs, webhook.id, alert.body(id, input.nowMs)],
						);
						queued.push(id);
					}
				}
			}
			await client.query("UPDATE webhook_alert_state SET raised = $2, evaluated_at_ms = $3 WHERE account_id = $1", [
				input.accountId,
				[...new Set(input.raised.map((alert) => alert.key))],
				input.startedAtMs,
			]);
			return queued;
		});
	});

/**
 * Claims up to `limit` due deliveries for one attempt each. The scan reads without locks; each row is then claimed by
 * a conditional update that moves its due time to `leaseUntilMs` and counts the attempt: of two processes racing for
 * a row, the second's update re-reads it after the first commits, finds it no longer due and claims nothing. A
 * process that dies mid-attempt leaves the row due again at the lease's end.
 */
export const claimDueDeliveries = (input: {
	readonly nowMs: number;
	readonly leaseUntilMs: number;
	readonly limit: number;
}) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const due = yield* query<{ account_id: string; id: string }>(
			`SELECT account_id, id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at_ms <= $1
			ORDER BY next_attempt_at_ms LIMIT $2`,
			[input.nowMs, input.limit],
		);
		const claimed: Array<ClaimedDelivery> = [];
		for (const row of due) {
			const rows = yield* query<{
				account_id: string;
				id: string;
				url: string;
				secret: string;
				payload: string;
				attempts: number;
				created_at: Date;
			}>(
				`UPDATE webhook_delivery d SET next_attempt_at_ms = $4, attempts = d.attempts + 1
				FROM webhook w
				WHERE d.account_id = $1 AND d.id = $2 AND d.status = 'pending' AND d.next_attempt_at_ms <= $3
					AND w.account_id = d.account_id AND w.id = d.webhook_id
				RETURNING d.account_id, d.id, w.url, w.secret, d.payload, d.attempts, d.created_at`,
				[row.account_id, row.id, input.nowMs, input.leaseUntilMs],
			);
			for (const claim of rows) {
				claimed.push({
					accountId: claim.account_id,
					id: claim.id,
					url: claim.url,
					secret: claim.secret,
					payload: claim.payload,
					attempts: claim.attempts,
					createdAt: instant(claim.created_at),
				});
			}
		}
		return claimed;
	});

/** Records an attempt's outcome: delivered, retried at `retryAtMs`, or failed for good (`retryAtMs` undefined). */
export const recordDeliveryAttempt = (input: {
	readonly accountId: string;
	readonly id: string;
	readonly outcome: { readonly ok: true } | { readonly ok: false; readonly error: string; readonly retryAtMs?: number };
	readonly nowMs: number;
}) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const { outcome } = input;
		if (outcome.ok) {
			yield* query(
				`UPDATE webhook_delivery SET status = 'delivered', last_error = NULL,
					delivered_at = to_timestamp($3::float8 / 1000)
				WHERE account_id = $1 AND id = $2`,
				[input.accountId, input.id, input.nowMs],
			);
		} else if (outcome.retryAtMs !== undefined) {
			yield* query(
				"UPDATE webhook_delivery SET last_error = $3, next_attempt_at_ms = $4 WHERE account_id = $1 AND id = $2",
				[input.accountId, input.id, outcome.error, outcome.retryAtMs],
			);
		} else {
			yield* query("UPDATE webhook_delivery SET status = 'failed', last_error = $3 WHERE account_id = $1 AND id = $2", [
				input.accountId,
				input.id,
				outcome.error,
			]);
		}
	});

/** The account's bots, for the Bot Alerts evaluation. */
export const botIdsOf = (accountId: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const rows = yield* query<{ id: string }>("SELECT id FROM bot WHERE account_id = $1 ORDER BY id", [accountId]);
		return rows.map((row) => row.id);
	});
