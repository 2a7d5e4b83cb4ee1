import { defineEntity, p } from "@mikro-orm/core";
import { Conversation } from "./conversation.entity.ts";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/**
 * `bot_id` and `contact_id` are copies of the conversation's, written at ingest (a conversation's bot and contact
 * never change afterwards). Message reports filter and group by bot or contact over a time range; with the copies
 * those queries read one index range of `message` instead of joining every message to its conversation. They carry
 * no foreign key of their own: erasing the bot or contact erases the conversation, which erases its messages.
 *
 * No `(account_id, bot_id, created_at)` index: the reports read per-bot activity from the rollups, and the raw rows
 * only for windows off the 15-minute grid (historical offsets), where the account's time range filtered by bot
 * serves. Its upkeep cost a quarter of the ingest throughput of current activity at 10M messages (see
 * `Migration20261125023000_message_bot_index`).
 */
export const Message = defineEntity({
	name: "Message",
	tableName: "message",
	properties: {
		...tenantKey({ accountForeignKey: false }),
		createdAt: p.datetime(),
		conversation: p
			.manyToOne(Conversation)
			.joinColumns("account_id", "conversation_id")
			.deleteRule("cascade")
			.updateRule("no action"),
		botId: p.string().length(64).nullable(),
		contactId: p.string().length(64).nullable(),
		/** `user`, `bot`, `activity` or another platform type. */
		type: p.string().length(64),
		tokens: p.integer().default(0),
		actionType: p.text().nullable(),
		actionName: p.text().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [
		{ name: "message_account_created_idx", properties: ["account", "createdAt"] },
		{ name: "message_account_conversation_idx", properties: ["account", "conversation"] },
	],
});
