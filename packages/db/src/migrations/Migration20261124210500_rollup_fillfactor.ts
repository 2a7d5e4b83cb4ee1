import { Migration } from "@mikro-orm/migrations";

/**
 * Room on the pages of the tables every ingest updates in place, so those updates stay on the row's page (HOT: no
 * index entry written, and the old version pruned on the spot). The rollup rows of the current slots and days are
 * updated by every batch, a conversation by each batch carrying its messages. Measured with four writers on a new
 * account (120k messages, alternating runs): 13.1–14.1k → 15.0–15.4k messages/s; the HOT share of rollup updates rose
 * from about half to nine in ten. Applies to pages written from now on; rollup tables are small (slots × bots), the
 * conversation table grows by about a fifth.
 */
const rollupTables = [
	"activity_slot",
	"activity_day",
	"cohort_slot",
	"cohort_day",
	"action_slot",
	"action_day",
	"contact_slot",
	"contact_activity_day",
];

export class Migration20261124210500_rollup_fillfactor extends Migration {
	override name = "Migration20261124210500_rollup_fillfactor";

	override up(): void | Promise<void> {
		for (const table of rollupTables) this.addSql(`alter table "${table}" set (fillfactor = 50);`);
		this.addSql(`alter table "conversation" set (fillfactor = 80);`);
	}

	override down(): void | Promise<void> {
		for (const table of [...rollupTables, "conversation"]) this.addSql(`alter table "${table}" reset (fillfactor);`);
	}
}
