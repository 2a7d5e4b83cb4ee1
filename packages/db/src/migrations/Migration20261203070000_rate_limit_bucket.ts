import { Migration } from "@mikro-orm/migrations";

/**
 * `rate_limit_bucket`: the per-token rate limit shared by every API process (see its entity). On Citus it is
 * distributed by `account_id` with the account's other tables, so a take is a single-shard statement.
 */
export class Migration20261203070000_rate_limit_bucket extends Migration {
	override name = "Migration20261203070000_rate_limit_bucket";

	override async up(): Promise<void> {
		this.addSql(
			`create table "rate_limit_bucket" ("account_id" varchar(64) not null, "token_id" varchar(64) not null, "tokens" double precision not null, "allowed" boolean not null, "updated_at_ms" double precision not null, primary key ("account_id", "token_id"));`,
		);
		const citus = await this.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
		if (citus.length > 0) {
			this.addSql("select create_distributed_table('rate_limit_bucket', 'account_id', colocate_with => 'account');");
		}
	}

	override down(): void {
		this.addSql(`drop table if exists "rate_limit_bucket";`);
	}
}
