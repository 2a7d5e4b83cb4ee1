import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/**
 * Only the SHA-256 of a token is stored, never the token. Authentication is the one lookup that starts without an
 * account (the token identifies it), hence the unique index on `hash`; token ids are random, so admin operations
 * address a token by id alone through `api_token_id_idx`.
 */
export const ApiToken = defineEntity({
	name: "ApiToken",
	tableName: "api_token",
	properties: {
		...tenantKey(),
		createdAt: p.datetime().defaultRaw("now()"),
		name: p.text().nullable(),
		/** Hex SHA-256 of the token. */
		hash: p.string().length(64).unique("api_token_hash_key"),
		scopes: p.array(),
		lastUsedAt: p.datetime().nullable(),
		revokedAt: p.datetime().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [{ name: "api_token_id_idx", properties: ["id"] }],
});
