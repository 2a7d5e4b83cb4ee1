import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { defaultDataDir, startEmbeddedPostgres } from "./embedded.ts";

export interface ServiceDatabase {
	readonly url: string;
	/** Where the URL came from, for the start-up log (never the URL itself: it holds a password). */
	readonly source: "DATABASE_URL" | "embedded (started)" | "embedded (already running)";
	/** Stops the embedded server if this process started it; otherwise does nothing. */
	readonly stop: () => Promise<void>;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/**
 * The URL of a postmaster that is already serving `dataDir` (started by a running `npm start`), read from its
 * `postmaster.pid` (line 1: pid, line 4: port) and the password file kept beside the cluster.
 */
const runningClusterUrl = async (dataDir: string): Promise<string | undefined> => {
	const lockFile = path.join(dataDir, "postmaster.pid");
	const passwordFile = path.join(dataDir, "convolens-superuser-password");
	if (!existsSync(lockFile) || !existsSync(passwordFile)) return undefined;
	const [pidLine, , , portLine] = (await readFile(lockFile, "utf8")).split("\n");
	const pid = Number.parseInt(pidLine ?? "", 10);
	const port = Number.parseInt(portLine ?? "", 10);
	if (!(pid > 0 && port > 0 && alive(pid))) return undefined;
	const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
	if (!cmdline.includes("postgres")) return undefined;
	const password = (await readFile(passwordFile, "utf8")).trim();
	return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
};

/**
 * The database the service and the CLI use: `DATABASE_URL` when set; otherwise the embedded cluster under
 * `.data/postgres` — joined if a running server already serves it, started otherwise.
 */
export const openServiceDatabase = async (
	options: { readonly dataDir?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ServiceDatabase> => {
	const env = options.env ?? process.env;
	if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: "DATABASE_URL", stop: async () => undefined };
	const dataDir = options.dataDir ?? defaultDataDir;
	const running = await runningClusterUrl(dataDir);
	if (running) return { url: running, source: "embedded (already running)", stop: async () => undefined };
	const server = await startEmbeddedPostgres({ dataDir });
	return { url: server.url, source: "embedded (started)", stop: server.stop };
};
