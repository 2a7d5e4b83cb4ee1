import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

export const Bot = defineEntity({
	name: "Bot",
	tableName: "bot",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		name: p.text().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
});
