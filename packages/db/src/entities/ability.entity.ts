import { defineEntity, p } from "@mikro-orm/core";
import { Skillset } from "./skillset.entity.ts";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/** Erasing a skillset erases its abilities. */
export const Ability = defineEntity({
	name: "Ability",
	tableName: "ability",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		name: p.text().nullable(),
		skillset: p
			.manyToOne(Skillset)
			.joinColumns("account_id", "skillset_id")
			.nullable()
			.deleteRule("cascade")
			.updateRule("no action"),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [{ name: "ability_account_skillset_idx", properties: ["account", "skillset"] }],
});
