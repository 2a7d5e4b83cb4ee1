import { Migration } from "@mikro-orm/migrations";

export class Migration20261124100951_initial extends Migration {
	override name = "Migration20261124100951_initial";

	override up(): void | Promise<void> {
		this.addSql(
			`create table "account" ("id" varchar(64) not null, "name" varchar(200) not null, "created_at" timestamptz not null default now(), "limit_datasets" int null, "limit_records" int null, "limit_skillsets" int null, "limit_abilities" int null, "limit_files" int null, primary key ("id"));`,
		);

		this.addSql(
			`create table "api_token" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null default now(), "name" text null, "hash" varchar(64) not null, "scopes" text[] not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, primary key ("account_id", "id"));`,
		);
		this.addSql(`alter table "api_token" add constraint "api_token_hash_key" unique ("hash");`);
		this.addSql(`create index "api_token_id_idx" on "api_token" ("id");`);

		this.addSql(
			`create table "bot" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "name" text null, primary key ("account_id", "id"));`,
		);

		this.addSql(
			`create table "contact" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "name" text null, "email" text null, "nick" text null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "contact_account_created_idx" on "contact" ("account_id", "created_at");`);

		this.addSql(
			`create table "conversation" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "bot_id" varchar(64) null, "contact_id" varchar(64) null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "conversation_account_created_idx" on "conversation" ("account_id", "created_at");`);
		this.addSql(
			`create index "conversation_account_bot_created_idx" on "conversation" ("account_id", "bot_id", "created_at");`,
		);
		this.addSql(
			`create index "conversation_account_contact_created_idx" on "conversation" ("account_id", "contact_id", "created_at");`,
		);

		this.addSql(
			`create table "dataset" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "name" text null, primary key ("account_id", "id"));`,
		);

		this.addSql(
			`create table "record" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "dataset_id" varchar(64) not null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "record_account_dataset_idx" on "record" ("account_id", "dataset_id");`);

		this.addSql(
			`create table "file" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "name" text null, primary key ("account_id", "id"));`,
		);

		this.addSql(
			`create table "message" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "conversation_id" varchar(64) not null, "bot_id" varchar(64) null, "contact_id" varchar(64) null, "type" varchar(64) not null, "tokens" int not null default 0, "action_type" text null, "action_name" text null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "message_account_created_idx" on "message" ("account_id", "created_at");`);
		this.addSql(`create index "message_account_bot_created_idx" on "message" ("account_id", "bot_id", "created_at");`);
		this.addSql(`create index "message_account_conversation_idx" on "message" ("account_id", "conversation_id");`);

		this.addSql(
			`create table "rating" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "value" smallint not null, "reason" text null, "bot_id" varchar(64) null, "conversation_id" varchar(64) null, "message_id" varchar(64) null, "contact_id" varchar(64) null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "rating_account_created_idx" on "rating" ("account_id", "created_at");`);
		this.addSql(`create index "rating_account_bot_created_idx" on "rating" ("account_id", "bot_id", "created_at");`);
		this.addSql(`create index "rating_account_conversation_idx" on "rating" ("account_id", "conversation_id");`);
		this.addSql(`create index "rating_account_message_idx" on "rating" ("account_id", "message_id");`);
		this.addSql(`create index "rating_account_contact_idx" on "rating" ("account_id", "contact_id");`);

		this.addSql(
			`create table "skillset" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "name" text null, primary key ("account_id", "id"));`,
		);

		this.addSql(
			`create table "ability" ("account_id" varchar(64) not null, "id" varchar(64) not null, "created_at" timestamptz not null, "name" text null, "skillset_id" varchar(64) null, primary key ("account_id", "id"));`,
		);
		this.addSql(`create index "ability_account_skillset_idx" on "ability" ("account_id", "skillset_id");`);

		this.addSql(
			`alter table "api_token" add constraint "api_token_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "bot" add constraint "bot_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "contact" add constraint "contact_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "conversation" add constraint "conversation_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
		this.addSql(
			`alter table "conversation" add constraint "conversation_account_id_bot_id_foreign" foreign key ("account_id", "bot_id") references "bot" ("account_id", "id") on update cascade on delete cascade;`,
		);
		this.addSql(
			`alter table "conversation" add constraint "conversation_account_id_contact_id_foreign" foreign key ("account_id", "contact_id") references "contact" ("account_id", "id") on update cascade on delete cascade;`,
		);

		this.addSql(
			`alter table "dataset" add constraint "dataset_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "record" add constraint "record_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
		this.addSql(
			`alter table "record" add constraint "record_account_id_dataset_id_foreign" foreign key ("account_id", "dataset_id") references "dataset" ("account_id", "id") on update cascade on delete cascade;`,
		);

		this.addSql(
			`alter table "file" add constraint "file_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "message" add constraint "message_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
		this.addSql(
			`alter table "message" add constraint "message_account_id_conversation_id_foreign" foreign key ("account_id", "conversation_id") references "conversation" ("account_id", "id") on update cascade on delete cascade;`,
		);

		this.addSql(
			`alter table "rating" add constraint "rating_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
		this.addSql(
			`alter table "rating" add constraint "rating_account_id_bot_id_foreign" foreign key ("account_id", "bot_id") references "bot" ("account_id", "id") on update cascade on delete cascade;`,
		);
		this.addSql(
			`alter table "rating" add constraint "rating_account_id_conversation_id_foreign" foreign key ("account_id", "conversation_id") references "conversation" ("account_id", "id") on update cascade on delete cascade;`,
		);
		this.addSql(
			`alter table "rating" add constraint "rating_account_id_message_id_foreign" foreign key ("account_id", "message_id") references "message" ("account_id", "id") on update cascade on delete cascade;`,
		);
		this.addSql(
			`alter table "rating" add constraint "rating_account_id_contact_id_foreign" foreign key ("account_id", "contact_id") references "contact" ("account_id", "id") on update cascade on delete cascade;`,
		);

		this.addSql(
			`alter table "skillset" add constraint "skillset_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);

		this.addSql(
			`alter table "ability" add constraint "ability_account_id_foreign" foreign key ("account_id") references "account" ("id") on delete cascade;`,
		);
		this.addSql(
			`alter table "ability" add constraint "ability_account_id_skillset_id_foreign" foreign key ("account_id", "skillset_id") references "skillset" ("account_id", "id") on update cascade on delete cascade;`,
		);
	}

	override down(): void | Promise<void> {
		this.addSql(`alter table "api_token" drop constraint "api_token_account_id_foreign";`);
		this.addSql(`alter table "bot" drop constraint "bot_account_id_foreign";`);
		this.addSql(`alter table "contact" drop constraint "contact_account_id_foreign";`);
		this.addSql(`alter table "conversation" drop constraint "conversation_account_id_foreign";`);
		this.addSql(`alter table "dataset" drop constraint "dataset_account_id_foreign";`);
		this.addSql(`alter table "record" drop constraint "record_account_id_foreign";`);
		this.addSql(`alter table "file" drop constraint "file_account_id_foreign";`);
		this.addSql(`alter table "message" drop constraint "message_account_id_foreign";`);
		this.addSql(`alter table "rating" drop constraint "rating_account_id_foreign";`);
		this.addSql(`alter table "skillset" drop constraint "skillset_account_id_foreign";`);
		this.addSql(`alter table "ability" drop constraint "ability_account_id_foreign";`);
		this.addSql(`alter table "conversation" drop constraint "conversation_account_id_bot_id_foreign";`);
		this.addSql(`alter table "rating" drop constraint "rating_account_id_bot_id_foreign";`);
		this.addSql(`alter table "conversation" drop constraint "conversation_account_id_contact_id_foreign";`);
		this.addSql(`alter table "rating" drop constraint "rating_account_id_contact_id_foreign";`);
		this.addSql(`alter table "message" drop constraint "message_account_id_conversation_id_foreign";`);
		this.addSql(`alter table "rating" drop constraint "rating_account_id_conversation_id_foreign";`);
		this.addSql(`alter table "record" drop constraint "record_account_id_dataset_id_foreign";`);
		this.addSql(`alter table "rating" drop constraint "rating_account_id_message_id_foreign";`);
		this.addSql(`alter table "ability" drop constraint "ability_account_id_skillset_id_foreign";`);

		this.addSql(`drop table if exists "account" cascade;`);
		this.addSql(`drop table if exists "api_token" cascade;`);
		this.addSql(`drop table if exists "bot" cascade;`);
		this.addSql(`drop table if exists "contact" cascade;`);
		this.addSql(`drop table if exists "conversation" cascade;`);
		this.addSql(`drop table if exists "dataset" cascade;`);
		this.addSql(`drop table if exists "record" cascade;`);
		this.addSql(`drop table if exists "file" cascade;`);
		this.addSql(`drop table if exists "message" cascade;`);
		this.addSql(`drop table if exists "rating" cascade;`);
		this.addSql(`drop table if exists "skillset" cascade;`);
		this.addSql(`drop table if exists "ability" cascade;`);
	}
}
