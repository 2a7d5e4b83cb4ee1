import { ResourceNotFound } from "@convolens/core";
import { Effect } from "effect";
import { Database } from "../database.ts";

/** An account as an operator lists it: never a token or its hash. */
export interface AccountListing {
	readonly id: string;
	readonly name: string;
	readonly createdAt: string;
	/** Tokens not revoked. */
	readonly liveTokens: number;
}

export interface TokenListing {
	readonly id: string;
	readonly name: string | null;
	readonly scopes: ReadonlyArray<string>;
	readonly createdAt: string;
	readonly lastUsedAt: string | null;
	readonly revokedAt: string | null;
}

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

/** Every account, oldest first. */
export const listAccounts = Effect.fn("Tenants.listAccounts")(function* () {
	const { query } = yield* Database;
	const rows = yield* query<{ id: string; name: string; created_at: Date; live_tokens: string }>(
		`SELECT a.id, a.name, a.created_at, count(t.id) FILTER (WHERE t.revoked_at IS NULL) AS live_tokens
		FROM account a LEFT JOIN api_token t ON t.account_id = a.id
		GROUP BY a.id, a.name, a.created_at
		ORDER BY a.created_at, a.id`,
	);
	return rows.map(
		(row): AccountListing => ({
			id: row.id,
			name: row.name,
			createdAt: iso(row.created_at)!,
			liveTokens: Number(row.live_tokens),
		}),
	);
});

/** The tokens of one account, oldest first, revoked ones included; `ResourceNotFound` for an unknown account. */
export const listTokens = Effect.fn("Tenants.listTokens")(function* (accountId: string) {
	const { query } = yield* Database;
	const account = yield* query("SELECT 1 FROM account WHERE id = $1", [accountId]);
	if (account.length === 0) {
		return yield* new ResourceNotFound({ message: `unknown account '${accountId}'`, resource: "account" });
	}
	const rows = yield* query<{
		id: string;
		name: string | null;
		scopes: Array<string>;
		created_at: Date;
		last_used_at: Date | null;
		revoked_at: Date | null;
	}>(
		`SELECT id, name, scopes, created_at, last_used_at, revoked_at FROM api_token
		WHERE account_id = $1 ORDER BY created_at, id`,
		[accountId],
	);
	return rows.map(
		(row): TokenListing => ({
			id: row.id,
			name: row.name,
			scopes: row.scopes,
			createdAt: iso(row.created_at)!,
			lastUsedAt: iso(row.last_used_at),
			revokedAt: iso(row.revoked_at),
		}),
	);
});
