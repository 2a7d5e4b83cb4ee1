import { Migration } from "@mikro-orm/migrations";
import { rollupBackfillSql, rollupDropSql, rollupTriggersSql } from "../rollups.ts";

export class Migration20261124110516_rollups extends Migration {
	override name = "Migration20261124110516_rollups";

	override up(): void | Promise<void> {
		this.addSql(
			`create table "action_slot" ("account_id" varchar(64) not null, "bot_key" varchar(64) not null, "slot" timestamptz not null, "action_type" text not null, "action_name" text not null, "count" bigint not null default '0', primary key ("account_id", "bot_key", "slot", "action_type", "action_name"));`,
		);

		this.addSql(
			`create table "activity_slot" ("account_id" varchar(64) not null, "bot_key" varchar(64) not null, "slot" timestamptz not null, "conversations" bigint not null default '0', "messages" bigint not null default '0', "user_messages" bigint not null default '0', "bot_messages" bigint not null default '0', "activity_messages" bigint not null default '0', "tokens" bigint not null default '0', "ratings" bigint not null default '0', "thumbs_up" bigint not null default '0', "thumbs_down" bigint not null default '0', primary key ("account_id", "bot_key", "slot"));`,
		);

		this.addSql(
			`create table "cohort_slot" ("account_id" varchar(64) not null, "bot_key" varchar(64) not null, "slot" timestamptz not null, "conversations" bigint not null default '0', "messages" bigint not null default '0', "user_messages" bigint not null default '0', "bot_messages" bigint not null default '0', "activity_messages" bigint not null default '0', "tokens" bigint not null default '0', "depth_zero" bigint not null default '0', "depth_one" bigint not null default '0', "depth_two_to_three" bigint not null default '0', "depth_four_to_ten" bigint not null default '0', "depth_eleven_or_more" bigint not null default '0', primary key ("account_id", "bot_key", "slot"));`,
		);

		this.addSql(
			`alter table "conversation" add "messages" int not null default 0, add "user_messages" int not null default 0, add "bot_messages" int not null default 0, add "activity_messages" int not null default 0, add "tokens" bigint not null default '0';`,
		);
		// Triggers keep the rollups exact from now on; the backfill covers rows stored before.
		for (const sql of [...rollupTriggersSql, ...rollupBackfillSql]) this.addSql(sql);
	}

	override down(): void | Promise<void> {
		for (const sql of rollupDropSql) this.addSql(sql);
		this.addSql(`drop table if exists "action_slot" cascade;`);
		this.addSql(`drop table if exists "activity_slot" cascade;`);
		this.addSql(`drop table if exists "cohort_slot" cascade;`);

		this.addSql(
			`alter table "conversation" drop column "messages", drop column "user_messages", drop column "bot_messages", drop column "activity_messages", drop column "tokens";`,
		);
	}
}
