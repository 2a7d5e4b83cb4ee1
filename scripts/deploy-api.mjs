#!/usr/bin/env node
// The API as it ships: `node scripts/deploy-api.mjs <dir>` lays out in <dir> what the container image runs, and the
// Dockerfile and apps/api/test/deploy.test.ts both call it, so the test checks the very tree the image holds.
//
//   <dir>/apps/api         `pnpm deploy --prod` of @convolens/api: its sources and production dependencies only,
//                          installed from the lockfile and the local store (--offline: run `pnpm install` first)
//   <dir>/packages/<name>  the workspace packages it depends on (@convolens/core, @convolens/db)
//
// Node runs the TypeScript sources by stripping types, which it refuses for files under node_modules; pnpm deploy
// copies workspace packages into node_modules/.pnpm. So each is moved out to packages/<name> (where it lives in the
// repository), replaced by a link, and given a node_modules link to the dependencies pnpm installed for it.
// typescript is removed too: @trpc/server names it as a peer, but nothing imports it at run time.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const target = process.argv[2];
if (!target) {
	process.stderr.write("usage: node scripts/deploy-api.mjs <dir>\n");
	process.exit(2);
}
const out = resolve(target);
const api = join(out, "apps", "api");
rmSync(out, { recursive: true, force: true });
mkdirSync(dirname(api), { recursive: true });

const deployed = spawnSync(
	"pnpm",
	[
		// pnpm 10 deploys from the shared lockfile only with injected workspace packages.
		"--config.inject-workspace-packages=true",
		"--filter",
		"@convolens/api",
		"deploy",
		"--prod",
		"--offline",
		api,
	],
	{ cwd: root, stdio: ["ignore", "inherit", "inherit"] },
);
if (deployed.status !== 0) process.exit(deployed.status ?? 1);

const store = join(api, "node_modules", ".pnpm");
const link = (from, to) => symlinkSync(relative(dirname(from), to), from);
for (const entry of readdirSync(store)) {
	const workspacePackage = /^@convolens\+([a-z-]+)@file/.exec(entry);
	if (workspacePackage) {
		const name = workspacePackage[1];
		const installed = join(store, entry, "node_modules", "@convolens", name);
		const moved = join(out, "packages", name);
		mkdirSync(dirname(moved), { recursive: true });
		renameSync(installed, moved);
		link(installed, moved);
		link(join(moved, "node_modules"), join(store, entry, "node_modules"));
	}
	if (/^typescript@/.test(entry)) rmSync(join(store, entry), { recursive: true, force: true });
}
// The links that pointed at it: the hoisted one and each dependent's.
for (const entry of [".", ...readdirSync(store)]) {
	if (existsSync(join(store, entry, "node_modules"))) {
		rmSync(join(store, entry, "node_modules", "typescript"), { force: true });
	}
}
if (!existsSync(join(out, "packages", "db", "src", "index.ts"))) {
	process.stderr.write("deploy-api: @convolens/db was not deployed\n");
	process.exit(1);
}
