import { Migration20261124100951_initial } from "./Migration20261124100951_initial.ts";
import { Migration20261124103359_message_record_without_account_fk } from "./Migration20261124103359_message_record_without_account_fk.ts";
import { Migration20261124110516_rollups } from "./Migration20261124110516_rollups.ts";
import { Migration20261124115826_contact_slot } from "./Migration20261124115826_contact_slot.ts";
import { Migration20261124133432_contact_day } from "./Migration20261124133432_contact_day.ts";
import { Migration20261124133835_contact_total } from "./Migration20261124133835_contact_total.ts";
import { Migration20261124134503_day_rollups } from "./Migration20261124134503_day_rollups.ts";
import { Migration20261124135221_contact_activity_day } from "./Migration20261124135221_contact_activity_day.ts";
import { Migration20261124135628_contact_counts } from "./Migration20261124135628_contact_counts.ts";
import { Migration20261124141604_contact_total_scale } from "./Migration20261124141604_contact_total_scale.ts";
import { Migration20261124145412_activity_slot_by_slot } from "./Migration20261124145412_activity_slot_by_slot.ts";
import { Migration20261124153742_data_version } from "./Migration20261124153742_data_version.ts";
import { Migration20261124204500_contact_day_merge } from "./Migration20261124204500_contact_day_merge.ts";
import { Migration20261124210500_rollup_fillfactor } from "./Migration20261124210500_rollup_fillfactor.ts";
import { Migration20261124213000_conversation_counters } from "./Migration20261124213000_conversation_counters.ts";
import { Migration20261124233000_contact_day_settle } from "./Migration20261124233000_contact_day_settle.ts";
import { Migration20261125023000_message_bot_index } from "./Migration20261125023000_message_bot_index.ts";
import { Migration20261125120000_update_triggers } from "./Migration20261125120000_update_triggers.ts";
import { Migration20261202220000_distributable } from "./Migration20261202220000_distributable.ts";
import { Migration20261203070000_rate_limit_bucket } from "./Migration20261203070000_rate_limit_bucket.ts";
import { Migration20261203081708_conversation_keyset_index } from "./Migration20261203081708_conversation_keyset_index.ts";
import { Migration20261203083525_limit_lease } from "./Migration20261203083525_limit_lease.ts";
import { Migration20261203092102_webhooks } from "./Migration20261203092102_webhooks.ts";

/**
 * Every committed migration, oldest first. Listed explicitly (rather than discovered by file glob) so they run the
 * same from the TypeScript sources, under vitest, or bundled. `scripts/create-migration.ts` writes new files here;
 * add each to this list.
 */
export const migrations = [
	Migration20261124100951_initial,
	Migration20261124103359_message_record_without_account_fk,
	Migration20261124110516_rollups,
	Migration20261124115826_contact_slot,
	Migration20261124133432_contact_day,
	Migration20261124133835_contact_total,
	Migration20261124134503_day_rollups,
	Migration20261124135221_contact_activity_day,
	Migration20261124135628_contact_counts,
	Migration20261124141604_contact_total_scale,
	Migration20261124145412_activity_slot_by_slot,
	Migration20261124153742_data_version,
	Migration20261124204500_contact_day_merge,
	Migration20261124210500_rollup_fillfactor,
	Migration20261124213000_conversation_counters,
	Migration20261124233000_contact_day_settle,
	Migration20261125023000_message_bot_index,
	Migration20261125120000_update_triggers,
	Migration20261202220000_distributable,
	Migration20261203070000_rate_limit_bucket,
	Migration20261203081708_conversation_keyset_index,
	Migration20261203083525_limit_lease,
	Migration20261203092102_webhooks,
];
