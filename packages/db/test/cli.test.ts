import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

const cli = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

const run = (args: ReadonlyArray<string>, databaseUrl: string) =>
	new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
		execFile(
			process.execPath,
			["--disable-warning=ExperimentalWarning", cli, ...args],
			{ env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 },
			(error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
		);
	});

describe("command line", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(() => database?.drop());

	it("creates an account and tokens, and a revoked token stops authenticating", async () => {
		const created = await run(["create-account", "--name", "Acme", "--limits", '{"files": 10}'], database.url);
		expect(created.code).toBe(0);
		const account = JSON.parse(created.stdout) as { id: string; name: string; token: string };
		expect(account.name).toBe("Acme");

		const issued = await run(
			["create-token", "--account", account.id, "--name", "dashboards", "--scopes", "reports:read"],
			database.url,
		);
		expect(issued.code).toBe(0);
		const token = JSON.parse(issued.stdout) as { id: string; token: string };

		const client = new pg.Client({ connectionString: database.url });
		await client.connect();
		try {
			const stored = await client.query("select hash, scopes, revoked_at from api_token where id = $1", [token.id]);
			expect(stored.rows[0].scopes).toEqual(["reports:read"]);
			// Only a hash is stored, never the token.
			expect(JSON.stringify(stored.rows)).not.toContain(token.token);
			expect(stored.rows[0].revoked_at).toBeNull();
			const limits = await client.query("select limit_files from account where id = $1", [account.id]);
			expect(limits.rows[0].limit_files).toBe(10);

			const revoked = await run(["revoke-token", "--id", token.id], database.url);
			expect(revoked.code).toBe(0);
			const after = await client.query("select revoked_at from api_token where id = $1", [token.id]);
			expect(after.rows[0].revoked_at).toBeInstanceOf(Date);
		} finally {
			await client.end();
		}
	});

	it("loads synthetic data of the requested size through the ingest path", async () => {
		const created = await run(["create-account", "--name", "Synthetic"], database.url);
		const account = JSON.parse(created.stdout) as { id: string };
		const loaded = await run(
			["generate", "--account", account.id, "--messages", "3000", "--days", "7", "--bots", "3", "--contacts", "40"],
			database.url,
		);
		expect(loaded.code, loaded.stderr).toBe(0);
		const summary = JSON.parse(loaded.stdout) as { messages: number };
		const client = new pg.Client({ connectionString: database.url });
		await client.connect();
		try {
			const stored = await client.query("select count(*)::int n from message where account_id = $1", [account.id]);
			expect(stored.rows[0].n).toBe(summary.messages);
			expect(summary.messages).toBeGreaterThan(2_500);
		} finally {
			await client.end();
		}
	});

	it("rejects bad arguments with exit code 2 and names the problem, before touching the database", async () => {
		const unreachable = "postgres://nobody:nothing@127.0.0.1:1/none";
		const cases: Array<[Array<string>, RegExp]> = [
			[["generate", "--account", "a", "--messages=-5", "--days", "7"], /--messages must be a positive integer/],
			[["generate", "--account", "a", "--messages", "lots", "--days", "7"], /--messages must be a positive integer/],
			[["generate", "--account", "a", "--messages", "-5"], /--messages/],
			[["generate", "--account", "a", "--days", "7"], /--messages is required/],
			[["create-token", "--account", "a", "--scopes", "admin"], /unknown scope 'admin'/],
			[["create-account", "--name", "x", "--limits", '{"seats": 3}'], /unknown limit 'seats'/],
			[["create-account"], /--name is required/],
			[["launch-rockets"], /unknown command 'launch-rockets'/],
			[["recount", "--account"], /--account/],
		];
		// Independent processes: started together, they take the time of the slowest instead of the sum.
		const results = await Promise.all(cases.map(([args]) => run(args, unreachable)));
		cases.forEach(([args, message], index) => {
			expect(results[index]!.code, args.join(" ")).toBe(2);
			expect(results[index]!.stderr, args.join(" ")).toMatch(message);
		});
	}, 180_000);

	it("fails with exit code 1 and a message when revoking a token that does not exist", async () => {
		const result = await run(["revoke-token", "--id", "tok_missing"], database.url);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/error: /);
	});

	it("recounts an account's rollups, and names an account that does not exist", async () => {
		const created = await run(["create-account", "--name", "Recounted"], database.url);
		expect(created.code, created.stderr).toBe(0);
		const { id: accountId } = JSON.parse(created.stdout) as { id: string };
		const recounted = await run(["recount", "--account", accountId], database.url);
		expect(recounted.code, recounted.stderr).toBe(0);
		expect(JSON.parse(recounted.stdout).recounted).toEqual([accountId]);
		const missing = await run(["recount", "--account", "acc_missing"], database.url);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toMatch(/unknown account 'acc_missing'/);
	}, 180_000);
});
