import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

export const Skillset = defineEntity({
	name: "Skillset",
	tableName: "skillset",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		name: p.text().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
});
