import { defineEntity, p } from "@mikro-orm/core";

/** The tenant. Not itself tenant-owned: every other table references it through `account_id`. */
export const Account = defineEntity({
	name: "Account",
	tableName: "account",
	properties: {
		id: p.string().length(64).primary(),
		name: p.string().length(200),
		createdAt: p.datetime().defaultRaw("now()"),
		/** Plan limits; null means unlimited. */
		limitDatasets: p.integer().nullable(),
		limitRecords: p.integer().nullable(),
		limitSkillsets: p.integer().nullable(),
		limitAbilities: p.integer().nullable(),
		limitFiles: p.integer().nullable(),
	},
});
