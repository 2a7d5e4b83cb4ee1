import { defineEntity, p } from "@mikro-orm/core";
import { Dataset } from "./dataset.entity.ts";
import { tenantKey, tenantPrimaryKeys } from "./tenant.ts";

/** Erasing a dataset erases its records. */
export const DatasetRecord = defineEntity({
	name: "DatasetRecord",
	tableName: "record",
	properties: {
		...tenantKey({ accountForeignKey: false }),
		createdAt: p.datetime(),
		dataset: p.manyToOne(Dataset).joinColumns("account_id", "dataset_id").deleteRule("cascade").updateRule("no action"),
	},
	primaryKeys: tenantPrimaryKeys,
	indexes: [{ name: "record_account_dataset_idx", properties: ["account", "dataset"] }],
});
