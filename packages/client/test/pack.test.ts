/**
 * The package as a consumer gets it: `pnpm pack` the built client, install the tarball with npm in a scratch
 * directory outside the workspace, check what ships, and type-check a consumer against the shipped declarations
 * (with nothing from the workspace in reach). The built client running against the real server is an end-to-end
 * test (`tooling/e2e/test/client/built.test.ts`).
 */
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = path.resolve(import.meta.dirname, "..");
const workspaceRoot = path.resolve(packageDir, "..", "..");

let scratch: string;
let tarball: string;

const consumerSource = `
import {
	BotStats,
	ConvolensError,
	createClient,
	ReportIds,
	type ReportOutput,
	TotalRatings,
	type TotalRatingsOutput,
} from "@convolens/client";

const client = createClient({
	url: process.env.CONVOLENS_URL ?? "http://localhost:3000",
	token: process.env.CONVOLENS_TOKEN ?? "",
	transport: process.env.CONVOLENS_TRANSPORT === "rest" ? "rest" : "trpc",
});

const results = await client.generate({
	[TotalRatings.id]: { periodDays: 7 },
	[BotStats.id]: { botId: "bot_not_in_this_account" },
});
const ratings = results[TotalRatings.id];
const ratingsData: TotalRatingsOutput | null = ratings.ok ? ratings.data : null;
const stats = results[ReportIds.BotStats];
const statsCode = stats.ok ? null : stats.error.code;

let thrownCode: string | null = null;
try {
	await client.botStats({ botId: "bot_not_in_this_account" });
} catch (error) {
	if (error instanceof ConvolensError) thrownCode = error.code;
}

/** Never called: each line must fail to compile, or \`tsc\` reports the unused directive. */
export function compileErrors(): void {
	// @ts-expect-error not a report ID
	void client.generate({ "not-a-report": {} });
	// @ts-expect-error Bot Stats needs a botId
	void client.generate({ [BotStats.id]: { periodDays: 7 } });
	// @ts-expect-error periodDays is a number
	void client.totalRatings({ periodDays: "7" });
	// @ts-expect-error data exists only once ok is checked
	void results[TotalRatings.id].data;
	// @ts-expect-error outputs are typed, not any
	const wrong: ReportOutput<typeof TotalRatings.id>["thumbsUp"] = "many";
	void wrong;
}

console.log(JSON.stringify({ ratings: ratingsData, statsCode, thrownCode }));
`;

beforeAll(async () => {
	scratch = await mkdtemp(path.join(tmpdir(), "convolens-client-consumer-"));

	// `pnpm pack` runs the prepack build, so the tarball holds a fresh dist/.
	await run("pnpm", ["pack", "--pack-destination", scratch], { cwd: packageDir });
	const packed = (await readdir(scratch)).find((name) => name.endsWith(".tgz"));
	if (packed === undefined) throw new Error("pnpm pack produced no tarball");
	tarball = path.join(scratch, packed);

	await writeFile(
		path.join(scratch, "package.json"),
		JSON.stringify({ name: "consumer", private: true, type: "module" }),
	);
	await writeFile(
		path.join(scratch, "tsconfig.json"),
		JSON.stringify({
			compilerOptions: {
				target: "ES2024",
				module: "NodeNext",
				moduleResolution: "NodeNext",
				strict: true,
				noEmit: true,
				skipLibCheck: false,
				types: ["node"],
			},
			include: ["consumer.ts", "demo.ts"],
		}),
	);
	await writeFile(path.join(scratch, "consumer.ts"), consumerSource);
	await copyFile(path.join(packageDir, "examples", "demo.ts"), path.join(scratch, "demo.ts"));
	// A cache directory of its own, so every run installs from the registry as a fresh machine does: with the
	// registry, proxy and CA settings of the person's own npm (the bootstrap and the task runner pass them on).
	await run(
		"npm",
		[
			"install",
			"--cache",
			path.join(scratch, "npm-cache"),
			"--prefer-online",
			"--no-audit",
			"--no-fund",
			"--ignore-scripts",
			tarball,
			"typescript@6.0.3",
			"@types/node@24.19.2",
		],
		{ cwd: scratch },
	);
}, 300_000);

afterAll(async () => {
	if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe("the packed client", () => {
	it("installs from the registry into an empty npm cache", async () => {
		// The install above started from an empty cache: the dependencies it resolved came from the registry.
		const cached = await readdir(path.join(scratch, "npm-cache", "_cacache", "index-v5"));
		expect(cached.length).toBeGreaterThan(0);
		const installed = JSON.parse(
			await readFile(path.join(scratch, "node_modules", "@trpc", "client", "package.json"), "utf8"),
		);
		expect(installed.name).toBe("@trpc/client");
	});

	it("ships only built files and depends on nothing from the workspace", async () => {
		const installed = path.join(scratch, "node_modules", "@convolens", "client");
		const manifest = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
		expect(Object.keys(manifest.dependencies).sort()).toEqual(["@trpc/client", "@trpc/server"]);
		expect(JSON.stringify(manifest)).not.toMatch(/workspace:|catalog:/);
		expect(manifest.exports["."]).toEqual({
			types: "./dist/index.d.ts",
			import: "./dist/index.js",
			default: "./dist/index.js",
		});

		const files = (await readdir(installed, { recursive: true })).map((file) => file.split(path.sep).join("/"));
		const shipped = ["package.json", "README.md", "LICENSE"];
		expect(files.filter((file) => !file.startsWith("dist") && !shipped.includes(file))).toEqual([]);
		for (const file of files.filter((name) => /\.(js|d\.ts)$/.test(name))) {
			const source = await readFile(path.join(installed, file), "utf8");
			// No import of a workspace package, and no relative import still pointing at a .ts source.
			expect(source, file).not.toMatch(/(?:from|import)\s*\(?\s*["'](?:@convolens\/|\.{1,2}\/[^"']*\.ts["'])/);
		}
	});

	it("carries its license, repository, homepage and issue tracker, and the catalog's exact versions", async () => {
		const installed = path.join(scratch, "node_modules", "@convolens", "client");
		const manifest = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
		expect(manifest.license).toBe("MIT");
		expect(manifest.repository).toEqual({
			type: "git",
			url: expect.stringMatching(/^git\+https:\/\/.+\.git$/),
			directory: "packages/client",
		});
		expect(manifest.homepage).toMatch(/^https:\/\/.+\/packages\/client#readme$/);
		expect(manifest.bugs.url).toMatch(/^https:\/\/.+\/issues$/);

		// The shipped license is the repository's, and it is the license the manifest names.
		const license = await readFile(path.join(installed, "LICENSE"), "utf8");
		expect(license).toBe(await readFile(path.join(workspaceRoot, "LICENSE"), "utf8"));
		expect(license).toMatch(/^MIT License\n/);

		// Each `catalog:` dependency became the exact version pinned in pnpm-workspace.yaml.
		const workspace = await readFile(path.join(workspaceRoot, "pnpm-workspace.yaml"), "utf8");
		const pinned = (name: string) => new RegExp(`^  "?${name}"?: (\\S+)$`, "m").exec(workspace)?.[1];
		for (const [name, version] of Object.entries(manifest.dependencies)) {
			expect(version, name).toBe(pinned(name));
		}
	});

	it("type-checks a consumer and the README example with the shipped declarations alone", async () => {
		const tsc = path.join(scratch, "node_modules", "typescript", "bin", "tsc");
		const result = await run(process.execPath, [tsc, "-p", "."], { cwd: scratch }).catch(
			(error: { stdout: string }) => error,
		);
		expect(result.stdout).toBe("");
	});

	it("loads with require() as well as import", async () => {
		const { stdout } = await run(
			process.execPath,
			["--input-type=commonjs", "-e", "process.stdout.write(typeof require('@convolens/client').createClient)"],
			{ cwd: scratch },
		);
		expect(stdout).toBe("function");
	});
});
