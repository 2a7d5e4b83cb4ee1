import { defineEntity, p } from "@mikro-orm/core";
import { Account } from "./account.entity.ts";

/**
 * Which alerts were raised at an account's previous webhook evaluation (contract §8.3), so that only newly raised
 * ones are delivered, whichever API process evaluates. The row is also the evaluation's lock: it is read
 * `FOR UPDATE`, so evaluations of one account apply one at a time, and one computed before the stored one is dropped.
 * No foreign key: disposable service state, like the rate limit's buckets.
 */
export const WebhookAlertState = defineEntity({
	name: "WebhookAlertState",
	tableName: "webhook_alert_state",
	properties: {
		account: p.manyToOne(Account).primary().createForeignKeyConstraint(false),
		/** The identities of the raised alerts (see `repositories/webhooks.ts`). */
		raised: p.array(),
		/** Epoch milliseconds at which the stored evaluation started computing. */
		evaluatedAtMs: p.double(),
	},
	primaryKeys: ["account"],
});
