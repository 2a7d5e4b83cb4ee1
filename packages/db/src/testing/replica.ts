import { type ChildProcess, spawn } from "node:child_process";
import { chmod, chown, cp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { type EmbeddedPostgresServer, freePort, startEmbeddedPostgres } from "../embedded.ts";

/**
 * A primary and a streaming hot standby of it on loopback, from the embedded PostgreSQL binaries, for tests.
 *
 * The standby is what `pg_basebackup -R` would make, built with the server binary alone (the embedded package
 * ships `initdb`, `pg_ctl` and `postgres`, no `pg_basebackup`): a copy of the primary's data directory taken while
 * the primary is stopped (a consistent copy without the backup protocol), `standby.signal`, and `primary_conninfo`
 * pointing at the primary. Started, it streams the primary's WAL from where the copy ends. The defaults of the
 * server make this work: `wal_level = replica`, 10 WAL senders, and `initdb`'s `replication` lines in `pg_hba.conf`
 * for loopback (with the superuser's password).
 */
export interface StreamingPair {
	readonly primary: EmbeddedPostgresServer;
	readonly replica: { readonly url: string; readonly port: number; readonly stop: () => Promise<void> };
	/** Stops both servers and removes their directories. */
	readonly stop: () => Promise<void>;
}

/** Every file of `directory` (and itself) to `uid`/`gid`: the copy must belong to the server's system user. */
const chownTree = async (directory: string, uid: number, gid: number): Promise<void> => {
	await chown(directory, uid, gid);
	for (const entry of await readdir(directory, { withFileTypes: true })) {
		const entryPath = path.join(directory, entry.name);
		if (entry.isDirectory()) await chownTree(entryPath, uid, gid);
		else await chown(entryPath, uid, gid);
	}
};

/** The server binary the primary runs, from the command line it recorded in `postmaster.opts`. */
const serverBinary = async (dataDir: string) => {
	const opts = await readFile(path.join(dataDir, "postmaster.opts"), "utf8");
	const binary = /^(.*?) "-D"/.exec(opts)?.[1];
	if (!binary) throw new Error(`no server binary in ${dataDir}/postmaster.opts: ${opts}`);
	return binary;
};

const exited = (child: ChildProcess) =>
	new Promise<void>((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		else child.once("exit", () => resolve());
	});

/** Polls `check` until it returns true; throws `describe()` after `timeoutMs`, or as soon as `gaveUp()`. */
export const waitUntil = async (
	check: () => Promise<boolean>,
	describe: () => string,
	options: { readonly timeoutMs?: number; readonly gaveUp?: () => boolean } = {},
) => {
	const deadline = Date.now() + (options.timeoutMs ?? 60_000);
	for (;;) {
		if (await check().catch(() => false)) return;
		if (Date.now() > deadline || options.gaveUp?.()) throw new Error(describe());
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
};

/** One statement on a connection of its own. */
export const queryOnce = async <Row extends pg.QueryResultRow>(
	url: string,
	sql: string,
	params: ReadonlyArray<unknown> = [],
) => {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<Row>(sql, [...params])).rows;
	} finally {
		await client.end();
	}
};

/**
 * Starts a primary in `directory/primary` and its standby in `directory/replica` (see `StreamingPair`). The primary
 * is restarted on the port it had, and the standby's port is picked free; another process on the machine can take
 * either port in between (test suites start servers in parallel), so the pair checks that each URL reaches the
 * server it started and that the standby streams from that primary, and starts over on fresh ports if not.
 */
export const startStreamingPair = async (directory: string): Promise<StreamingPair> => {
	for (let attempt = 1; ; attempt++) {
		const pair = await startPairOnce(path.join(directory, `attempt-${attempt}`));
		const problem = await mismatch(pair, path.join(directory, `attempt-${attempt}`));
		if (problem === undefined) {
			const stop = pair.stop;
			return {
				...pair,
				stop: async () => {
					await stop();
					await rm(directory, { recursive: true, force: true });
				},
			};
		}
		await pair.stop().catch(() => undefined);
		if (attempt >= 3) throw new Error(`could not start a streaming pair: ${problem}`);
	}
};

/** Why the pair is not the one started in `directory`, or `undefined` when it is. */
const mismatch = async (pair: StreamingPair, directory: string): Promise<string | undefined> => {
	const dataDirectory = async (url: string) =>
		(await queryOnce<{ data_directory: string }>(url, "SHOW data_directory"))[0]?.data_directory;
	const systemId = async (url: string) =>
		(await queryOnce<{ id: string }>(url, "SELECT system_identifier::text AS id FROM pg_control_system()"))[0]?.id;
	if ((await dataDirectory(pair.primary.url)) !== path.resolve(directory, "primary")) {
		return "the primary's port reaches another server";
	}
	if ((await dataDirectory(pair.replica.url)) !== path.resolve(directory, "replica")) {
		return "the standby's port reaches another server";
	}
	if ((await systemId(pair.primary.url)) !== (await systemId(pair.replica.url))) {
		return "the standby is not a copy of this primary";
	}
	return undefined;
};

const startPairOnce = async (directory: string): Promise<StreamingPair> => {
	const primaryDir = path.join(directory, "primary");
	const replicaDir = path.join(directory, "replica");
	const first = await startEmbeddedPostgres({ dataDir: primaryDir, ephemeral: true });
	const binary = await serverBinary(primaryDir);
	await first.stop();
	await cp(primaryDir, replicaDir, { recursive: true });
	const owner = await stat(primaryDir);
	if (process.getuid?.() === 0) await chownTree(replicaDir, owner.uid, owner.gid);
	await chmod(replicaDir, 0o700);
	await rm(path.join(replicaDir, "postmaster.pid"), { force: true });
	const { password } = new URL(first.url);
	await writeFile(path.join(replicaDir, "standby.signal"), "");
	const autoConf = path.join(replicaDir, "postgresql.auto.conf");
	await writeFile(
		autoConf,
		`${await readFile(autoConf, "utf8")}\nprimary_conninfo = 'host=127.0.0.1 port=${first.port} user=postgres password=${decodeURIComponent(password)} application_name=replica'\n`,
	);

	const primary = await startEmbeddedPostgres({ dataDir: primaryDir, port: first.port, ephemeral: true });
	const port = await freePort();
	const logTail: Array<string> = [];
	const child = spawn(
		binary,
		[
			"-D",
			replicaDir,
			"-p",
			String(port),
			// As the primary's (see `startEmbeddedPostgres`): a standby refuses to start with fewer connections.
			...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
			...["-c", "jit=off", "-c", "fsync=off"],
		],
		{
			stdio: ["ignore", "ignore", "pipe"],
			...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}),
		},
	);
	child.stderr?.on("data", (chunk: Buffer) => {
		logTail.push(chunk.toString("utf8"));
		if (logTail.length > 40) logTail.shift();
	});
	// No orphan standby if the test process ends without stopping it.
	const killOnExit = () => child.kill("SIGINT");
	process.once("exit", killOnExit);
	let stopping: Promise<void> | undefined;
	const stopReplica = () => {
		stopping ??= (async () => {
			process.removeListener("exit", killOnExit);
			child.kill("SIGINT");
			await exited(child);
		})();
		return stopping;
	};
	const url = primary.url.replace(`:${primary.port}/`, `:${port}/`);
	try {
		await waitUntil(
			async () =>
				(await queryOnce<{ standby: boolean }>(url, "SELECT pg_is_in_recovery() AS standby"))[0]?.standby === true,
			() => `the standby did not start on port ${port}:\n${logTail.join("")}`,
			{ gaveUp: () => child.exitCode !== null },
		);
	} catch (cause) {
		await stopReplica();
		await primary.stop();
		await rm(directory, { recursive: true, force: true });
		throw cause;
	}
	return {
		primary,
		replica: { url, port, stop: stopReplica },
		stop: async () => {
			await stopReplica();
			await primary.stop();
			await rm(directory, { recursive: true, force: true });
		},
	};
};

/**
 * Waits until the standby at `replicaUrl` has replayed everything the primary at `primaryUrl` has written so far.
 * The target is the primary's WAL *insert* position: the test primary commits asynchronously
 * (`synchronous_commit = off`), so its last commits may not be written yet, and `pg_current_wal_lsn()` (the write
 * position) can lie before them — the standby then "caught up" without the rows.
 */
export const waitForReplay = async (primaryUrl: string, replicaUrl: string) => {
	const [{ lsn } = { lsn: "" }] = await queryOnce<{ lsn: string }>(
		primaryUrl,
		"SELECT pg_current_wal_insert_lsn()::text AS lsn",
	);
	await waitUntil(
		async () =>
			(
				await queryOnce<{ caught: boolean }>(replicaUrl, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught", [
					lsn,
				])
			)[0]?.caught === true,
		() => `the standby did not replay the primary's WAL up to ${lsn}`,
	);
};

/** Pauses the standby's WAL replay and waits until it has paused, so writes on the primary stay off the standby. */
export const pauseReplay = async (replicaUrl: string) => {
	await queryOnce(replicaUrl, "SELECT pg_wal_replay_pause()");
	await waitUntil(
		async () =>
			(await queryOnce<{ state: string }>(replicaUrl, "SELECT pg_get_wal_replay_pause_state() AS state"))[0]?.state ===
			"paused",
		() => "the standby's replay did not pause",
	);
};
