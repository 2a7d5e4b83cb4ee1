/**
 * The built client (`dist/`, what its tarball ships; `packages/client/test/pack.test.ts` checks the tarball) run
 * by plain Node against the real server: a consumer over both transports, and the README's example as people run
 * it from the repository root.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { BotStats, createClient, TotalRatings } from "@convolens/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAccount, seeded, startTestServer, type TestServer } from "../support.ts";

const run = promisify(execFile);
const workspaceRoot = path.resolve(import.meta.dirname, "..", "..", "..", "..");

let server: TestServer;
let token: string;

beforeAll(async () => {
	server = await startTestServer();
	({ token } = await server.createAccount("Consumer"));
	await seedAccount(server, token);
});

afterAll(async () => {
	await server?.close();
});

describe("the built client", () => {
	it.each(["trpc", "rest"] as const)("runs under Node against the live server over %s", async (transport) => {
		const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, "consumer.ts")], {
			env: { ...process.env, CONVOLENS_URL: server.baseUrl, CONVOLENS_TOKEN: token, CONVOLENS_TRANSPORT: transport },
		});
		const printed = JSON.parse(stdout);
		const expected = await createClient({ url: server.baseUrl, token }).totalRatings({ periodDays: 7 });
		expect(printed).toEqual({ ratings: expected, statsCode: "NOT_FOUND", thrownCode: "NOT_FOUND" });
		expect(printed.ratings.thumbsDown).toBe(seeded.thumbsDown);
		expect(BotStats.id).toBe("clr3m5n8k000e08jqbs0t1u5o");
		expect(TotalRatings.id).toBe("clr3m5n8k000008jq7h9e5b1a");
	});

	it("runs the README example against the live server", async () => {
		const { stdout } = await run(process.execPath, [path.join("packages", "client", "examples", "demo.ts")], {
			cwd: workspaceRoot,
			env: { ...process.env, CONVOLENS_URL: server.baseUrl, CONVOLENS_TOKEN: token },
		});
		expect(stdout).toContain(`Ratings, last 7 days: ${seeded.thumbsUp + seeded.thumbsDown} (${seeded.thumbsUp} up`);
		expect(stdout).toContain("As expected: NOT_FOUND (404) Bot not found");
		expect(stdout).toContain("22 reports, e.g. Dataset Records, Total Ratings, Thumbs Up");
	});
});
