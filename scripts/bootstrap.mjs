#!/usr/bin/env node
// Prepares everything `npm start` and `npm test` need on a fresh machine, then runs the requested command.
// Runs on any Node >= 18: when the system Node is older than the project needs, a pinned Node is installed
// from the npm registry (the `node` package ships the official binary) into .tools/, next to a pinned pnpm.
// Idempotent: a second run only checks versions and a lockfile stamp.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NODE_VERSION = "24.21.0";
const PNPM_VERSION = "10.34.0";
// Node runs .ts files without a flag from 22.18 on.
const MIN_NODE = [22, 18];

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tools = join(root, ".tools");

const log = (message) => process.stderr.write(`[setup] ${message}\n`);

const satisfies = (version, [major, minor]) => {
	const [a, b] = version.split(".").map(Number);
	return a > major || (a === major && b >= minor);
};

const installedVersion = (pkg) => {
	const file = join(tools, "node_modules", pkg, "package.json");
	return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).version : undefined;
};

const run = (command, args, options = {}) => {
	const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
	if (result.status !== 0) {
		log(`'${command} ${args.join(" ")}' failed (exit ${result.status ?? result.signal})`);
		process.exit(result.status ?? 1);
	}
};

function ensureToolchain() {
	const useSystemNode = satisfies(process.versions.node, MIN_NODE);
	const wanted = { pnpm: PNPM_VERSION };
	if (!useSystemNode) wanted.node = NODE_VERSION;
	const missing = Object.entries(wanted).filter(([pkg, version]) => installedVersion(pkg) !== version);
	if (missing.length > 0) {
		log(
			`installing ${missing.map(([p, v]) => `${p}@${v}`).join(", ")} into .tools/ (system Node is ${process.version})`,
		);
		mkdirSync(tools, { recursive: true });
		writeFileSync(
			join(tools, "package.json"),
			`${JSON.stringify({ name: "convolens-tools", private: true, dependencies: wanted }, null, 2)}\n`,
		);
		run("npm", ["install", "--prefix", tools, "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"]);
	}
	const paths = [join(tools, "node_modules", ".bin")];
	if (!useSystemNode) paths.unshift(join(tools, "node_modules", "node", "bin"));
	return {
		...process.env,
		...npmSettings(useSystemNode),
		PATH: [...paths, process.env.PATH].join(delimiter),
		// pnpm must not try to fetch another pnpm or prompt in CI-like shells.
		COREPACK_ENABLE_STRICT: "0",
		TURBO_TELEMETRY_DISABLED: "1",
		DO_NOT_TRACK: "1",
		npm_config_manage_package_manager_versions: "false",
	};
}

// npm looks for its global configuration (registry, proxy, cafile) under the prefix of the Node running it. Under
// the pinned Node that is .tools/, where there is none, so the npm that tests spawn would trust no proxy CA the
// person's own npm trusts. Point it at the system npm's file, found the way npm finds it: $PREFIX, or the running
// (system) Node's prefix.
function npmSettings(useSystemNode) {
	if (useSystemNode || process.env.npm_config_globalconfig) return {};
	const prefix = process.env.PREFIX || dirname(dirname(process.execPath));
	const globalconfig = join(prefix, "etc", "npmrc");
	return existsSync(globalconfig) ? { npm_config_globalconfig: globalconfig } : {};
}

function ensureDependencies(env) {
	const lockfile = join(root, "pnpm-lock.yaml");
	const hash = createHash("sha256");
	hash.update(PNPM_VERSION);
	hash.update(env.PATH.split(delimiter)[0]);
	if (existsSync(lockfile)) hash.update(readFileSync(lockfile));
	const stamp = join(root, "node_modules", ".convolens-install");
	const digest = hash.digest("hex");
	if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
	log("installing workspace dependencies (pnpm install --frozen-lockfile)");
	run("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], { env });
	writeFileSync(stamp, digest);
}

// `--build-web` first builds the dashboard (turbo caches it, so a second start costs a fraction of a second). It is an
// option rather than `build && serve` in package.json so that npm's `sh -c` runs this one process, which forwards
// SIGTERM to the server (a shell between them would not).
const argv = process.argv.slice(2);
const buildWeb = argv[0] === "--build-web";
const [command, ...args] = buildWeb ? argv.slice(1) : argv;
if (!command) {
	log("usage: node scripts/bootstrap.mjs [--build-web] <command> [args...]");
	process.exit(2);
}
const env = ensureToolchain();
ensureDependencies(env);
if (buildWeb) run("pnpm", ["turbo", "run", "build", "--filter=@convolens/web", "--output-logs=errors-only"], { env });

// Run the command with the prepared PATH; forward termination signals so the server can shut down cleanly.
const child = spawn(command, args, { stdio: "inherit", cwd: root, env });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
	process.on(signal, () => child.kill(signal));
}
// `npm start` runs this under `sh -c`; when npm is stopped with SIGTERM, npm and the shell exit without passing the
// signal on (dash does not forward it). Losing the parent is therefore a stop request too: stop the server the
// same graceful way, so it never outlives the command that started it.
const parent = process.ppid;
const watchParent = setInterval(() => {
	if (process.ppid !== parent) {
		clearInterval(watchParent);
		child.kill("SIGTERM");
	}
}, 500);
watchParent.unref();
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
