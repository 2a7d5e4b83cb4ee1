import { contacts } from "./families.ts";
import { bare, familySql } from "./family.ts";
import { fn, sameAccount, trigger, updateSql } from "./sql.ts";

/**
 * Contact rows → `contacts_slot`, `contacts_day` and the account's running count (`contact_counter.contacts`).
 * `account`, when given, is the SQL expression of the one account all rows belong to (see `rollupStatements`).
 */
export const contactCountSql = (source: string, sign: 1 | -1, account?: string) => [
	...familySql(contacts, "contact", bare(source, sign)),
	`UPDATE contact_counter t SET contacts = t.contacts + d.n
		FROM (SELECT account_id, ${sign === 1 ? "" : "-"}count(*) AS n FROM ${source} GROUP BY 1 ORDER BY 1) d
		WHERE t.account_id = d.account_id${sameAccount("t", account)};`,
];

export const contactCountTriggersSql: ReadonlyArray<string> = [
	fn("convolens_contacts_inserted", contactCountSql("new_rows", 1)),
	fn("convolens_contacts_deleted", contactCountSql("old_rows", -1)),
	fn("convolens_contacts_updated", updateSql(["created_at"], contactCountSql)),
	trigger("contact_count_insert", "contact", "INSERT", "convolens_contacts_inserted"),
	trigger("contact_count_delete", "contact", "DELETE", "convolens_contacts_deleted"),
	trigger("contact_count_update", "contact", "UPDATE", "convolens_contacts_updated"),
];
