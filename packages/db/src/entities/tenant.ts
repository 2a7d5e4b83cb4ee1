import { p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * The two leading key columns of every tenant table: `(account_id, id)`. Deleting an account erases everything it
 * owns. Client ids are 1–64 characters.
 *
 * `accountForeignKey: false` is for a table whose required parent is itself in the account (message → conversation,
 * record → dataset): the composite foreign key to the parent already proves the account exists and carries the
 * cascade, and each foreign key costs a check per inserted row on the hottest write path.
 */
export const tenantKey = (options: { readonly accountForeignKey?: boolean } = {}) => ({
	account: p
		.manyToOne(Account)
		.primary()
		.deleteRule("cascade")
		.createForeignKeyConstraint(options.accountForeignKey ?? true),
	id: p.string().length(64).primary(),
});

export const tenantPrimaryKeys: ["account", "id"] = ["account", "id"];
