import { Migration } from "@mikro-orm/migrations";

/**
 * Drops `message (account_id, bot_id, created_at)`. The reports read per-bot activity from the rollups; the raw
 * rows serve only windows off the 15-minute grid (historical offsets), where `(account_id, created_at)` with a bot
 * filter does. Every inserted message paid for the index: four writers of current activity on the 10M-message
 * benchmark account went from 7.0–9.4k to 9.8–11.6k messages/s without it (alternating runs, median 8.1k → 10.3k).
 * The benchmark gives its raw-scan baseline the index while it measures it, as a peer's schema would have it.
 */
export class Migration20261125023000_message_bot_index extends Migration {
	override name = "Migration20261125023000_message_bot_index";

	override up(): void | Promise<void> {
		this.addSql(`drop index if exists "message_account_bot_created_idx";`);
	}

	override down(): void | Promise<void> {
		this.addSql(
			`create index if not exists "message_account_bot_created_idx" on "message" ("account_id", "bot_id", "created_at");`,
		);
	}
}
