import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

export const Contact = defineEntity({
	name: "Contact",
	tableName: "contact",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		name: p.text().nullable(),
		email: p.text().nullable(),
		nick: p.text().nullable(),
		/** Dense number within the account, assigned by a trigger on insert (see `ContactCounter`). */
		seq: p.integer().default(0),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [{ name: "contact_account_created_idx", properties: ["account", "createdAt"] }],
});
