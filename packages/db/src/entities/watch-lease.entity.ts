import { defineEntity, p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * The open live-report watches of every API process (contract §8.1, §9): one row per open watch, so the per-account
 * bound on watches holds across processes. A process renews its rows while their streams are open; the row of a
 * process that died expires on its own. Keyed by account first, like the rate limit's buckets, so on Citus the rows
 * distribute with the account's data. No foreign key: a lease is disposable state.
 */
export const WatchLease = defineEntity({
	name: "WatchLease",
	tableName: "watch_lease",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		id: p.string().length(64).primary(),
		/** Epoch milliseconds after which the watch counts as gone (its process stopped renewing it). */
		expiresAtMs: p.double(),
	},
	primaryKeys: ["account", "id"],
});
