import { Effect } from "effect";
import { Database } from "../database.ts";

/**
 * The account's data version (the sum of its `data_version` rows, bumped in every transaction that changes its
 * data): what a live report polls to learn that the account changed, from any process and any writer.
 */
export const readDataVersion = (accountId: string) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		const rows = yield* query<{ version: string }>(
			"SELECT coalesce(sum(version), 0)::text AS version FROM data_version WHERE account_id = $1",
			[accountId],
			{ prepared: true },
		);
		return rows[0]?.version ?? "0";
	});
