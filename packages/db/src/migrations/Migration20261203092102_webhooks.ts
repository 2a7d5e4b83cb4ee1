import { Migration } from "@mikro-orm/migrations";

/**
 * Alert webhooks (contract §8.3): `webhook` (an account's endpoints and their signing secrets), `webhook_delivery`
 * (the outbox and delivery log) and `webhook_alert_state` (which alerts the previous evaluation raised). On Citus all
 * three are distributed by `account_id` with the account's other tables, so an evaluation's transaction and a
 * delivery's claim are single-shard statements.
 */
export class Migration20261203092102_webhooks extends Migration {
	override name = "Migration20261203092102_webhooks";

	override async up(): Promise<void> {
		this.addSql(
			`create table "webhook" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "url" text not null, "secret" text not null, primary key ("account_id", "id"));`,
		);
		this.addSql(
			`create table "webhook_alert_state" ("account_id" varchar(64) not null, "raised" text[] not null, "evaluated_at_ms" double precision not null, primary key ("account_id"));`,
		);
		this.addSql(
			`create table "webhook_delivery" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "webhook_id" varchar(64) not null, "event" varchar(32) not null, "payload" text not null, "status" varchar(16) not null, "attempts" int not null default 0, "last_error" text null, "next_attempt_at_ms" double precision not null, "delivered_at" timestamptz null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "webhook_delivery_due_idx" on "webhook_delivery" ("status", "next_attempt_at_ms");`);
		this.addSql(
			`create index "webhook_delivery_webhook_idx" on "webhook_delivery" ("account_id", "webhook_id", "created_at");`,
		);
		this.addSql(
			`alter table "webhook" add constraint "webhook_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
		this.addSql(
			`alter table "webhook_delivery" add constraint "webhook_delivery_account_id_webhook_id_foreign" foreign key ("account_id", "webhook_id") references "webhook" ("account_id", "id") on update no action on delete cascade;`,
		);
		const citus = await this.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
		if (citus.length > 0) {
			// The delivery table points at `webhook`: distributed one shard at a time, parent first.
			this.addSql("set local citus.multi_shard_modify_mode to 'sequential';");
			for (const table of ["webhook", "webhook_delivery", "webhook_alert_state"]) {
				this.addSql(`select create_distributed_table('${table}', 'account_id', colocate_with => 'account');`);
			}
		}
	}

	override down(): void {
		this.addSql(`drop table if exists "webhook_delivery";`);
		this.addSql(`drop table if exists "webhook_alert_state";`);
		this.addSql(`drop table if exists "webhook";`);
	}
}
