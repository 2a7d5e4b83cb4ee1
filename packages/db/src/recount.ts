import { ResourceNotFound } from "@convolens/core";
import { Effect } from "effect";
import { Database } from "./database.ts";
import { rebuildContactDays } from "./maintenance.ts";
import { recountContactDaysSql, recountSql } from "./rollups/index.ts";

/**
 * Recomputes the rollups of the given accounts (every account when none is given) from their raw rows, each account
 * in a transaction of its own (`recountSql`). The raw tables are locked in `SHARE` mode meanwhile: reports keep
 * reading, writes wait until the account is done (23 s for the benchmark's 1M-message account on the development
 * machine). Returns the accounts recounted; fails with `ResourceNotFound`, recounting none, when one does not exist.
 */
export const recountRollups = (
	accountIds?: ReadonlyArray<string>,
	options: {
		/** Called with how many accounts are done of how many: once with 0 before the first, then after each. */
		readonly onAccount?: (done: number, total: number) => void;
	} = {},
) =>
	Effect.gen(function* () {
		const database = yield* Database;
		const known = new Set(
			(yield* database.query<{ id: string }>("SELECT id FROM account ORDER BY id")).map((row) => row.id),
		);
		const accounts = accountIds ?? [...known];
		const unknown = accounts.find((id) => !known.has(id));
		if (unknown !== undefined) {
			return yield* new ResourceNotFound({ message: `unknown account '${unknown}'`, resource: "account" });
		}
		options.onAccount?.(0, accounts.length);
		for (const [index, accountId] of accounts.entries()) {
			yield* database.transaction(async (client) => {
				await client.query("LOCK TABLE conversation, message, rating, contact IN SHARE MODE");
				const account = client.escapeLiteral(accountId);
				for (const sql of recountSql(account)) await client.query(sql);
				const days = await client.query<{ day: Date }>(recountContactDaysSql(account));
				await rebuildContactDays(
					client,
					accountId,
					days.rows.map((row) => row.day),
				);
			});
			options.onAccount?.(index + 1, accounts.length);
		}
		return accounts;
	});
