import { p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * The two leading key columns of every tenant table: `(account_id, id)`. Deleting an account erases everything it
 * owns. Client ids are 1–64 characters.
 */
export const tenantKey = () => ({
	account: p.manyToOne(Account).primary().deleteRule("cascade"),
	id: p.string().length(64).primary(),
});

export const tenantPrimaryKeys: ["account", "id"] = ["account", "id"];
