import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

export const File = defineEntity({
	name: "File",
	tableName: "file",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		name: p.text().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
});
