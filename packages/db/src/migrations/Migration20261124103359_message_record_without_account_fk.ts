import { Migration } from "@mikro-orm/migrations";

export class Migration20261124103359_message_record_without_account_fk extends Migration {
	override name = "Migration20261124103359_message_record_without_account_fk";

	override up(): void | Promise<void> {
		this.addSql(`alter table "record" drop constraint "record_account_id_foreign";`);

		this.addSql(`alter table "message" drop constraint "message_account_id_foreign";`);
	}

	override down(): void | Promise<void> {
		this.addSql(
			`alter table "message" add constraint "message_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "record" add constraint "record_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
	}
}
