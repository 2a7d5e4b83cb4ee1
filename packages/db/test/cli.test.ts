/**
 * The command line as an operator runs it: each command a subprocess against a test database, judged by its exit
 * code, its output and the rows it leaves.
 */
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, onCluster, type TestDatabase } from "../src/testing/index.ts";

const cli = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
/** Nothing listens there: commands that must not touch the database are run against it. */
const unreachable = "postgres://nobody:nothing@127.0.0.1:1/none";

const run = (args: ReadonlyArray<string>, databaseUrl: string) =>
	new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
		execFile(
			process.execPath,
			["--disable-warning=ExperimentalWarning", cli, ...args],
			{ env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 120_000 },
			(error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
		);
	});

const query = async <Row extends pg.QueryResultRow>(url: string, sql: string, params: Array<unknown> = []) => {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<Row>(sql, params)).rows;
	} finally {
		await client.end();
	}
};

/** The flags a help text lists under FLAGS (the command's own, not the global ones). */
const flagsOf = (help: string) => {
	const section = /\nFLAGS\n([\s\S]*?)\n\n/.exec(help)?.[1] ?? "";
	return section
		.split("\n")
		.map((line) => /^\s+(--[\w-]+)/.exec(line)?.[1])
		.filter((flag) => flag !== undefined)
		.sort();
};

describe("command line", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(() => database?.drop());

	it("answers --help for each command with that command's flags, without a database", async () => {
		const [root, generate, listTokens, createAccount] = await Promise.all([
			run(["--help"], unreachable),
			run(["generate", "--help"], unreachable),
			run(["list-tokens", "--help"], unreachable),
			run(["create-account", "--help"], unreachable),
		]);
		expect(root.code).toBe(0);
		for (const command of ["migrate", "create-account", "list-accounts", "list-tokens", "generate", "recount"]) {
			expect(root.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, "m"));
		}
		expect(generate.code).toBe(0);
		expect(flagsOf(generate.stdout)).toEqual(
			["--account", "--bots", "--concurrency", "--contacts", "--days", "--id-prefix", "--messages", "--seed"].sort(),
		);
		expect(flagsOf(listTokens.stdout)).toEqual(["--account", "--json"]);
		expect(flagsOf(createAccount.stdout)).toEqual(["--limits", "--name"]);
		expect(generate.stderr + listTokens.stderr).not.toMatch(/database/);
	});

	it("runs the same command line as bin/convolens from any directory, with its exit codes", async () => {
		const wrapper = fileURLToPath(new URL("../../../bin/convolens", import.meta.url));
		const viaWrapper = (args: ReadonlyArray<string>) =>
			new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
				execFile(
					wrapper,
					[...args],
					{ cwd: tmpdir(), env: { ...process.env, DATABASE_URL: unreachable }, timeout: 120_000 },
					(error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
				);
			});
		const [help, direct, typo] = await Promise.all([
			viaWrapper(["list-tokens", "--help"]),
			run(["list-tokens", "--help"], unreachable),
			viaWrapper(["genrate"]),
		]);
		expect([help.code, help.stdout]).toEqual([0, direct.stdout]);
		expect(help.stdout).toMatch(/--account/);
		expect(typo.code).toBe(2);
		expect(typo.stderr).toMatch(/Did you mean this\?\s+generate\n/);
	});

	it("suggests the command or flag meant when one is mistyped, and exits 2", async () => {
		const [command, flag] = await Promise.all([
			run(["genrate", "--account", "a"], unreachable),
			run(["list-tokens", "--acount", "a"], unreachable),
		]);
		expect(command.code).toBe(2);
		expect(command.stderr).toMatch(/Unknown subcommand "genrate"[\s\S]*Did you mean this\?\s+generate\n/);
		expect(flag.code).toBe(2);
		expect(flag.stderr).toMatch(/Unrecognized flag: --acount[\s\S]*Did you mean this\?\s+--account\n/);
	});

	it("creates an account and tokens, lists them without their secrets, and a revoked token is listed revoked", async () => {
		const created = await run(["create-account", "--name", "Acme", "--limits", '{"files": 10}'], database.url);
		expect(created.code, created.stderr).toBe(0);
		const account = JSON.parse(created.stdout) as { id: string; name: string; token: string };
		expect(account.name).toBe("Acme");

		const issued = await run(
			["create-token", "--account", account.id, "--name", "dashboards", "--scopes", "reports:read"],
			database.url,
		);
		expect(issued.code, issued.stderr).toBe(0);
		const token = JSON.parse(issued.stdout) as { id: string; token: string };

		const stored = await query(database.url, "select hash, scopes, revoked_at from api_token where id = $1", [
			token.id,
		]);
		expect(stored[0]!.scopes).toEqual(["reports:read"]);
		// Only a hash is stored, never the token.
		expect(JSON.stringify(stored)).not.toContain(token.token);
		const limits = await query(database.url, "select limit_files from account where id = $1", [account.id]);
		expect(limits[0]!.limit_files).toBe(10);

		const accounts = await run(["list-accounts", "--json"], database.url);
		expect(accounts.code, accounts.stderr).toBe(0);
		const listed = (JSON.parse(accounts.stdout) as Array<{ id: string; name: string; liveTokens: number }>).find(
			(entry) => entry.id === account.id,
		);
		expect(listed).toMatchObject({ id: account.id, name: "Acme", liveTokens: 2 });
		const accountTable = await run(["list-accounts"], database.url);
		expect(accountTable.stdout).toMatch(new RegExp(`^${account.id}\\s+Acme\\s+\\S+\\s+2$`, "m"));

		const revoked = await run(["revoke-token", "--id", token.id], database.url);
		expect(revoked.code, revoked.stderr).toBe(0);
		const tokens = await run(["list-tokens", "--account", account.id, "--json"], database.url);
		expect(tokens.code, tokens.stderr).toBe(0);
		const tokenList = JSON.parse(tokens.stdout) as Array<{ id: string; name: string; revokedAt: string | null }>;
		expect(tokenList.map((entry) => entry.name).sort()).toEqual(["dashboards", "default"]);
		expect(tokenList.find((entry) => entry.id === token.id)?.revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect(tokenList.find((entry) => entry.id !== token.id)?.revokedAt).toBeNull();
		expect(tokens.stdout).not.toContain(token.token);
		expect(tokens.stdout).not.toContain(account.token);
		expect((await run(["list-accounts", "--json"], database.url)).stdout).toContain(`"liveTokens":1`);
	}, 180_000);

	it("generate --messages 3000 stores exactly 3,000 messages and reports progress against that total", async () => {
		const created = await run(["create-account", "--name", "Synthetic"], database.url);
		const account = JSON.parse(created.stdout) as { id: string };
		const loaded = await run(
			["generate", "--account", account.id, "--messages", "3000", "--days", "7", "--bots", "3", "--contacts", "40"],
			database.url,
		);
		expect(loaded.code, loaded.stderr).toBe(0);
		const stored = await query<{ n: number }>(
			database.url,
			"select count(*)::int n from message where account_id = $1",
			[account.id],
		);
		expect(stored[0]!.n).toBe(3_000);
		expect(JSON.parse(loaded.stdout).messages).toBe(3_000);
		expect(loaded.stderr).toMatch(/^bots and contacts: 43 \/ 43 items in \d+:\d\d$/m);
		expect(loaded.stderr).toMatch(/^generate: 3,000 \/ 3,000 messages in \d+:\d\d$/m);
	}, 180_000);

	it("rejects bad arguments with exit code 2 and names the problem, before touching the database", async () => {
		const cases: Array<[Array<string>, RegExp]> = [
			[
				["generate", "--account", "a", "--messages=-5", "--days", "7"],
				/--messages: "-5"\. Expected: a positive integer/,
			],
			[["generate", "--account", "a", "--messages", "lots", "--days", "7"], /--messages/],
			[["generate", "--account", "a", "--messages", "0", "--days", "7"], /Expected: a positive integer/],
			[["generate", "--account", "a", "--days", "7"], /Missing required flag: --messages/],
			[["create-token", "--account", "a", "--scopes", "admin"], /unknown scope 'admin'/],
			[["create-account", "--name", "x", "--limits", '{"seats": 3}'], /unknown limit 'seats'/],
			[["create-account"], /Missing required flag: --name/],
			[["launch-rockets"], /Unknown subcommand "launch-rockets"/],
			[["recount", "--account"], /--account/],
		];
		// Independent processes: started together, they take the time of the slowest instead of the sum.
		const results = await Promise.all(cases.map(([args]) => run(args, unreachable)));
		cases.forEach(([args, message], index) => {
			expect(results[index]!.code, args.join(" ")).toBe(2);
			expect(results[index]!.stderr, args.join(" ")).toMatch(message);
			expect(results[index]!.stderr, args.join(" ")).not.toMatch(/database/);
		});
	}, 180_000);

	it("fails with exit code 1 and a message when revoking a token that does not exist", async () => {
		const result = await run(["revoke-token", "--id", "tok_missing"], database.url);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^error: Token not found$/m);
	});

	it("recounts an account's rollups with progress, and names an account that does not exist", async () => {
		const created = await run(["create-account", "--name", "Recounted"], database.url);
		expect(created.code, created.stderr).toBe(0);
		const { id: accountId } = JSON.parse(created.stdout) as { id: string };
		const recounted = await run(["recount", "--account", accountId], database.url);
		expect(recounted.code, recounted.stderr).toBe(0);
		expect(JSON.parse(recounted.stdout).recounted).toEqual([accountId]);
		expect(recounted.stderr).toMatch(/^recount: 1 \/ 1 accounts in \d+:\d\d$/m);
		const missing = await run(["recount", "--account", "acc_missing"], database.url);
		expect(missing.code).toBe(1);
		expect(missing.stderr).toMatch(/unknown account 'acc_missing'/);
		const tokens = await run(["list-tokens", "--account", "acc_missing"], database.url);
		expect(tokens.code).toBe(1);
		expect(tokens.stderr).toMatch(/unknown account 'acc_missing'/);
	}, 180_000);
});

describe.skipIf(onCluster())("commands and migrations", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
		// An empty database: what a command finds before any migration ran.
		await query(database.url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	});
	afterAll(() => database?.drop());

	const migrationsTable = async () =>
		(
			await query<{ name: string | null }>(database.url, "select to_regclass('public.mikro_orm_migrations')::text name")
		)[0]!.name;

	it("list-accounts runs no migration (it fails on an empty database), migrate applies them", async () => {
		const listed = await run(["list-accounts"], database.url);
		expect(listed.code).toBe(1);
		expect(listed.stderr).toMatch(/^error: /m);
		expect(await migrationsTable()).toBeNull();

		const migrated = await run(["migrate"], database.url);
		expect(migrated.code, migrated.stderr).toBe(0);
		expect(await migrationsTable()).toBe("mikro_orm_migrations");
		const after = await run(["list-accounts", "--json"], database.url);
		expect(after.code, after.stderr).toBe(0);
		expect(JSON.parse(after.stdout)).toEqual([]);
	}, 180_000);
});
