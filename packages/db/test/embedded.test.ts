import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import { startEmbeddedPostgres } from "../src/embedded.ts";

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

const waitUntil = async (condition: () => boolean, timeoutMs: number) => {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) return false;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return true;
};

const sql = async (url: string, text: string) => {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query(text)).rows;
	} finally {
		await client.end();
	}
};

/** Runs the fixture in a child process; resolves with the postmaster it started and the child. */
const startInChild = (dataDir: string, mode: "hang" | "exit") =>
	new Promise<{ pid: number; url: string; child: ReturnType<typeof spawn> }>((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[path.join(import.meta.dirname, "fixtures/start-embedded.ts"), dataDir, mode],
			{
				stdio: ["ignore", "pipe", "inherit"],
			},
		);
		let output = "";
		child.stdout.on("data", (chunk: Buffer) => {
			output += chunk.toString();
			const line = output.split("\n")[0];
			if (output.includes("\n") && line) resolve({ ...JSON.parse(line), child });
		});
		child.on("error", reject);
		child.on("exit", (code) => {
			if (!output.includes("\n")) reject(new Error(`fixture exited with ${code}`));
		});
	});

describe("embedded PostgreSQL", () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(path.join(tmpdir(), "convolens-embedded-test-"));
	});
	afterAll(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it("initialises a cluster on first start and reuses it, data included, afterwards", async () => {
		const dataDir = path.join(dir, "cluster");
		const first = await startEmbeddedPostgres({ dataDir });
		assert.isTrue(existsSync(path.join(dataDir, "PG_VERSION")));
		assert.strictEqual((await stat(path.join(dataDir, "convolens-superuser-password"))).mode & 0o777, 0o600);
		await sql(first.url, "CREATE TABLE kept (value int); INSERT INTO kept VALUES (42)");
		await first.stop();
		assert.isFalse(alive(first.pid), "postmaster gone after stop()");

		const second = await startEmbeddedPostgres({ dataDir });
		try {
			assert.notStrictEqual(second.port, first.port === second.port ? -1 : first.port);
			assert.deepStrictEqual(await sql(second.url, "SELECT value FROM kept"), [{ value: 42 }]);
		} finally {
			await second.stop();
			await second.stop();
		}
		assert.isFalse(alive(second.pid));
	});

	it("shuts down the postmaster a crashed process left running and starts again", async () => {
		const dataDir = path.join(dir, "cluster");
		const crashed = await startInChild(dataDir, "hang");
		crashed.child.kill("SIGKILL");
		await new Promise((resolve) => crashed.child.once("exit", resolve));
		assert.isTrue(alive(crashed.pid), "the orphaned postmaster survives its parent");

		const restarted = await startEmbeddedPostgres({ dataDir });
		try {
			assert.isFalse(alive(crashed.pid), "the orphan was shut down");
			assert.deepStrictEqual(await sql(restarted.url, "SELECT 1 AS one"), [{ one: 1 }]);
		} finally {
			await restarted.stop();
		}
		assert.isFalse(alive(restarted.pid));
	});

	it("starts despite a stale postmaster.pid whose process is gone or is not PostgreSQL", async () => {
		const dataDir = path.join(dir, "cluster");
		const server = await startEmbeddedPostgres({ dataDir });
		await server.stop();
		const lockFile = path.join(dataDir, "postmaster.pid");
		// A PID now used by an unrelated process (this test runner).
		await writeFile(lockFile, `${process.pid}\n${dataDir}\n0\n5432\n`);
		const again = await startEmbeddedPostgres({ dataDir });
		try {
			assert.deepStrictEqual(await sql(again.url, "SELECT 1 AS one"), [{ one: 1 }]);
			assert.strictEqual(Number.parseInt((await readFile(lockFile, "utf8")).split("\n")[0]!, 10), again.pid);
		} finally {
			await again.stop();
		}
		assert.isTrue(alive(process.pid));
	});

	it("leaves no postmaster behind when the process exits without stopping it", async () => {
		const dataDir = path.join(dir, "cluster");
		const started = await startInChild(dataDir, "exit");
		assert.isTrue(await waitUntil(() => !alive(started.pid), 15_000), "postmaster exited with its parent");
	});
});
