import { Migration } from "@mikro-orm/migrations";

/**
 * A schema Citus can distribute by account (and the same schema on a single PostgreSQL).
 *
 * Everywhere: the composite foreign keys no longer cascade updates (`ON UPDATE CASCADE` over the distribution
 * column is refused by Citus; ids never change through the API).
 *
 * Where the `citus` extension is installed (`npm run cluster -- up` creates it first):
 * - every trigger goes: statement triggers cannot read their transition tables on workers, so the ingest and the
 *   erase keep the rollups themselves (`src/maintenance.ts` reads the mode from the triggers' absence);
 * - `api_token` becomes a reference table (its token lookup is by hash, across accounts), without its foreign key to
 *   `account` (a reference table may not point at a distributed one; tokens are revoked, never orphaned by an
 *   account delete, which the API does not offer);
 * - `account` is distributed by `id` and every other table by `account_id`, co-located with it, so each account's
 *   rows (raw and rolled up) live in one shard group and every statement of one account is routed to one node.
 */
const compositeForeignKeys: ReadonlyArray<readonly [table: string, name: string, columns: string, parent: string]> = [
	["conversation", "conversation_account_id_bot_id_foreign", '"account_id", "bot_id"', "bot"],
	["conversation", "conversation_account_id_contact_id_foreign", '"account_id", "contact_id"', "contact"],
	["record", "record_account_id_dataset_id_foreign", '"account_id", "dataset_id"', "dataset"],
	["message", "message_account_id_conversation_id_foreign", '"account_id", "conversation_id"', "conversation"],
	["rating", "rating_account_id_bot_id_foreign", '"account_id", "bot_id"', "bot"],
	["rating", "rating_account_id_conversation_id_foreign", '"account_id", "conversation_id"', "conversation"],
	["rating", "rating_account_id_message_id_foreign", '"account_id", "message_id"', "message"],
	["rating", "rating_account_id_contact_id_foreign", '"account_id", "contact_id"', "contact"],
	["ability", "ability_account_id_skillset_id_foreign", '"account_id", "skillset_id"', "skillset"],
];

const foreignKeys = (update: "no action" | "cascade") =>
	compositeForeignKeys.flatMap(([table, name, columns, parent]) => [
		`alter table "${table}" drop constraint "${name}";`,
		`alter table "${table}" add constraint "${name}" foreign key (${columns}) references "${parent}" ("account_id", "id") on update ${update} on delete cascade;`,
	]);

/** Parents before children, so each foreign key points at a table already distributed. */
const distributedTables = [
	"bot",
	"contact",
	"dataset",
	"skillset",
	"file",
	"conversation",
	"message",
	"rating",
	"record",
	"ability",
	"activity_slot",
	"activity_day",
	"cohort_slot",
	"cohort_day",
	"action_slot",
	"action_day",
	"contact_slot",
	"contact_activity_day",
	"contact_total",
	"contacts_slot",
	"contacts_day",
	"contact_counter",
	"contact_day",
	"data_version",
];

export class Migration20261202220000_distributable extends Migration {
	override name = "Migration20261202220000_distributable";

	override async up(): Promise<void> {
		for (const sql of foreignKeys("no action")) this.addSql(sql);
		const citus = await this.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
		if (citus.length === 0) return;
		const triggers = await this.execute(
			`SELECT t.tgname AS name, c.relname AS "table" FROM pg_trigger t
			JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
			WHERE NOT t.tgisinternal ORDER BY 2, 1`,
		);
		for (const { name, table } of triggers) this.addSql(`drop trigger "${name}" on "${table}";`);
		// Tables with foreign keys between them are distributed one shard at a time inside a transaction.
		this.addSql("set local citus.multi_shard_modify_mode to 'sequential';");
		this.addSql(`alter table "api_token" drop constraint "api_token_account_id_foreign";`);
		this.addSql("select create_reference_table('api_token');");
		this.addSql("select create_distributed_table('account', 'id');");
		for (const table of distributedTables) {
			this.addSql(`select create_distributed_table('${table}', 'account_id', colocate_with => 'account');`);
		}
	}

	override down(): void {
		// Undistributing is `undistribute_table` by hand; the foreign keys get their update cascade back.
		for (const sql of foreignKeys("cascade")) this.addSql(sql);
	}
}
