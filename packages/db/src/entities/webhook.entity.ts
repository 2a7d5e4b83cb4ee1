import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/**
 * An alert webhook of an account (contract §8.3): where raised alerts are posted and the secret that signs them. The
 * secret is kept as issued because the server must sign with it; it is returned once, at creation, and never logged.
 */
export const Webhook = defineEntity({
	name: "Webhook",
	tableName: "webhook",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		url: p.text(),
		secret: p.text(),
	},
	primaryKeys: tenantPrimaryKeys,
});
