import { Migration } from "@mikro-orm/migrations";

/**
 * `conversation (account_id, created_at DESC, id COLLATE "C" DESC)` replaces `(account_id, created_at)`: the
 * drill-down lists conversations newest first with ties by id (contract §8.4), and with the id in the index a page
 * and its keyset condition are one index range, with no sort of the range. Reads by creation range use it as they
 * used the old index, so ingest keeps paying for one index, not two. On Citus the statements reach every shard.
 */
export class Migration20261203081708_conversation_keyset_index extends Migration {
	override name = "Migration20261203081708_conversation_keyset_index";

	override up(): void | Promise<void> {
		this.addSql(
			`create index "conversation_account_created_id_idx" on "conversation" ("account_id", "created_at" DESC, "id" collate "C" DESC);`,
		);
		this.addSql(`drop index "conversation_account_created_idx";`);
	}

	override down(): void | Promise<void> {
		this.addSql(`create index "conversation_account_created_idx" on "conversation" ("account_id", "created_at");`);
		this.addSql(`drop index "conversation_account_created_id_idx";`);
	}
}
