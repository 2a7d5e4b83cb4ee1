import { Ability } from "./ability.entity.ts";
import { Account } from "./account.entity.ts";
import { ApiToken } from "./api-token.entity.ts";
import { Bot } from "./bot.entity.ts";
import { Contact } from "./contact.entity.ts";
import { Conversation } from "./conversation.entity.ts";
import { Dataset } from "./dataset.entity.ts";
import { File } from "./file.entity.ts";
import { LimitLease } from "./limit-lease.entity.ts";
import { Message } from "./message.entity.ts";
import { RateLimitBucket } from "./rate-limit.entity.ts";
import { Rating } from "./rating.entity.ts";
import { DatasetRecord } from "./record.entity.ts";
import {
	ActionDay,
	ActionSlot,
	ActivityDay,
	ActivitySlot,
	CohortDay,
	CohortSlot,
	ContactActivityDay,
	ContactCounter,
	ContactDay,
	ContactSlot,
	ContactsDay,
	ContactsSlot,
	ContactTotal,
	DataVersion,
} from "./rollup.entity.ts";
import { Skillset } from "./skillset.entity.ts";
import { Webhook } from "./webhook.entity.ts";
import { WebhookAlertState } from "./webhook-alert-state.entity.ts";
import { WebhookDelivery } from "./webhook-delivery.entity.ts";

export {
	Ability,
	Account,
	type ActionDay,
	ActionSlot,
	type ActivityDay,
	ActivitySlot,
	ApiToken,
	Bot,
	type CohortDay,
	CohortSlot,
	Contact,
	ContactActivityDay,
	ContactCounter,
	ContactDay,
	ContactSlot,
	ContactsDay,
	ContactsSlot,
	ContactTotal,
	Conversation,
	Dataset,
	DatasetRecord,
	DataVersion,
	File,
	LimitLease,
	Message,
	RateLimitBucket,
	Rating,
	Skillset,
	Webhook,
	WebhookAlertState,
	WebhookDelivery,
};

/** Every entity of the schema, in dependency order. */
export const entities = [
	Account,
	ApiToken,
	Contact,
	Bot,
	Conversation,
	Message,
	Rating,
	Dataset,
	DatasetRecord,
	Skillset,
	Ability,
	File,
	ActivitySlot,
	CohortSlot,
	ActionSlot,
	ContactSlot,
	ContactCounter,
	ContactDay,
	ContactTotal,
	ActivityDay,
	CohortDay,
	ActionDay,
	ContactActivityDay,
	ContactsSlot,
	ContactsDay,
	DataVersion,
	RateLimitBucket,
	LimitLease,
	Webhook,
	WebhookDelivery,
	WebhookAlertState,
] as const;

/** Tables of derived data (rollups), kept exact by triggers; every other entity but `account` is tenant data. */
export const rollupEntities = [
	ActivitySlot,
	CohortSlot,
	ActionSlot,
	ContactSlot,
	ContactCounter,
	ContactDay,
	ContactTotal,
	ActivityDay,
	CohortDay,
	ActionDay,
	ContactActivityDay,
	ContactsSlot,
	ContactsDay,
	DataVersion,
] as const;

/** Tables of service state shared by the API processes (not tenant data, though keyed by account). */
export const serviceStateEntities = [RateLimitBucket, LimitLease, WebhookAlertState] as const;
