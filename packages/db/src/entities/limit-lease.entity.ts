import { defineEntity, p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * What every API process holds of an account's shared limits (contract §8.1, §9, §10): one row per open live-report
 * watch (`kind` `watch`, 1 unit) and per report request running (`work`, its cost in units), so a per-account bound
 * holds across processes. A process renews its rows while it holds them; the rows of a process that died expire on
 * their own. Keyed by account first, like the rate limit's buckets, so on Citus the rows distribute with the
 * account's data. No foreign key: a lease is disposable state.
 */
export const LimitLease = defineEntity({
	name: "LimitLease",
	tableName: "limit_lease",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		id: p.string().length(64).primary(),
		/** `watch` or `work`: which limit the row counts against. */
		kind: p.string().length(16),
		/** What the holder takes of the limit (a watch 1; a report request its cost). */
		units: p.double(),
		/** Epoch milliseconds after which the row counts as gone (its process stopped renewing it). */
		expiresAtMs: p.double(),
	},
	primaryKeys: ["account", "id"],
});
