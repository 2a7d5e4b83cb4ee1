import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateReport, ReportIds, runIngest, TenantRepository } from "@convolens/core";
import { ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseLayerServices, makeDatabaseLayer } from "../src/layer.ts";
import { runMigrations } from "../src/migrate.ts";
import {
	pauseReplay,
	queryOnce,
	type StreamingPair,
	startStreamingPair,
	waitForReplay,
} from "../src/testing/replica.ts";
import { databaseUrl } from "../src/testing/urls.ts";

/**
 * Reports served from a streaming replica (contract §9), against a real primary and hot standby started here.
 * Pausing the standby's replay holds it at a known point while the primary moves on, so which server answered
 * shows in the answer itself: the oracle is the number of conversations each server holds, counted by SQL.
 */
type Runtime = ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;

describe("read replicas", () => {
	let pair: StreamingPair;
	let primaryUrl: string;
	let replicaUrl: string;
	/** A process configured with the replica, with and without the result cache. */
	let withReplica: Runtime;
	let uncachedWithReplica: Runtime;
	/** Another process, on the primary only: its writes are not this process's. */
	let elsewhere: Runtime;
	let accountId: string;
	let written = 0;

	const conversations = (count: number) => ({
		conversations: Array.from({ length: count }, () => ({
			id: `c${++written}`,
			createdAt: new Date(Date.now() - 3_600_000).toISOString(),
		})),
	});
	const ingest = (runtime: Runtime, count: number) => runtime.runPromise(runIngest(accountId, conversations(count)));
	const totalConversations = async (runtime: Runtime, periodDays = 7) =>
		(await runtime.runPromise(generateReport(ReportIds.TotalConversations, { periodDays }, { accountId }))).value;
	const storedOn = async (url: string) =>
		(
			await queryOnce<{ count: number }>(url, "SELECT count(*)::int AS count FROM conversation WHERE account_id = $1", [
				accountId,
			])
		)[0]?.count;
	const resumeReplay = async () => {
		await queryOnce(replicaUrl, "SELECT pg_wal_replay_resume()");
		await waitForReplay(primaryUrl, replicaUrl);
	};

	beforeAll(async () => {
		pair = await startStreamingPair(await mkdtemp(path.join(tmpdir(), "convolens-replica-")));
		await queryOnce(pair.primary.url, "CREATE DATABASE convolens");
		primaryUrl = databaseUrl(pair.primary.url, "convolens");
		replicaUrl = databaseUrl(pair.replica.url, "convolens");
		await runMigrations(primaryUrl);
		withReplica = ManagedRuntime.make(makeDatabaseLayer({ url: primaryUrl, replicaUrls: [replicaUrl], poolSize: 3 }));
		uncachedWithReplica = ManagedRuntime.make(
			makeDatabaseLayer({ url: primaryUrl, replicaUrls: [replicaUrl], poolSize: 3, resultCache: false }),
		);
		elsewhere = ManagedRuntime.make(makeDatabaseLayer({ url: primaryUrl, poolSize: 3 }));
		accountId = (await elsewhere.runPromise(TenantRepository.use((tenants) => tenants.createAccount({ name: "R" }))))
			.id;
		await ingest(elsewhere, 5);
		await waitForReplay(primaryUrl, replicaUrl);
	}, 180_000);

	afterAll(async () => {
		await withReplica?.dispose();
		await uncachedWithReplica?.dispose();
		await elsewhere?.dispose();
		await pair?.stop();
	});

	it("serves reports from the replica and caches them under the replica's data version", async () => {
		expect(await totalConversations(withReplica)).toBe(5);
		await pauseReplay(replicaUrl);
		expect((await ingest(elsewhere, 3)).inserted.conversations).toBe(3);
		expect([await storedOn(primaryUrl), await storedOn(replicaUrl)]).toEqual([8, 5]);

		// Read on the paused replica: the data from before the write, with or without the cache.
		expect(await totalConversations(uncachedWithReplica)).toBe(5);
		expect(await totalConversations(withReplica)).toBe(5);
		// Not asked before: computed on the replica now, and cached under the version it read there.
		expect(await totalConversations(withReplica, 14)).toBe(5);
		expect(await totalConversations(elsewhere, 14)).toBe(8);

		// Labelled with the primary's (newer) version, that answer would now be a cache hit with the old count.
		await resumeReplay();
		expect(await totalConversations(withReplica, 14)).toBe(8);
		expect(await totalConversations(withReplica)).toBe(8);
	});

	it("keeps ingest on the primary and reads the primary for an account this process wrote until the replica has it", async () => {
		await pauseReplay(replicaUrl);
		const first = await ingest(withReplica, 2);
		expect([first.inserted.conversations, first.duplicates.conversations, first.errors]).toEqual([2, 0, []]);
		expect([await storedOn(primaryUrl), await storedOn(replicaUrl)]).toEqual([10, 8]);
		// Sending the same items again: the duplicates are found on the primary, where they are.
		written -= 2;
		const again = await ingest(withReplica, 2);
		expect([again.inserted.conversations, again.duplicates.conversations]).toEqual([0, 2]);

		// This process wrote the account: its reports read the primary. Another process reads the replica.
		expect(await totalConversations(withReplica)).toBe(10);
		expect(await totalConversations(withReplica, 21)).toBe(10);
		expect(await totalConversations(uncachedWithReplica)).toBe(8);

		// Once the replica has the write, it serves the account again — and has the write.
		await resumeReplay();
		expect(await totalConversations(uncachedWithReplica)).toBe(10);
		expect(await totalConversations(withReplica, 28)).toBe(10);
	});

	it("runs a statement that fails on the replica again on the primary", async () => {
		// A database whose data version is readable on the replica but whose report tables are missing.
		await queryOnce(pair.primary.url, "CREATE DATABASE halfway");
		await queryOnce(
			databaseUrl(pair.primary.url, "halfway"),
			"CREATE TABLE data_version (account_id text, shard smallint, version bigint)",
		);
		await waitForReplay(primaryUrl, replicaUrl);
		const halfway = ManagedRuntime.make(
			makeDatabaseLayer({ url: primaryUrl, replicaUrls: [databaseUrl(pair.replica.url, "halfway")], poolSize: 2 }),
		);
		try {
			expect(await totalConversations(halfway)).toBe(await storedOn(primaryUrl));
		} finally {
			await halfway.dispose();
		}
	});

	it("answers from the primary when the replica is down, and ingest still works", async () => {
		await pair.replica.stop();
		expect((await ingest(withReplica, 1)).inserted.conversations).toBe(1);
		expect((await ingest(elsewhere, 1)).inserted.conversations).toBe(1);
		expect(await storedOn(primaryUrl)).toBe(12);
		expect(await totalConversations(uncachedWithReplica)).toBe(12);
		expect(await totalConversations(withReplica, 30)).toBe(12);
		expect(await totalConversations(withReplica)).toBe(12);
	});
});
