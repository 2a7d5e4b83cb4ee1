import { activity, cohort, contactSlot, contactTotal } from "./families.ts";
import { familySql, signedRows } from "./family.ts";
import { fn, oldAndNew, signed, skipCounting, trigger } from "./sql.ts";

/** Conversation rows with a sign column `sign` → contact slots, activity conversations and the cohort histogram. */
export const conversationSql = (signedSource: string) => {
	const rows = signedRows(signedSource, "c");
	return [
		...familySql(contactSlot, "conversation", rows),
		...familySql(activity, "conversation", rows),
		...familySql(cohort, "conversation", rows),
	];
};

/** Conversation rows with a sign column `sign` → `contact_total` and `contact_activity_day`. */
export const contactTotalConversations = (signedSource: string) =>
	familySql(contactTotal, "conversation", signedRows(signedSource, "c", false));

export const conversationFunctions = {
	inserted: fn("convolens_conversation_inserted", conversationSql(signed("new_rows", 1))),
	deleted: fn("convolens_conversation_deleted", conversationSql(signed("old_rows", -1))),
	updated: fn("convolens_conversation_updated", [skipCounting, ...conversationSql(oldAndNew)]),
};

export const conversationTriggers = {
	inserted: trigger("conversation_rollup_insert", "conversation", "INSERT", "convolens_conversation_inserted"),
	deleted: trigger("conversation_rollup_delete", "conversation", "DELETE", "convolens_conversation_deleted"),
	updated: trigger("conversation_rollup_update", "conversation", "UPDATE", "convolens_conversation_updated"),
};

export const contactTotalConversationFunctions = {
	inserted: fn("convolens_contact_total_conversations_inserted", contactTotalConversations(signed("new_rows", 1))),
	deleted: fn("convolens_contact_total_conversations_deleted", contactTotalConversations(signed("old_rows", -1))),
	updated: fn("convolens_contact_total_conversations_updated", [skipCounting, ...contactTotalConversations(oldAndNew)]),
};

export const contactTotalConversationTriggers = {
	inserted: trigger(
		"conversation_contact_total_insert",
		"conversation",
		"INSERT",
		"convolens_contact_total_conversations_inserted",
	),
	deleted: trigger(
		"conversation_contact_total_delete",
		"conversation",
		"DELETE",
		"convolens_contact_total_conversations_deleted",
	),
	updated: trigger(
		"conversation_contact_total_update",
		"conversation",
		"UPDATE",
		"convolens_contact_total_conversations_updated",
	),
};
