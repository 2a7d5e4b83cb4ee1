import { Effect } from "effect";
import { Database } from "../database.ts";

/**
 * The shared bound on open watches (see the `watch_lease` entity). Acquiring takes a per-account advisory lock for
 * its transaction, so two processes opening the account's last free watch at once cannot both get it; expired rows
 * (a process that died without releasing) are swept first. Times are epoch milliseconds from the caller's clock.
 */
export const acquireWatchLease = (lease: {
	readonly accountId: string;
	readonly id: string;
	readonly limit: number;
	readonly nowMs: number;
	readonly expiresAtMs: number;
}) =>
	Effect.gen(function* () {
		const { transaction } = yield* Database;
		return yield* transaction(async (client) => {
			await client.query("SELECT pg_advisory_xact_lock(hashtextextended('convolens.watch:' || $1, 0))", [
				lease.accountId,
			]);
			await client.query("DELETE FROM watch_lease WHERE account_id = $1 AND expires_at_ms < $2", [
				lease.accountId,
				lease.nowMs,
			]);
			const { rows } = await client.query<{ open: string }>(
				"SELECT count(*)::text AS open FROM watch_lease WHERE account_id = $1",
				[lease.accountId],
			);
			if (Number(rows[0]?.open ?? 0) >= lease.limit) return false;
			await client.query("INSERT INTO watch_lease (account_id, id, expires_at_ms) VALUES ($1, $2, $3)", [
				lease.accountId,
				lease.id,
				lease.expiresAtMs,
			]);
			return true;
		});
	});

/** Extends the account's open watches held by this process. */
export const renewWatchLeases = (accountId: string, ids: ReadonlyArray<string>, expiresAtMs: number) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		yield* query("UPDATE watch_lease SET expires_at_ms = $3 WHERE account_id = $1 AND id = ANY($2::text[])", [
			accountId,
			ids,
			expiresAtMs,
		]);
	});

export const releaseWatchLease = (accountId: string, id: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		yield* query("DELETE FROM watch_lease WHERE account_id = $1 AND id = $2", [accountId, id]);
	});

/**
 * The account's data version (the sum of its `data_version` rows, bumped in every transaction that changes its
 * data): what a watch polls to learn that the account changed, from any process and any writer.
 */
export const readDataVersion = (accountId: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const rows = yield* query<{ version: string }>(
			"SELECT coalesce(sum(version), 0)::text AS version FROM data_version WHERE account_id = $1",
			[accountId],
			{ prepared: true },
		);
		return rows[0]?.version ?? "0";
	});
