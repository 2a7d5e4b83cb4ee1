import { defineEntity, p } from "@mikro-orm/core";
import { Bot } from "./bot.entity.ts";
import { Contact } from "./contact.entity.ts";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/** Erasing a bot or a contact erases its conversations (and, through them, their messages and ratings). */
export const Conversation = defineEntity({
	name: "Conversation",
	tableName: "conversation",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		bot: p.manyToOne(Bot).joinColumns("account_id", "bot_id").nullable().deleteRule("cascade").updateRule("no action"),
		contact: p
			.manyToOne(Contact)
			.joinColumns("account_id", "contact_id")
			.nullable()
			.deleteRule("cascade")
			.updateRule("no action"),
		// Counters over the conversation's messages, maintained by the message rollup trigger (src/rollups/).
		messages: p.integer().default(0),
		userMessages: p.integer().default(0),
		botMessages: p.integer().default(0),
		activityMessages: p.integer().default(0),
		tokens: p.bigint("number").default(0),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [
		// Newest first with ties by id in byte order: the drill-down's keyset order (contract §8.4), which a page reads
		// as one index range; range reads by creation use it as the plain (account_id, created_at) index they had.
		{
			name: "conversation_account_created_id_idx",
			properties: ["account", "createdAt", "id"],
			expression:
				'create index "conversation_account_created_id_idx" on "conversation" ("account_id", "created_at" DESC, "id" collate "C" DESC)',
		},
		{ name: "conversation_account_bot_created_idx", properties: ["account", "bot", "createdAt"] },
		{ name: "conversation_account_contact_created_idx", properties: ["account", "contact", "createdAt"] },
	],
});
