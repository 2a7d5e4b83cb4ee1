import { addDays, localDate, ResourceNotFound, startOfLocalDay } from "@convolens/core";
import { Cause, Effect, Exit, ManagedRuntime } from "effect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	AccountRepository,
	ActivityRepository,
	type DatabaseLayerServices,
	makeDatabaseLayer,
	TenantRepository,
} from "../src/layer.ts";
import { maintenanceOf } from "../src/maintenance.ts";
import { recountRollups } from "../src/recount.ts";
import { generateActivity } from "../src/seed/generate.ts";
import { loadBodies } from "../src/seed/load.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

/**
 * `recount` rebuilds an account's rollups from its raw rows: after rollups were changed behind the triggers' back
 * (raw rows edited with the triggers off, rollup rows altered or lost), every answer equals the raw tables again,
 * and no other account is touched.
 */
const now = new Date("2026-11-24T10:07:00Z");
const timeZone = "Asia/Kathmandu";
const days = (() => {
	const today = localDate(timeZone, now.getTime());
	return Array.from({ length: 16 }, (_, index) => startOfLocalDay(timeZone, addDays(today, index - 14)));
})();

describe("recounting the rollups", () => {
	let database: TestDatabase;
	type Services = DatabaseLayerServices;
	let rollups: ManagedRuntime.ManagedRuntime<Services, unknown>;
	let raw: ManagedRuntime.ManagedRuntime<Services, unknown>;
	let client: pg.Client;
	const accounts: Array<string> = [];

	beforeAll(async () => {
		database = await createTestDatabase();
		rollups = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4 }));
		raw = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 2, analytics: "raw" }));
		for (const seed of [11, 12]) {
			accounts.push(
				await rollups.runPromise(
					Effect.gen(function* () {
						const account = yield* (yield* TenantRepository).createAccount({ name: `Recount ${seed}` });
						const activity = generateActivity({ seed, now, days: 12, messages: 3_000, bots: 3, contacts: 40 });
						yield* loadBodies(account.id, activity.parents());
						yield* loadBodies(account.id, activity.events(), { concurrency: 2 });
						return account.id;
					}),
				),
			);
		}
		client = new pg.Client({ connectionString: database.url });
		await client.connect();
	}, 300_000);

	afterAll(async () => {
		await client?.end();
		await rollups?.dispose();
		await raw?.dispose();
		await database?.drop();
	});

	const ask = (runtime: typeof raw, accountId: string) =>
		runtime.runPromise(
			Effect.gen(function* () {
				const activity = yield* ActivityRepository;
				const account = yield* AccountRepository;
				const range = { start: days[0]!, end: days.at(-1)! };
				return [
					yield* activity.countsBySlice({ accountId }, days),
					yield* activity.countsBySlice({ accountId, botId: "bot_01" }, days),
					yield* activity.conversationCohorts({ accountId }, [range.start, days[7]!, range.end]),
					yield* activity.topActions({ accountId }, range, 20),
					yield* activity.activeContacts({ accountId }, days),
					yield* activity.contactRankings(accountId, range, 10),
					yield* activity.topContacts(accountId, range, "tokens", 10),
					yield* activity.topBots(accountId, range, "messages", 10),
					yield* account.totalContacts(accountId),
					yield* account.contactsCreated(accountId, days),
				];
			}),
		);

	const version = async (accountId: string) =>
		(
			await client.query("SELECT coalesce(sum(version), 0)::text AS v FROM data_version WHERE account_id = $1", [
				accountId,
			])
		).rows[0].v as string;

	it("makes every answer equal the raw tables again, for the account named only", async () => {
		const [broken, other] = accounts as [string, string];
		const otherBefore = await ask(rollups, other);
		expect(otherBefore).toEqual(await ask(raw, other));
		// Behind the triggers' back: raw rows edited with the triggers off, rollup rows altered and lost.
		// (Without triggers — a cluster — every edit by hand is behind the writers' back already; Citus also wants
		// immutable expressions in a distributed UPDATE, hence the shift in UTC rather than timestamptz arithmetic.)
		const triggers = (await maintenanceOf(client)) === "triggers";
		if (triggers) await client.query("ALTER TABLE message DISABLE TRIGGER USER");
		await client.query(
			"UPDATE message SET tokens = tokens + 9, created_at = (created_at AT TIME ZONE 'UTC' - interval '1 day') AT TIME ZONE 'UTC' WHERE account_id = $1 AND id LIKE '%1'",
			[broken],
		);
		if (triggers) await client.query("ALTER TABLE message ENABLE TRIGGER USER");
		await client.query("UPDATE activity_slot SET messages = messages + 5 WHERE account_id = $1", [broken]);
		await client.query("UPDATE contact_counter SET contacts = contacts + 3 WHERE account_id = $1", [broken]);
		for (const table of ["cohort_day", "contact_total", "contact_day", "action_day"]) {
			await client.query(`DELETE FROM ${table} WHERE account_id = $1`, [broken]);
		}
		const versionBefore = await version(broken);
		const wrong = await ask(rollups, broken);
		const truth = await ask(raw, broken);
		for (let index = 0; index < truth.length; index++) {
			if (index === 2 || index === 9) continue; // Cohorts and contacts created survive in their slot rows.
			expect(wrong[index], `answer ${index} is wrong before the recount`).not.toEqual(truth[index]);
		}

		expect(await rollups.runPromise(recountRollups([broken]))).toEqual([broken]);

		expect(await ask(rollups, broken)).toEqual(truth);
		expect(await ask(rollups, other)).toEqual(otherBefore);
		expect(BigInt(await version(broken))).toBeGreaterThan(BigInt(versionBefore));
		// The conversation counters match their messages again.
		const drift = await client.query(
			`SELECT count(*)::int AS n FROM conversation c
			LEFT JOIN (SELECT conversation_id, count(*) AS messages, sum(tokens) AS tokens FROM message
				WHERE account_id = $1 GROUP BY 1) m ON m.conversation_id = c.id
			WHERE c.account_id = $1 AND (c.messages <> coalesce(m.messages, 0) OR c.tokens <> coalesce(m.tokens, 0))`,
			[broken],
		);
		expect(drift.rows[0].n).toBe(0);
	});

	it("recounts every account by default, changing nothing that was right", async () => {
		const before = await Promise.all(accounts.map((id) => ask(rollups, id)));
		const recounted = await rollups.runPromise(recountRollups());
		expect([...recounted].sort()).toEqual(
			(await client.query("SELECT id FROM account ORDER BY id")).rows.map((row) => row.id).sort(),
		);
		const after = await Promise.all(accounts.map((id) => ask(rollups, id)));
		for (const [account, answers] of after.entries()) {
			for (const [index, answer] of answers.entries()) {
				expect(answer, `account ${account}, answer ${index}`).toEqual(before[account]![index]);
			}
		}
	});

	it("names an account that does not exist, and recounts nothing", async () => {
		const versionBefore = await version(accounts[0]!);
		const exit = await rollups.runPromiseExit(recountRollups([accounts[0]!, "acc_missing"]));
		expect(Exit.isFailure(exit)).toBe(true);
		const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined;
		expect(error).toBeInstanceOf(ResourceNotFound);
		expect((error as Error).message).toBe("unknown account 'acc_missing'");
		expect(await version(accounts[0]!)).toBe(versionBefore);
	});
});
