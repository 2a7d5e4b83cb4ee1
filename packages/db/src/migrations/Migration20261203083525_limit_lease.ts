import { Migration } from "@mikro-orm/migrations";

/**
 * `limit_lease`: what every API process holds of an account's shared limits (see its entity). On Citus it is
 * distributed by `account_id` with the account's other tables, so taking and renewing a lease are single-shard
 * statements.
 */
export class Migration20261203083525_limit_lease extends Migration {
	override name = "Migration20261203083525_limit_lease";

	override async up(): Promise<void> {
		this.addSql(
			`create table "limit_lease" ("account_id" varchar(64) not null, "id" varchar(64) not null, "kind" varchar(16) not null, "units" double precision not null, "expires_at_ms" double precision not null, primary key ("account_id", "id"));`,
		);
		const citus = await this.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
		if (citus.length > 0) {
			this.addSql("select create_distributed_table('limit_lease', 'account_id', colocate_with => 'account');");
		}
	}

	override down(): void {
		this.addSql(`drop table if exists "limit_lease";`);
	}
}
