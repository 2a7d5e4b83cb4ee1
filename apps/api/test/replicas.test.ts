import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ReportIds, runIngest } from "@convolens/core";
import { makeDatabaseLayer } from "@convolens/db";
import {
	databaseUrl,
	pauseReplay,
	queryOnce,
	type StreamingPair,
	startStreamingPair,
	waitForReplay,
	waitUntil,
} from "@convolens/db/testing";
import { ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, readStream } from "./support.ts";

/**
 * `DATABASE_REPLICA_URLS` end to end: `main.ts` on a primary with a streaming standby (started here from the
 * embedded binaries), the standby's replay paused so that which server answered shows in the answer.
 */
const mainFile = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const ADMIN_TOKEN = "a".repeat(40);

describe("main.ts with DATABASE_REPLICA_URLS", () => {
	let directory: string;
	let pair: StreamingPair;
	let primaryUrl: string;
	let replicaUrl: string;
	let child: ChildProcess;
	let exited: Promise<number | null>;
	let output = "";
	let baseUrl: string;

	beforeAll(async () => {
		directory = await mkdtemp(path.join(tmpdir(), "convolens-api-replica-"));
		pair = await startStreamingPair(path.join(directory, "pg"));
		await queryOnce(pair.primary.url, "CREATE DATABASE convolens");
		primaryUrl = databaseUrl(pair.primary.url, "convolens");
		replicaUrl = databaseUrl(pair.replica.url, "convolens");
		child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", mainFile], {
			env: {
				...process.env,
				DATABASE_URL: primaryUrl,
				DATABASE_REPLICA_URLS: replicaUrl,
				DATA_DIR: path.join(directory, "data"),
				ADMIN_TOKEN,
				SEED_DEMO: "false",
				HOST: "127.0.0.1",
				PORT: "0",
				LOG_LEVEL: "info",
			},
			stdio: ["ignore", "pipe", "pipe"],
		});
		exited = new Promise((done) => child.once("exit", (code) => done(code)));
		const collect = (chunk: Buffer) => {
			output += chunk.toString();
		};
		child.stdout?.on("data", collect);
		child.stderr?.on("data", collect);
		await waitUntil(
			async () => /"msg":"listening","port":\d+/.test(output),
			() => `main.ts did not start:\n${output}`,
			{ gaveUp: () => child.exitCode !== null },
		);
		baseUrl = `http://127.0.0.1:${/"msg":"listening","port":(\d+)/.exec(output)?.[1]}`;
	}, 180_000);

	afterAll(async () => {
		if (child?.exitCode === null) {
			child.kill("SIGTERM");
			await exited;
		}
		await pair?.stop();
		if (directory) await rm(directory, { recursive: true, force: true });
	});

	it("serves reports from the replica, ingest from the primary, and the writer's reports from the primary", async () => {
		expect(output).toContain('"msg":"reports read streaming replicas","replicas":1');
		const account = await call(baseUrl, "/api/v1/admin/accounts", { token: ADMIN_TOKEN, body: { name: "Replicated" } });
		expect(account.status).toBe(201);
		const { id: accountId, token } = account.json as { id: string; token: string };
		let written = 0;
		const conversations = (count: number) => ({
			conversations: Array.from({ length: count }, () => ({
				id: `c${++written}`,
				createdAt: new Date(Date.now() - 3_600_000).toISOString(),
			})),
		});
		const total = async () => {
			const response = await call(baseUrl, `/api/v1/platform/report/${ReportIds.TotalConversations}/generate`, {
				token,
				body: { periodDays: 7 },
			});
			expect(response.status).toBe(200);
			return response.json.value;
		};
		const storedOn = async (url: string) =>
			(
				await queryOnce<{ count: number }>(
					url,
					"SELECT count(*)::int AS count FROM conversation WHERE account_id = $1",
					[accountId],
				)
			)[0]?.count;

		const first = await call(baseUrl, "/api/v1/ingest", { token, body: conversations(4) });
		expect([first.status, (first.json.inserted as { conversations: number }).conversations]).toEqual([200, 4]);
		// A second account, held open as a live report: woken by another process's write, it must not answer from
		// a replica that has not replayed that write.
		const watched = await call(baseUrl, "/api/v1/admin/accounts", { token: ADMIN_TOKEN, body: { name: "Watched" } });
		const { id: watchedId, token: watchedToken } = watched.json as { id: string; token: string };
		await call(baseUrl, "/api/v1/ingest", { token: watchedToken, body: conversations(1) });
		await waitForReplay(primaryUrl, replicaUrl);
		expect(await total()).toBe(4);
		const abortWatch = new AbortController();
		const watch = readStream(
			await fetch(`${baseUrl}/api/v1/platform/report/generate`, {
				method: "POST",
				headers: { authorization: `Bearer ${watchedToken}`, accept: "text/event-stream" },
				body: JSON.stringify({ [ReportIds.TotalConversations]: { periodDays: 7 } }),
				signal: abortWatch.signal,
			}),
		);
		const watchedTotal = (index: number) =>
			(JSON.parse(watch.events[index]?.data ?? "{}") as Record<string, { value?: number }>)[
				ReportIds.TotalConversations
			]?.value;
		await watch.until(1);
		expect(watchedTotal(0)).toBe(1);

		// Another process writes the primary while the standby's replay is paused: the API answers from the standby.
		await pauseReplay(replicaUrl);
		const elsewhere = ManagedRuntime.make(makeDatabaseLayer({ url: primaryUrl, poolSize: 2 }));
		try {
			await elsewhere.runPromise(runIngest(accountId, conversations(2)));
			await elsewhere.runPromise(runIngest(watchedId, conversations(3)));
		} finally {
			await elsewhere.dispose();
		}
		expect([await storedOn(primaryUrl), await storedOn(replicaUrl)]).toEqual([6, 4]);
		expect(await total()).toBe(4);
		// The watch heard of the change from the primary's data version, and its result comes from the primary.
		await watch.until(2);
		expect(watchedTotal(1)).toBe(4);
		abortWatch.abort();

		// This API writes the account: the response comes from the primary, and so do its reports from then on.
		const second = await call(baseUrl, "/api/v1/ingest", { token, body: conversations(1) });
		expect([second.status, (second.json.inserted as { conversations: number }).conversations]).toEqual([200, 1]);
		expect(await total()).toBe(7);

		// Replica gone: reports still answer, from the primary.
		await pair.replica.stop();
		const third = await call(baseUrl, "/api/v1/ingest", { token, body: conversations(1) });
		expect(third.status).toBe(200);
		expect(await total()).toBe(8);
		expect((await call(baseUrl, "/readyz")).status).toBe(200);
		expect(output).toContain("read replica unavailable: reports read the primary");
		expect(output).not.toContain(new URL(replicaUrl).password);

		const metrics = (await call(baseUrl, "/metrics")).text;
		for (const outcome of ["served", "behind", "unavailable"]) {
			expect(metrics).toMatch(new RegExp(`convolens_replica_reads_total\\{outcome="${outcome}"\\} [1-9]`));
		}

		child.kill("SIGTERM");
		expect(await exited).toBe(0);
	});
});

describe("DATABASE_REPLICA_URLS", () => {
	it("stops the start on a malformed entry, naming its position and not its text", async () => {
		const dataDir = await mkdtemp(path.join(tmpdir(), "convolens-api-replica-"));
		try {
			const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", mainFile], {
				env: {
					...process.env,
					DATABASE_URL: "",
					DATABASE_REPLICA_URLS: "postgres://reader:pw@127.0.0.1:5433/convolens, http://reader:hunter2@replica",
					DATA_DIR: dataDir,
					PORT: "0",
				},
				stdio: ["ignore", "pipe", "pipe"],
			});
			let output = "";
			child.stdout?.on("data", (chunk: Buffer) => {
				output += chunk.toString();
			});
			child.stderr?.on("data", (chunk: Buffer) => {
				output += chunk.toString();
			});
			const code = await new Promise<number | null>((done) => child.once("exit", (exitCode) => done(exitCode)));
			expect(code).toBe(1);
			expect(output).toContain("DATABASE_REPLICA_URLS: entry 2 is not a postgres:// URL");
			expect(output).not.toContain("hunter2");
			// Refused before anything started: no embedded cluster in the data directory.
			expect(readdirSync(dataDir)).toEqual([]);
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});
});
