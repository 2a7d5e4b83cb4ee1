import { defineEntity, p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * The token buckets of the per-token rate limit, shared by every API process on the database (contract §10): one
 * row per token, refilled from the time of the last take by the database's own clock, so processes on different
 * machines agree. Keyed by account first, like every tenant table, so the rows distribute with the account's data.
 * No foreign key: a bucket is disposable state, and a token's bucket outliving the token costs one small row.
 */
export const RateLimitBucket = defineEntity({
	name: "RateLimitBucket",
	tableName: "rate_limit_bucket",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		tokenId: p.string().length(64).primary(),
		/** Requests left in the bucket after the last take (fractional: it refills continuously). */
		tokens: p.double(),
		/** Whether the last take found a whole request's worth (the answer of the statement that made it). */
		allowed: p.boolean(),
		/** Epoch milliseconds of the last take (plain arithmetic; see `repositories/rate-limit.ts`). */
		updatedAtMs: p.double(),
	},
	primaryKeys: ["account", "tokenId"],
});
