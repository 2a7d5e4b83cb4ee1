import { Migration } from "@mikro-orm/migrations";

/** Every bot's slots in a time range, for the bot rankings (the primary key leads with the bot). */

export class Migration20261124145412_activity_slot_by_slot extends Migration {
	override name = "Migration20261124145412_activity_slot_by_slot";

	override up(): void | Promise<void> {
		this.addSql(`create index "activity_slot_account_slot_idx" on "activity_slot" ("account_id", "slot");`);
	}

	override down(): void | Promise<void> {
		this.addSql(`drop index "activity_slot_account_slot_idx";`);
	}
}
