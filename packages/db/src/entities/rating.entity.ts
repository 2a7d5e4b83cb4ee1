import { defineEntity, p } from "@mikro-orm/core";
import { Bot } from "./bot.entity.ts";
import { Contact } from "./contact.entity.ts";
import { Conversation } from "./conversation.entity.ts";
import { Message } from "./message.entity.ts";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/** A rating hangs off each of its (optional) bot, conversation, message and contact: erasing any erases it. */
export const Rating = defineEntity({
	name: "Rating",
	tableName: "rating",
	properties: {
		...tenantKey(),
		createdAt: p.datetime(),
		/** −100..100: > 0 thumbs up, < 0 thumbs down. */
		value: p.smallint(),
		reason: p.text().nullable(),
		bot: p.manyToOne(Bot).joinColumns("account_id", "bot_id").nullable().deleteRule("cascade").updateRule("no action"),
		conversation: p
			.manyToOne(Conversation)
			.joinColumns("account_id", "conversation_id")
			.nullable()
			.deleteRule("cascade")
			.updateRule("no action"),
		message: p
			.manyToOne(Message)
			.joinColumns("account_id", "message_id")
			.nullable()
			.deleteRule("cascade")
			.updateRule("no action"),
		contact: p
			.manyToOne(Contact)
			.joinColumns("account_id", "contact_id")
			.nullable()
			.deleteRule("cascade")
			.updateRule("no action"),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [
		{ name: "rating_account_created_idx", properties: ["account", "createdAt"] },
		{ name: "rating_account_bot_created_idx", properties: ["account", "bot", "createdAt"] },
		{ name: "rating_account_conversation_idx", properties: ["account", "conversation"] },
		{ name: "rating_account_message_idx", properties: ["account", "message"] },
		{ name: "rating_account_contact_idx", properties: ["account", "contact"] },
	],
});
