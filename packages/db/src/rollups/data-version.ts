import { fn, trigger } from "./sql.ts";

/**
 * The data version of each account (`data_version`): every statement that writes an account's data adds 1 to one of
 * its rows, in the writing transaction, so `sum(version)` changes exactly when the account's committed data does.
 * The API keys its result cache by it (`@convolens/core`'s `ResultCache`). Rows are spread over
 * `DATA_VERSION_SHARDS` per account by backend, so concurrent writers of one account rarely wait for each other's
 * commit on the same row.
 */
export const DATA_VERSION_SHARDS = 16;

/** Every table an account's reports read, with the column that names the account. */
export const dataVersionTables: ReadonlyArray<
	readonly [table: string, column: string, events: ReadonlyArray<"INSERT" | "UPDATE" | "DELETE">]
> = [
	["account", "id", ["UPDATE"]],
	...["bot", "contact", "conversation", "message", "rating", "dataset", "record", "skillset", "ability", "file"].map(
		(table) => [table, "account_id", ["INSERT", "UPDATE", "DELETE"]] as const,
	),
];

const bumpDataVersion = (source: string, column: string) => `
		INSERT INTO data_version AS t (account_id, shard, version)
		SELECT DISTINCT ${column}, (pg_backend_pid() % ${DATA_VERSION_SHARDS})::smallint, 1 FROM ${source} ORDER BY 1
		ON CONFLICT (account_id, shard) DO UPDATE SET version = t.version + 1;`;

const dataChangedFn = (name: string, column: string) =>
	fn(name, [
		`	IF TG_OP = 'DELETE' THEN${bumpDataVersion("old_rows", column)}
	ELSE${bumpDataVersion("new_rows", column)}
	END IF;`,
	]);

export const dataVersionSql: ReadonlyArray<string> = [
	dataChangedFn("convolens_data_changed", "account_id"),
	dataChangedFn("convolens_account_changed", "id"),
	...dataVersionTables.flatMap(([table, column, events]) =>
		events.map((event) =>
			trigger(
				`${table}_data_version_${event.toLowerCase()}`,
				table,
				event,
				column === "id" ? "convolens_account_changed" : "convolens_data_changed",
			),
		),
	),
];
