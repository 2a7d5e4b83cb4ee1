import { runErase, runIngest } from "@convolens/core";
import { seededRandom } from "@convolens/core/random";
import { randomSnapshot } from "@convolens/core/testing";
import { assert, layer } from "@effect/vitest";
import { Effect, Layer } from "effect";
import pg from "pg";
import { makeDatabaseLayer } from "../src/layer.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";
import { bodyOf, load, referentiallyValid, renameAccounts } from "./snapshots.ts";

/**
 * The rollups kept by the writers' statements (a database without maintenance triggers, as on Citus) equal, row for
 * row, those the triggers keep, after the same ingest, erases (with their cascades), late rows and duplicates. The
 * oracle is the trigger-kept database itself, compared through plain SQL dumps.
 */

/** Every maintained table as rows, in a stable order; packed contact days decoded to contact ids. */
const dumps: ReadonlyArray<readonly [name: string, sql: string]> = [
	...[
		"activity_slot",
		"activity_day",
		"cohort_slot",
		"cohort_day",
		"action_slot",
		"action_day",
		"contact_slot",
		"contact_activity_day",
		"contact_total",
		"contacts_slot",
		"contacts_day",
	].map((table) => [table, `SELECT * FROM ${table} t ORDER BY t`] as const),
	[
		"conversation counters",
		"SELECT account_id, id, messages, user_messages, bot_messages, activity_messages, tokens FROM conversation ORDER BY 1, 2",
	],
	["contact counts", "SELECT account_id, contacts FROM contact_counter ORDER BY 1"],
	["contact numbers are distinct", "SELECT account_id, seq, count(*) FROM contact GROUP BY 1, 2 HAVING count(*) > 1"],
	[
		"contact_day",
		`SELECT d.account_id, d.day, c.id AS contact_id, get_byte(d.entries, i * 6 + 4) AS first, get_byte(d.entries, i * 6 + 5) AS last
		FROM contact_day d
		CROSS JOIN LATERAL generate_series(0, length(d.entries) / 6 - 1) AS i
		JOIN contact c ON c.account_id = d.account_id
			AND c.seq = (get_byte(d.entries, i * 6) << 24) + (get_byte(d.entries, i * 6 + 1) << 16)
				+ (get_byte(d.entries, i * 6 + 2) << 8) + get_byte(d.entries, i * 6 + 3)
		ORDER BY 1, 2, 3, 4, 5`,
	],
];

const dump = async (url: string) => {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		const out: Record<string, unknown> = {};
		for (const [name, sql] of dumps) out[name] = JSON.parse(JSON.stringify((await client.query(sql)).rows));
		const { rows } = await client.query<{ versions: string }>("SELECT count(*) AS versions FROM data_version");
		return { tables: out, versions: Number(rows[0]?.versions) };
	} finally {
		await client.end();
	}
};

/** The database of each mode, compared (then dropped) by the last suite. */
const databases: { triggers?: TestDatabase; statements?: TestDatabase } = {};
const layerOf = (maintenance: "triggers" | "statements") =>
	Layer.unwrap(
		Effect.promise(async () => {
			const database = await createTestDatabase({ maintenance });
			databases[maintenance] = database;
			return makeDatabaseLayer({ url: database.url, poolSize: 2 });
		}),
	);

const now = Date.parse("2026-06-10T12:00:00Z");
const seed = 31;
const snapshot = referentiallyValid(
	renameAccounts(randomSnapshot({ seed, now, timezone: "UTC", conversationsPerAccount: 80 }), "m"),
);
const main = "m-acct-0";

/** Ingest everything (twice: the second time all duplicates), erase a mix, then add late rows to erased days. */
const workload = Effect.gen(function* () {
	yield* load(snapshot);
	const again = yield* runIngest(main, bodyOf(snapshot, main));
	assert.strictEqual(
		Object.values(again.inserted).reduce((sum, n) => sum + n, 0),
		0,
		"the second ingest is all duplicates",
	);
	const random = seededRandom(seed);
	const pick = (rows: ReadonlyArray<{ accountId: string; id: string }>, n: number) => {
		const ids = rows.filter((row) => row.accountId === main).map((row) => row.id);
		return Array.from({ length: Math.min(n, ids.length) }, () => random.pick(ids));
	};
	yield* runErase(main, {
		contacts: pick(snapshot.contacts, 3),
		bots: pick(snapshot.bots, 1).filter((id) => id !== "bot-0"),
		conversations: pick(snapshot.conversations, 5),
		messages: pick(snapshot.messages, 9),
		ratings: pick(snapshot.ratings, 4),
	});
	// Erased ids come back (a contact, its conversations and their messages), into the days the erase rebuilt.
	const back = { ...snapshot, ratings: [] };
	const result = yield* runIngest(main, bodyOf(back, main));
	assert.deepStrictEqual(result.errors, []);
});

for (const maintenance of ["triggers", "statements"] as const) {
	layer(layerOf(maintenance), { timeout: "120 seconds" })(`writes maintained by ${maintenance}`, (it) => {
		it.effect("ingest, duplicates, erase with cascades, re-ingest", () => workload, 120_000);
	});
}

layer(Layer.empty)("statements keep the rollups exactly as the triggers do", (it) => {
	it.effect("every maintained table is equal row for row", () =>
		Effect.promise(async () => {
			const { triggers, statements } = databases;
			assert.isDefined(triggers);
			assert.isDefined(statements);
			const [expected, actual] = await Promise.all([dump(triggers!.url), dump(statements!.url)]);
			assert.isAbove((expected.tables.activity_slot as Array<unknown>).length, 50);
			assert.isAbove((expected.tables.contact_day as Array<unknown>).length, 20);
			for (const [name] of dumps) assert.deepStrictEqual(actual.tables[name], expected.tables[name], name);
			assert.isAbove(actual.versions, 0, "the statements moved the data version");
			await Promise.all([triggers!.drop(), statements!.drop()]);
		}),
	);
});
