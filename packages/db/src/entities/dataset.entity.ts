import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

export const Dataset = defineEntity({
	name: "Dataset",
	tableName: "dataset",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		name: p.text().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
});
