import { defineEntity, p } from "@mikro-orm/core";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";
import { Webhook } from "./webhook.entity.ts";

/**
 * The outbox of alert webhooks (contract §8.3): one row per event and webhook, written in the transaction that
 * evaluated the alerts, so a process that stops before sending loses nothing. `payload` is the exact body sent on
 * every attempt. A pending row is due at `next_attempt_at_ms`; the process that claims it pushes that time past its
 * attempt (a lease), so another process takes it over only if the first one died. Deleting the webhook deletes its
 * deliveries.
 */
export const WebhookDelivery = defineEntity({
	name: "WebhookDelivery",
	tableName: "webhook_delivery",
	properties: {
		...tenantKey({ accountForeignKey: false }),
		createdAt: p.datetime(),
		webhook: p.manyToOne(Webhook).joinColumns("account_id", "webhook_id").deleteRule("cascade").updateRule("no action"),
		/** The event type, `alert.raised`. */
		event: p.string().length(32),
		payload: p.text(),
		/** `pending`, `delivered` or `failed` (retries exhausted). */
		status: p.string().length(16),
		attempts: p.integer().default(0),
		lastError: p.text().nullable(),
		/** Epoch milliseconds at which a pending delivery is (next) due. */
		nextAttemptAtMs: p.double(),
		deliveredAt: p.datetime().nullable(),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [
		{ name: "webhook_delivery_due_idx", properties: ["status", "nextAttemptAtMs"] },
		{ name: "webhook_delivery_webhook_idx", properties: ["account", "webhook", "createdAt"] },
	],
});
