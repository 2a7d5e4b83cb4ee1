import { Migration } from "@mikro-orm/migrations";

/**
 * `watch_lease`: the open live-report watches of every API process (see its entity). On Citus it is distributed by
 * `account_id` with the account's other tables, so acquiring and renewing a lease are single-shard statements.
 */
export class Migration20261203081619_watch_lease extends Migration {
	override name = "Migration20261203081619_watch_lease";

	override async up(): Promise<void> {
		this.addSql(
			`create table "watch_lease" ("account_id" varchar(64) not null, "id" varchar(64) not null, "expires_at_ms" double precision not null, primary key ("account_id", "id"));`,
		);
		const citus = await this.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
		if (citus.length > 0) {
			this.addSql("select create_distributed_table('watch_lease', 'account_id', colocate_with => 'account');");
		}
	}

	override down(): void {
		this.addSql(`drop table if exists "watch_lease";`);
	}
}
