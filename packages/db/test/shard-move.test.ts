import { type DataSnapshot, generateReport, reports, runIngest } from "@convolens/core";
import { emptySnapshot, randomSnapshot, referenceReport } from "@convolens/core/testing";
import { assert, layer } from "@effect/vitest";
import { Deferred, Effect, Exit } from "effect";
import { TestClock } from "effect/testing";
import { describe } from "vitest";
import { Database } from "../src/database.ts";
import { onCluster, testDatabaseLayer } from "../src/testing/index.ts";
import { bodyOf, referentiallyValid, renameAccounts } from "./snapshots.ts";

/**
 * A shard move keeps every answer. One account's data arrives in batches (each sent twice, as a client retrying
 * after a timeout would) while its shard group moves to the other worker by logical replication — the online move
 * `citus_move_shard_placement` and the rebalancer make. Afterwards the placement is on the other worker, nothing was
 * lost or counted twice, and every report of both accounts equals the reference computation of the same rows.
 */
const now = Date.parse("2026-06-10T12:00:00Z");
const timezone = "Europe/Berlin";

const periods: ReadonlyArray<Record<string, unknown>> = [
	{},
	{ periodDays: 1, granularity: "hour" },
	{ periodDays: 45, granularity: "week" },
	{ periodDays: 60, granularity: "month" },
];

const inputsFor = (id: string, period: Record<string, unknown>): Record<string, unknown> => {
	const shape = reports.find((entry) => entry.id === id)?.input.shape as Record<string, unknown>;
	if ("datasetIds" in shape) return { datasetIds: ["dataset-0", "dataset-1"] };
	if (!("periodDays" in shape)) return {};
	return "botId" in shape ? { ...period, botId: "bot-0" } : period;
};

const plain = (value: unknown) =>
	JSON.parse(
		JSON.stringify(value, (key, item) => (key === "title" || key === "message" ? undefined : item)),
	) as unknown;

/** The account's rows as ingest batches in dependency order: parents, then conversations, messages, ratings. */
const batches = (snapshot: DataSnapshot, accountId: string) => {
	const chunk = <Row>(rows: ReadonlyArray<Row>, size: number) =>
		Array.from({ length: Math.ceil(rows.length / size) }, (_, index) => rows.slice(index * size, (index + 1) * size));
	const only = (part: Partial<DataSnapshot>) => bodyOf({ ...emptySnapshot, ...part }, accountId);
	const { contacts, bots, datasets, records, skillsets, abilities, files } = snapshot;
	return [
		only({ contacts, bots, datasets, records, skillsets, abilities, files }),
		...chunk(snapshot.conversations, 40).map((conversations) => only({ conversations })),
		...chunk(snapshot.messages, 150).map((messages) => only({ messages })),
		...chunk(snapshot.ratings, 40).map((ratings) => only({ ratings })),
	];
};

describe.runIf(onCluster())("a shard move on a Citus cluster", () => {
	layer(testDatabaseLayer({ poolSize: 4 }), { timeout: "300 seconds" })("moving an account's shards", (it) => {
		it.effect(
			"keeps every ingested row once and every report equal to the reference",
			() =>
				Effect.gen(function* () {
					const { query } = yield* Database;
					yield* TestClock.setTime(now);
					const snapshot = referentiallyValid(
						renameAccounts(randomSnapshot({ seed: 41, now, timezone, conversationsPerAccount: 150 }), "mv"),
					);
					const [moved, other] = snapshot.accounts.map((account) => account.id) as [string, string];
					for (const account of snapshot.accounts) {
						yield* query(
							`INSERT INTO account (id, name, created_at, limit_datasets, limit_records, limit_skillsets,
								limit_abilities, limit_files) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
							[account.id, account.name, account.createdAt, ...Object.values(account.limits)],
						);
					}
					const other_ = yield* runIngest(other, bodyOf(snapshot, other));
					assert.deepStrictEqual(other_.errors, [], "ingest of the account that stays");

					const placement = query<{ shardid: string; nodename: string; nodeport: number }>(
						`SELECT shardid::text, nodename, nodeport FROM citus_shards
						WHERE shardid = get_shard_id_for_distribution_column('message', $1::text)`,
						[moved],
					);
					const [before] = yield* placement;
					assert.isDefined(before, "the account's message shard has a placement");
					const [target] = yield* query<{ nodename: string; nodeport: number }>(
						`SELECT nodename, nodeport FROM pg_dist_node
						WHERE groupid <> 0 AND noderole = 'primary' AND (nodename, nodeport) <> ($1::text, $2::int) ORDER BY nodeid LIMIT 1`,
						[before!.nodename, before!.nodeport],
					);
					assert.isDefined(target, "a second worker to move to");

					// Ingest and move at once: the move starts after the first few batches and runs while the rest arrive.
					const started = yield* Deferred.make<void>();
					const sent = batches(snapshot, moved);
					let moving = false;
					let duringMove = 0;
					const ingest = Effect.forEach(
						sent,
						(body, index) =>
							Effect.gen(function* () {
								for (const attempt of [1, 2]) {
									const result = yield* runIngest(moved, body);
									assert.deepStrictEqual(result.errors, [], `batch ${index}, attempt ${attempt}`);
									if (moving) duringMove++;
								}
								if (index === 3) yield* Deferred.succeed(started, undefined);
							}),
						{ discard: true },
					);
					const move = Effect.gen(function* () {
						yield* Deferred.await(started);
						moving = true;
						yield* query(
							`SELECT citus_move_shard_placement($1::bigint, $2, $3, $4, $5, shard_transfer_mode => 'force_logical')`,
							[before!.shardid, before!.nodename, before!.nodeport, target!.nodename, target!.nodeport],
						);
					});
					yield* Effect.all([ingest, move.pipe(Effect.ensuring(Effect.sync(() => (moving = false))))], {
						concurrency: 2,
						discard: true,
					});
					assert.isAtLeast(duringMove, 4, "ingest batches stored while the shards moved");

					const [after] = yield* placement;
					assert.deepStrictEqual(
						[after?.nodename, after?.nodeport],
						[target!.nodename, target!.nodeport],
						"the shard group now lives on the other worker",
					);
					const counts = yield* query<{ messages: number; conversations: number; ratings: number }>(
						`SELECT (SELECT count(*) FROM message WHERE account_id = $1)::int AS messages,
							(SELECT count(*) FROM conversation WHERE account_id = $1)::int AS conversations,
							(SELECT count(*) FROM rating WHERE account_id = $1)::int AS ratings`,
						[moved],
					);
					const mine = (rows: ReadonlyArray<{ accountId: string }>) =>
						rows.filter((row) => row.accountId === moved).length;
					assert.deepStrictEqual(
						counts[0],
						{
							messages: mine(snapshot.messages),
							conversations: mine(snapshot.conversations),
							ratings: mine(snapshot.ratings),
						},
						"every row stored once",
					);

					let compared = 0;
					for (const accountId of [moved, other]) {
						for (const period of periods) {
							for (const report of reports) {
								const input = inputsFor(report.id, period);
								const label = `${report.name} ${JSON.stringify(input)} for ${accountId}`;
								const exit = yield* Effect.exit(generateReport(report.id, input, { accountId, timezone }));
								const expected = referenceReport(snapshot, report.id, input, { accountId, now, timezone });
								if (expected.ok) {
									assert.isTrue(Exit.isSuccess(exit), `${label} failed`);
									if (Exit.isSuccess(exit)) assert.deepStrictEqual(plain(exit.value), plain(expected.value), label);
								} else {
									assert.isTrue(Exit.isFailure(exit), `${label} should fail with ${expected.tag}`);
								}
								compared++;
							}
						}
					}
					assert.isAbove(compared, 100);
				}),
			300_000,
		);
	});
});
