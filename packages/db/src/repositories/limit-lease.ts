import { Effect } from "effect";
import { Database } from "../database.ts";

/** Which shared limit a lease counts against (see the `limit_lease` entity). */
export type LeaseKind = "watch" | "work";

/**
 * Takes `units` of the account's `kind` limit if they fit under `limit` (or nothing else of that kind is held: a
 * single request larger than the whole limit runs alone). Optimistic, in two statements on the happy path: the
 * lease is inserted (and committed) first, then the account's leases are summed. Each taker's sum runs after its own
 * insert committed, so of two concurrent takers the later sum sees both rows: the limit is never exceeded (both may
 * refuse and retry instead). A refused taker deletes its row, sweeping expired leases (of a process that died
 * without releasing) on the way. Times are epoch milliseconds from the caller's clock.
 */
export const acquireLease = (lease: {
	readonly accountId: string;
	readonly kind: LeaseKind;
	readonly id: string;
	readonly units: number;
	readonly limit: number;
	readonly nowMs: number;
	readonly expiresAtMs: number;
}) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		yield* query(
			"INSERT INTO limit_lease (account_id, id, kind, units, expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
			[lease.accountId, lease.id, lease.kind, lease.units, lease.expiresAtMs],
			{ prepared: true },
		);
		const [row] = yield* query<{ others: number }>(
			`SELECT coalesce(sum(units), 0)::float8 AS others FROM limit_lease
			WHERE account_id = $1 AND kind = $2 AND id <> $3 AND expires_at_ms >= $4`,
			[lease.accountId, lease.kind, lease.id, lease.nowMs],
			{ prepared: true },
		);
		const others = Number(row?.others ?? 0);
		if (others === 0 || others + lease.units <= lease.limit) return true;
		yield* query("DELETE FROM limit_lease WHERE account_id = $1 AND (id = $2 OR expires_at_ms < $3)", [
			lease.accountId,
			lease.id,
			lease.nowMs,
		]);
		return false;
	});

/** Extends the leases this process holds for the account. */
export const renewLeases = (accountId: string, ids: ReadonlyArray<string>, expiresAtMs: number) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		yield* query("UPDATE limit_lease SET expires_at_ms = $3 WHERE account_id = $1 AND id = ANY($2::text[])", [
			accountId,
			ids,
			expiresAtMs,
		]);
	});

export const releaseLease = (accountId: string, id: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		yield* query("DELETE FROM limit_lease WHERE account_id = $1 AND id = $2", [accountId, id]);
	});
