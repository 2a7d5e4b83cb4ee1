import { Effect } from "effect";
import { Database } from "../database.ts";

/**
 * One take from a token's bucket in `rate_limit_bucket` (see its entity): refill by the time since the last take,
 * then take one request if a whole one is there — one statement on one row, so concurrent takes from any number of
 * processes serialise on the row lock and never take more than the bucket holds. Plain float arithmetic on epoch
 * milliseconds (bound by the caller) keeps the statement free of time functions, which Citus cannot evaluate in the
 * update of a distributed row.
 */
const takeSql = `INSERT INTO rate_limit_bucket AS b (account_id, token_id, tokens, allowed, updated_at_ms)
VALUES ($1, $2, $3::float8 - 1, true, $5::float8)
ON CONFLICT (account_id, token_id) DO UPDATE SET
	tokens = least($3::float8, b.tokens + greatest(0, $5::float8 - b.updated_at_ms) * $4::float8)
		- CASE WHEN least($3::float8, b.tokens + greatest(0, $5::float8 - b.updated_at_ms) * $4::float8) >= 1 THEN 1 ELSE 0 END,
	allowed = least($3::float8, b.tokens + greatest(0, $5::float8 - b.updated_at_ms) * $4::float8) >= 1,
	updated_at_ms = greatest(b.updated_at_ms, $5::float8)
RETURNING tokens, allowed`;

export const takeRateLimit = (key: {
	readonly accountId: string;
	readonly tokenId: string;
	readonly capacity: number;
	readonly refillPerMs: number;
	readonly nowMs: number;
}) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const [row] = yield* query<{ tokens: number; allowed: boolean }>(takeSql, [
			key.accountId,
			key.tokenId,
			key.capacity,
			key.refillPerMs,
			key.nowMs,
		]);
		return { allowed: row?.allowed ?? true, tokens: Number(row?.tokens ?? key.capacity) };
	});
