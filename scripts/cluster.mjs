#!/usr/bin/env node
// A local Citus cluster for development: one coordinator and two workers on loopback ports, data under
// <repo>/.data/citus/ (git-ignored).
//
//   npm run cluster -- up [--no-migrate]   build Citus if needed, start the cluster, apply the migrations
//   npm run cluster -- down [--wipe]       stop the nodes (keep the data, or delete it with --wipe)
//   npm run cluster -- status              which nodes run, and the workers the coordinator sees
//   npm run cluster -- test                a separate fresh cluster: the db and api suites on it, then wiped
//
// CLUSTER_PORT sets the coordinator's port (default 55432); the workers take the next two. When Citus is not yet
// installed for the PostgreSQL that pg_config names, CITUS_SOURCE must point at a Citus release tarball, which is
// built into ${XDG_CACHE_HOME:-~/.cache}/convolens/citus-<version> and installed next to PostgreSQL.
// Plain Node ESM without dependencies. PostgreSQL refuses to run as root, so as root every server command runs as
// the `postgres` system user.
import { spawnSync } from "node:child_process";
import {
	appendFileSync,
	chmodSync,
	chownSync,
	closeSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// `test` runs on a cluster of its own (directory and ports), so it never touches the development cluster's data.
const testRun = process.argv[2] === "test";
const clusterDir = join(root, ".data", testRun ? "citus-test" : "citus");
const stateFile = join(clusterDir, "cluster.json");
const DATABASE = "convolens";
const SUPERUSER = "postgres";
const HOST = "127.0.0.1";
const DEFAULT_PORT = testRun ? 55442 : 55432;
// Debian's PostgreSQL is the one installed when none is found; Citus 13.2 supports 15 to 17.
const DEFAULT_PG_MAJOR = 15;
const SUPPORTED_PG_MAJORS = [15, 16, 17];
const isRoot = process.getuid?.() === 0;

const usage = `Usage: npm run cluster -- <command>

  up [--no-migrate]   start a coordinator and two workers (building Citus first if needed), then migrate
  down [--wipe]       stop the cluster; --wipe also deletes ${relative(root, clusterDir)}/
  status              show each node and the active workers
  test                start a fresh cluster of its own (.data/citus-test, ports 55442-55444), run the db
                      and api test suites on it, then wipe it

Environment: CLUSTER_PORT (coordinator port, default ${DEFAULT_PORT}; workers use the next two),
CITUS_SOURCE (a Citus release tarball, built when Citus is not installed), PG_CONFIG (which PostgreSQL to use).`;

// Progress goes to stderr; status tables and the final DATABASE_URL line go to stdout.
const log = (message) => process.stderr.write(`[cluster] ${message}\n`);
const fail = (message) => {
	process.stderr.write(`[cluster] error: ${message}\n`);
	process.exit(1);
};

/**
 * Runs a command synchronously. `asPostgres` runs it as the postgres system user when we are root (the server
 * binaries refuse root); `capture` collects its output instead of showing it; `allowFail` returns the result
 * instead of stopping on a non-zero exit.
 */
function run(command, args, { asPostgres = false, capture = false, allowFail = false, env, cwd, stdio } = {}) {
	let [cmd, argv] = [command, args];
	if (asPostgres && isRoot) [cmd, argv] = ["runuser", ["-u", SUPERUSER, "--", command, ...args]];
	const result = spawnSync(cmd, argv, {
		// The postgres user may not be allowed into our working directory; every path we pass is absolute.
		cwd: cwd ?? (asPostgres ? "/" : root),
		env: env ?? process.env,
		encoding: "utf8",
		stdio: stdio ?? (capture ? ["ignore", "pipe", "pipe"] : "inherit"),
	});
	if (result.error && !allowFail) fail(`could not run ${cmd}: ${result.error.message}`);
	if (result.status !== 0 && !allowFail) {
		const output = capture ? `\n${(result.stderr || result.stdout || "").trim()}` : "";
		fail(`'${[cmd, ...argv].join(" ")}' failed (exit ${result.status ?? result.signal})${output}`);
	}
	return result;
}

/** Runs a command with root rights: directly as root, otherwise through sudo. */
function runPrivileged(command, args, options = {}) {
	return isRoot ? run(command, args, options) : run("sudo", [command, ...args], options);
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL and Citus: find them, or install them.
// ---------------------------------------------------------------------------------------------------------------

/** The PostgreSQL that pg_config describes: PG_CONFIG, else Debian's default major, else pg_config on PATH. */
function findPostgres() {
	const candidates = [
		process.env.PG_CONFIG,
		`/usr/lib/postgresql/${DEFAULT_PG_MAJOR}/bin/pg_config`,
		"pg_config",
	].filter(Boolean);
	for (const pgConfig of candidates) {
		const query = (flag) => spawnSync(pgConfig, [flag], { encoding: "utf8" });
		const version = query("--version");
		if (version.status !== 0) continue;
		const major = Number(/PostgreSQL (\d+)/.exec(version.stdout)?.[1]);
		if (!SUPPORTED_PG_MAJORS.includes(major)) continue;
		return {
			pgConfig,
			major,
			bindir: query("--bindir").stdout.trim(),
			pkglibdir: query("--pkglibdir").stdout.trim(),
			sharedir: query("--sharedir").stdout.trim(),
			includedirServer: query("--includedir-server").stdout.trim(),
		};
	}
	return undefined;
}

/** The Citus release installed for this PostgreSQL ("13.2.2"), read from citus.so's version string; or undefined. */
function installedCitusVersion(pg) {
	const library = join(pg.pkglibdir, "citus.so");
	const control = join(pg.sharedir, "extension", "citus.control");
	if (!existsSync(library) || !existsSync(control)) return undefined;
	const match = /Citus (\d+\.\d+\.\d+)/.exec(readFileSync(library).toString("latin1"));
	return match?.[1] ?? "unknown";
}

/** The Citus release in a tarball: from its name (citus-13.2.2.tar.gz), else from its configure script. */
function tarballVersion(tarball) {
	const fromName = /citus-(\d+\.\d+\.\d+)/.exec(basename(tarball))?.[1];
	if (fromName) return fromName;
	const configure = run("tar", ["-xzOf", tarball, "--wildcards", "*/configure"], { capture: true }).stdout;
	return /^PACKAGE_VERSION='([^']+)'/m.exec(configure)?.[1] ?? fail(`no Citus version found in ${tarball}`);
}

const noCitusMessage = (where) =>
	`Citus is not installed ${where} and CITUS_SOURCE is not set. Either
  - install Citus from its packages (Debian/Ubuntu and RPM repositories on packagecloud.io/citusdata,
    see the Citus installation guide), or
  - run the citusdata/citus container image and point DATABASE_URL at it instead of using this script, or
  - set CITUS_SOURCE to a Citus release tarball (citus-<version>.tar.gz from Citus's releases) to have it built here.`;

/** Debian packages that building Citus needs (the server itself, its headers, and Citus's build dependencies). */
const debianPackages = (major) => [
	`postgresql-${major}`,
	`postgresql-server-dev-${major}`,
	"autoconf",
	"flex",
	"gcc",
	"make",
	"libcurl4-openssl-dev",
	"libicu-dev",
	"libkrb5-dev",
	"liblz4-dev",
	"libpam0g-dev",
	"libreadline-dev",
	"libselinux1-dev",
	"libssl-dev",
	"libxslt1-dev",
	"libzstd-dev",
	"uuid-dev",
];

const hasCommand = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

/** Installs whichever of `packages` are missing, with apt-get (Debian/Ubuntu only). */
function aptInstall(packages) {
	if (!hasCommand("apt-get") || !hasCommand("dpkg-query")) return;
	// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template.
	const format = "-f=${Status}";
	const installed = (pkg) =>
		spawnSync("dpkg-query", ["-W", format, pkg], { encoding: "utf8" }).stdout?.includes("install ok installed");
	const missing = packages.filter((pkg) => !installed(pkg));
	if (missing.length === 0) return;
	log(`installing ${missing.join(" ")} with apt-get`);
	const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
	runPrivileged("apt-get", ["update", "-q"], { env });
	// `env` carries DEBIAN_FRONTEND through sudo, which resets the environment.
	runPrivileged("env", ["DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", ...missing], { env });
}

/** Builds Citus from `tarball` in the cache directory and installs it for `pg`. */
function buildCitus(pg, tarball, version) {
	aptInstall(debianPackages(pg.major));
	const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
	const buildDir = join(cacheRoot, "convolens", `citus-${version}`);
	const buildLog = join(buildDir, "build.log");
	// A finished build for the same pg_config only needs installing again (e.g. after PostgreSQL was reinstalled).
	const stamp = join(buildDir, ".built-for");
	const started = Date.now();
	if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== pg.pgConfig) {
		log(`building Citus ${version} for PostgreSQL ${pg.major} in ${buildDir} (about 2 minutes; log: ${buildLog})`);
		rmSync(buildDir, { recursive: true, force: true });
		mkdirSync(buildDir, { recursive: true });
		run("tar", ["-xzf", tarball, "-C", buildDir, "--strip-components=1"]);

		// Debian's PostgreSQL 15 (15.20) exports have_createdb_privilege(), which collides with the static copy in
		// Citus's compatibility header. Where the server headers declare it, rename Citus's copy out of the way.
		const dbcommands = join(pg.includedirServer, "commands", "dbcommands.h");
		if (existsSync(dbcommands) && /\bhave_createdb_privilege\s*\(/.test(readFileSync(dbcommands, "utf8"))) {
			run("sed", [
				"-i",
				"s/^have_createdb_privilege(void)$/citus_unused_have_createdb_privilege(void)/",
				join(buildDir, "src", "include", "pg_version_compat.h"),
			]);
		}

		const output = openSync(buildLog, "a");
		const step = (args) => {
			const result = run(args[0], args.slice(1), {
				cwd: buildDir,
				env: { ...process.env, PG_CONFIG: pg.pgConfig },
				stdio: ["ignore", output, output],
				allowFail: true,
			});
			if (result.status !== 0) {
				const tail = readFileSync(buildLog, "utf8").trimEnd().split("\n").slice(-30).join("\n");
				fail(`'${args.join(" ")}' failed in ${buildDir}:\n${tail}\n(full log: ${buildLog})`);
			}
		};
		// libcurl only serves Citus's usage statistics; the JIT bitcode (with_llvm) only doubles the build time.
		step(["./configure", "--without-libcurl"]);
		step(["make", "with_llvm=no", "-j2"]);
		closeSync(output);
		writeFileSync(stamp, pg.pgConfig);
	}
	log(`installing Citus ${version} into ${pg.pkglibdir}`);
	runPrivileged("make", ["-C", buildDir, "with_llvm=no", "install"], { capture: true });
	log(`Citus ${version} ready after ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Makes sure PostgreSQL and Citus are installed; returns the PostgreSQL description. */
function ensureCitus() {
	const tarball = process.env.CITUS_SOURCE;
	if (tarball && !existsSync(tarball)) fail(`CITUS_SOURCE=${tarball} does not exist`);
	let pg = findPostgres();
	if (!pg) {
		if (!tarball) fail(noCitusMessage(`(no PostgreSQL ${SUPPORTED_PG_MAJORS.join("/")} pg_config found either)`));
		if (!hasCommand("apt-get")) fail("no PostgreSQL found: install PostgreSQL 15 with its server headers");
		aptInstall(debianPackages(DEFAULT_PG_MAJOR));
		pg = findPostgres() ?? fail(`pg_config for PostgreSQL ${DEFAULT_PG_MAJOR} still missing after apt-get`);
	}
	const installed = installedCitusVersion(pg);
	const wanted = tarball ? tarballVersion(tarball) : undefined;
	if (installed && (!wanted || installed === wanted)) return pg;
	if (!tarball) fail(noCitusMessage(`for ${pg.pgConfig}`));
	if (installed) log(`Citus ${installed} is installed, CITUS_SOURCE has ${wanted}: rebuilding`);
	buildCitus(pg, tarball, wanted);
	const now = installedCitusVersion(pg);
	if (now !== wanted) fail(`after installing, ${pg.pkglibdir}/citus.so reports Citus ${now ?? "missing"}`);
	return pg;
}

// ---------------------------------------------------------------------------------------------------------------
// The cluster: three PostgreSQL data directories under .data/citus/.
// ---------------------------------------------------------------------------------------------------------------

/** The coordinator's port: the one the cluster was created with, else CLUSTER_PORT, else the default. */
function basePort() {
	const requested = process.env.CLUSTER_PORT ? Number(process.env.CLUSTER_PORT) : undefined;
	if (requested !== undefined && !(Number.isInteger(requested) && requested > 0 && requested < 65534)) {
		fail(`CLUSTER_PORT=${process.env.CLUSTER_PORT} is not a port number`);
	}
	if (existsSync(stateFile)) {
		const created = JSON.parse(readFileSync(stateFile, "utf8")).port;
		// The workers are registered on the coordinator by port, so the ports cannot change after creation.
		if (requested !== undefined && requested !== created) {
			fail(`the cluster in ${clusterDir} uses port ${created}; 'npm run cluster -- down --wipe' to recreate it`);
		}
		return created;
	}
	return requested ?? DEFAULT_PORT;
}

const nodesFor = (port) =>
	["coordinator", "worker1", "worker2"].map((name, index) => ({
		name,
		port: port + index,
		dataDir: join(clusterDir, name),
		logFile: join(clusterDir, `${name}.log`),
	}));

const databaseUrl = (port) => `postgres://${SUPERUSER}@${HOST}:${port}/${DATABASE}`;

const isInitialised = (node) => existsSync(join(node.dataDir, "PG_VERSION"));

/** pg_ctl status: exit 0 when the server runs (3 when it does not). */
const isRunning = (pg, node) =>
	isInitialised(node) &&
	run(join(pg.bindir, "pg_ctl"), ["-D", node.dataDir, "status"], { asPostgres: true, capture: true, allowFail: true })
		.status === 0;

/** Runs SQL on a node with psql as the superuser; returns its unaligned output. */
function psql(pg, node, sql, { database = DATABASE, allowFail = false, aligned = false } = {}) {
	const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", String(node.port), "-U", SUPERUSER];
	args.push("-d", database, ...(aligned ? [] : ["-A", "-t"]), "-c", sql);
	return run(join(pg.bindir, "psql"), args, { asPostgres: true, capture: true, allowFail });
}

/** As root: the postgres user must own .data/citus and pass through every parent (mktemp dirs are 0700). */
function prepareClusterDir() {
	mkdirSync(clusterDir, { recursive: true });
	if (!isRoot) return;
	const id = (flag) => Number(run("id", [flag, SUPERUSER], { capture: true }).stdout.trim());
	const [uid, gid] = [id("-u"), id("-g")];
	chownSync(clusterDir, uid, gid);
	chmodSync(clusterDir, 0o755);
	for (let dir = dirname(clusterDir); ; dir = dirname(dir)) {
		const mode = statSync(dir).mode;
		if ((mode & 0o001) === 0) {
			// Search bit only: postgres may pass through, not list.
			log(`adding o+x to ${dir} so the postgres user can reach ${clusterDir}`);
			chmodSync(dir, (mode & 0o7777) | 0o001);
		}
		if (dirname(dir) === dir) break;
	}
}

/** initdb for one node, with the settings a local Citus node needs. */
function initNode(pg, node) {
	log(`initdb ${relative(root, node.dataDir)}`);
	// Trust is limited to loopback connections (initdb's pg_hba.conf only lists 127.0.0.1 and ::1), and the
	// server only listens there: acceptable for a throwaway development cluster, never for a shared machine.
	const initdbArgs = ["-D", node.dataDir, "-U", SUPERUSER, "--auth-local=trust", "--auth-host=trust"];
	initdbArgs.push("--encoding=UTF8", "--locale=C");
	run(join(pg.bindir, "initdb"), initdbArgs, { asPostgres: true, capture: true });
	const settings = [
		"",
		"# Local Citus development cluster (scripts/cluster.mjs)",
		`listen_addresses = '${HOST}'`,
		`port = ${node.port}`,
		// TCP only: no Unix socket directory to create or own (Debian's default is /var/run/postgresql).
		"unix_socket_directories = ''",
		"shared_preload_libraries = 'citus'",
		// Headroom over the coordinator's pool to each worker (citus.max_shared_pool_size, by default the
		// coordinator's max_connections) plus the test processes' own clients.
		"max_connections = 400",
		// Online shard moves (citus_move_shard_placement, the rebalancer) copy and catch up by logical replication.
		"wal_level = logical",
		// Disposable data: durability only slows the migrations and tests down.
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		"jit = off",
		"",
	];
	// Appending keeps the file's owner (postgres) even when we are root.
	appendFileSync(join(node.dataDir, "postgresql.conf"), settings.join("\n"));
}

function startNode(pg, node) {
	log(`starting ${node.name} on port ${node.port}`);
	const args = ["-D", node.dataDir, "-l", node.logFile, "-w", "-t", "60", "start"];
	const result = run(join(pg.bindir, "pg_ctl"), args, { asPostgres: true, capture: true, allowFail: true });
	if (result.status !== 0) {
		const tail = existsSync(node.logFile)
			? readFileSync(node.logFile, "utf8").trimEnd().split("\n").slice(-15).join("\n")
			: "";
		fail(`${node.name} did not start on port ${node.port}:\n${(result.stderr || "").trim()}\n${tail}`);
	}
}

/** Creates the database and the extension on every node, and registers the workers (each step idempotent). */
function setupCitus(pg, nodes) {
	for (const node of nodes) {
		const exists = psql(pg, node, `SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'`, {
			database: "postgres",
		}).stdout.trim();
		if (!exists) psql(pg, node, `CREATE DATABASE ${DATABASE}`, { database: "postgres" });
		psql(pg, node, "CREATE EXTENSION IF NOT EXISTS citus");
	}
	const [coordinator, ...workers] = nodes;
	psql(pg, coordinator, `SELECT citus_set_coordinator_host('${HOST}', ${coordinator.port})`);
	for (const worker of workers) {
		psql(
			pg,
			coordinator,
			`SELECT citus_add_node('${HOST}', ${worker.port}) WHERE NOT EXISTS ` +
				`(SELECT 1 FROM pg_dist_node WHERE nodename = '${HOST}' AND nodeport = ${worker.port})`,
		);
	}
}

function printStatus(pg, nodes) {
	for (const node of nodes) {
		const state = !isInitialised(node) ? "not created" : isRunning(pg, node) ? "running" : "stopped";
		console.log(`${node.name.padEnd(12)} port ${node.port}  ${state.padEnd(11)} ${relative(root, node.dataDir)}`);
	}
	const [coordinator] = nodes;
	if (!isRunning(pg, coordinator)) return;
	const workers = psql(pg, coordinator, "SELECT * FROM citus_get_active_worker_nodes()", {
		aligned: true,
		allowFail: true,
	});
	console.log(`\nActive workers (citus_get_active_worker_nodes()):\n${(workers.stdout || workers.stderr).trimEnd()}`);
}

/** The project's own migration command, pointed at the coordinator. */
function migrate(url) {
	log(`applying migrations to ${url}`);
	const cli = ["node", "--disable-warning=ExperimentalWarning", "packages/db/src/cli/main.ts", "migrate"];
	const result = spawnSync(process.execPath, [join(root, "scripts", "bootstrap.mjs"), ...cli], {
		cwd: root,
		stdio: "inherit",
		env: { ...process.env, DATABASE_URL: url },
	});
	if (result.status !== 0) {
		fail(
			`migrations failed on the Citus coordinator (exit ${result.status ?? result.signal}); see the error above.\n` +
				`The cluster is still running at ${url}; 'npm run cluster -- up --no-migrate' skips the migrations.`,
		);
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Subcommands
// ---------------------------------------------------------------------------------------------------------------

function up({ migrate: withMigrations }) {
	const pg = ensureCitus();
	const port = basePort();
	const nodes = nodesFor(port);
	if (nodes.every((node) => isRunning(pg, node))) {
		log("cluster already running");
	} else {
		prepareClusterDir();
		if (!existsSync(stateFile)) writeFileSync(stateFile, `${JSON.stringify({ port }, null, 2)}\n`);
		for (const node of nodes) {
			if (!isInitialised(node)) initNode(pg, node);
			if (!isRunning(pg, node)) startNode(pg, node);
		}
	}
	setupCitus(pg, nodes);
	printStatus(pg, nodes);
	const url = databaseUrl(port);
	if (withMigrations) migrate(url);
	console.log(`DATABASE_URL=${url}`);
}

function down({ wipe }) {
	const nodes = existsSync(clusterDir) ? nodesFor(basePort()) : [];
	const created = nodes.filter(isInitialised);
	if (created.length === 0) log(`no cluster in ${relative(root, clusterDir)}/`);
	if (created.length > 0) {
		const pg = findPostgres() ?? fail("no pg_config found: cannot run pg_ctl to stop the cluster");
		for (const node of created) {
			if (!isRunning(pg, node)) {
				log(`${node.name} is not running`);
				continue;
			}
			log(`stopping ${node.name} (port ${node.port})`);
			run(join(pg.bindir, "pg_ctl"), ["-D", node.dataDir, "-m", "fast", "-w", "stop"], {
				asPostgres: true,
				capture: true,
			});
		}
	}
	if (wipe && existsSync(clusterDir)) {
		rmSync(clusterDir, { recursive: true, force: true });
		log(`removed ${relative(root, clusterDir)}/`);
	}
}

/**
 * The suites that exercise the database, run against a fresh cluster (each test file creates and distributes its
 * own database on it): the differential, rollup, routing, shard-move and isolation tests, and the REST contract.
 * The cluster is wiped afterwards, whatever the outcome.
 */
function test() {
	if (existsSync(stateFile)) down({ wipe: true });
	up({ migrate: true });
	const env = { ...process.env, DATABASE_URL: databaseUrl(basePort()) };
	const failures = [];
	try {
		for (const pkg of ["@convolens/db", "@convolens/api"]) {
			log(`${pkg}: vitest run against the cluster`);
			const report = join(tmpdir(), `convolens-cluster-${process.pid}-${basename(pkg)}.json`);
			const result = spawnSync(
				process.execPath,
				[
					join(root, "scripts", "bootstrap.mjs"),
					...["pnpm", "--filter", pkg, "exec", "vitest", "run"],
					...["--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
				],
				{ cwd: root, stdio: "inherit", env },
			);
			if (result.status !== 0) failures.push(...failedTests(pkg, report));
			rmSync(report, { force: true });
		}
	} finally {
		if (failures.length > 0) printServerErrors();
		down({ wipe: true });
	}
	// Repeated last, so that the end of a long log names what failed.
	for (const line of failures) log(line);
	if (failures.length > 0) fail("a suite failed on the cluster (see above)");
	log("every suite passed on the cluster");
}

/** The last error lines of each node's server log (the logs go with the wiped cluster). */
function printServerErrors() {
	for (const node of nodesFor(basePort())) {
		if (!existsSync(node.logFile)) continue;
		const errors = readFileSync(node.logFile, "utf8")
			.split("\n")
			.filter((line) => /\b(ERROR|FATAL|PANIC):/.test(line))
			.slice(-10);
		if (errors.length > 0) log(`${node.name}: last server errors\n${errors.join("\n")}`);
	}
}

/** One line per failed test of a vitest JSON report (or per failed file, or the package when there is no report). */
function failedTests(pkg, report) {
	if (!existsSync(report)) return [`${pkg}: failed before reporting`];
	const { testResults = [] } = JSON.parse(readFileSync(report, "utf8"));
	const lines = [];
	for (const file of testResults) {
		const where = relative(root, file.name);
		const failed = (file.assertionResults ?? []).filter((test) => test.status === "failed");
		for (const test of failed) {
			const message = (test.failureMessages?.[0] ?? "").split("\n")[0].slice(0, 300);
			lines.push(`FAILED ${where} > ${test.fullName}: ${message}`);
		}
		if (failed.length === 0 && file.status === "failed") {
			lines.push(`FAILED ${where}: ${(file.message ?? "").split("\n")[0].slice(0, 300)}`);
		}
	}
	return lines.length > 0 ? lines : [`${pkg}: failed (no failed test in its report)`];
}

function status() {
	const pg = findPostgres() ?? fail(noCitusMessage("(no PostgreSQL pg_config found)"));
	printStatus(pg, nodesFor(basePort()));
}

let parsed;
try {
	parsed = parseArgs({
		allowPositionals: true,
		options: {
			"no-migrate": { type: "boolean", default: false },
			wipe: { type: "boolean", default: false },
			help: { type: "boolean", short: "h", default: false },
		},
	});
} catch (error) {
	console.error(`${error.message}\n\n${usage}`);
	process.exit(2);
}
const { positionals, values } = parsed;
const [command, ...extra] = positionals;
if (values.help) {
	console.log(usage);
} else if (command === "up" && extra.length === 0 && !values.wipe) {
	up({ migrate: !values["no-migrate"] });
} else if (command === "down" && extra.length === 0 && !values["no-migrate"]) {
	down({ wipe: values.wipe });
} else if (command === "status" && extra.length === 0 && !values.wipe && !values["no-migrate"]) {
	status();
} else if (command === "test" && extra.length === 0 && !values.wipe && !values["no-migrate"]) {
	test();
} else {
	console.error(usage);
	process.exit(2);
}
