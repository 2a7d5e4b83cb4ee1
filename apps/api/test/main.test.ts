import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/** `npm start` end to end: embedded PostgreSQL in a temporary directory, demo token, graceful SIGTERM. */

const mainFile = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const directories: Array<string> = [];

/** PIDs of processes whose command line mentions `needle` (e.g. postgres serving a data directory). */
const processesMentioning = (needle: string): Array<number> =>
	readdirSync("/proc")
		.filter((entry) => /^\d+$/.test(entry))
		.filter((pid) => {
			try {
				return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
			} catch {
				return false;
			}
		})
		.map(Number);

interface Started {
	readonly child: ChildProcess;
	readonly port: number;
	readonly output: () => string;
	readonly exited: Promise<number | null>;
}

const start = (dataDir: string, extraEnv: Record<string, string> = {}) =>
	new Promise<Started>((resolve, reject) => {
		const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", mainFile], {
			env: { ...process.env, DATABASE_URL: "", DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info", ...extraEnv },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /"msg":"listening","port":(\d+)/.exec(output);
			if (match) resolve({ child, port: Number(match[1]), output: () => output, exited });
		};
		child.stdout.on("data", onData);
		child.stderr.on("data", onData);
		void exited.then((code) => reject(new Error(`main.ts exited with ${code} before listening:\n${output}`)));
	});

afterAll(async () => {
	for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

describe("main.ts", () => {
	it("starts on an embedded database, seeds a demo token, and on SIGTERM exits 0 leaving no postgres behind", async () => {
		const dataDir = await mkdtemp(path.join(tmpdir(), "convolens-main-"));
		directories.push(dataDir);
		const pgDir = path.join(dataDir, "postgres");

		const first = await start(dataDir);
		try {
			const tokenFile = path.join(dataDir, "demo-token");
			expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
			const token = readFileSync(tokenFile, "utf8").trim();
			expect(first.output()).toContain(token);
			expect(first.output()).toContain(`http://localhost:${first.port}`);

			const base = `http://127.0.0.1:${first.port}`;
			expect((await fetch(`${base}/readyz`)).status).toBe(200);
			const list = await fetch(`${base}/api/v1/platform/report/list`, {
				headers: { authorization: `Bearer ${token}` },
			});
			expect(list.status).toBe(200);
			expect(processesMentioning(pgDir).length).toBeGreaterThan(0);

			// Only the banner may show the token; the structured log lines never do.
			const logLines = first
				.output()
				.split("\n")
				.filter((line) => line.startsWith("{"));
			expect(logLines.length).toBeGreaterThan(0);
			for (const line of logLines) expect(line).not.toContain(token);
		} finally {
			first.child.kill("SIGTERM");
		}
		expect(await first.exited).toBe(0);
		expect(first.output()).toContain('"msg":"stopped"');
		expect(processesMentioning(pgDir)).toEqual([]);

		// A second start reuses the cluster and prints the same demo token again.
		const second = await start(dataDir);
		try {
			const token = readFileSync(path.join(dataDir, "demo-token"), "utf8").trim();
			expect(second.output()).toContain(token);
			expect(second.output()).not.toContain("seeding the demo account");
		} finally {
			second.child.kill("SIGTERM");
		}
		expect(await second.exited).toBe(0);
		expect(processesMentioning(pgDir)).toEqual([]);
	}, 240_000);

	it("refuses an ADMIN_TOKEN shorter than 32 characters before starting anything", async () => {
		const dataDir = await mkdtemp(path.join(tmpdir(), "convolens-main-"));
		directories.push(dataDir);
		const failure = await start(dataDir, { ADMIN_TOKEN: "x".repeat(31) }).then(
			(started) => {
				started.child.kill("SIGTERM");
				return new Error("started with a 31-character ADMIN_TOKEN");
			},
			(error: Error) => error,
		);
		expect(failure.message).toContain("main.ts exited with 1");
		expect(failure.message).toContain("ADMIN_TOKEN must be at least 32 characters (got 31)");
		expect(failure.message).not.toContain("x".repeat(31));
		// Nothing was started: no cluster was created in the data directory.
		expect(readdirSync(dataDir)).toEqual([]);
	}, 60_000);
});
