/**
 * New databases on a Citus cluster: Citus keeps its metadata per database, so a database is created on every node,
 * with the extension, the workers registered and the migrations applied (which distribute the schema). The tests
 * give every file one (four shards per table keep the set-up to a few seconds); the benchmark one per scale.
 */
import pg from "pg";
import { runMigrations } from "./migrate.ts";
import { databaseUrl } from "./testing/urls.ts";

/** Runs `work` on a connection of its own to `url`, closed afterwards. */
export const withClient = async <A>(url: string, work: (client: pg.Client) => Promise<A>) => {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
};

/** The workers' URLs (same credentials as `serverUrl`) when it is a Citus coordinator, else `null`. */
export const citusWorkers = (serverUrl: string): Promise<ReadonlyArray<string> | null> =>
	withClient(serverUrl, async (client) => {
		const { rows } = await client.query<{ installed: boolean }>(
			"SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS installed",
		);
		if (!rows[0]?.installed) return null;
		const nodes = await client.query<{ host: string; port: number }>(
			"SELECT nodename AS host, nodeport AS port FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' ORDER BY nodeid",
		);
		if (nodes.rows.length === 0) return null;
		return nodes.rows.map(({ host, port }) => {
			const url = new URL(serverUrl);
			url.hostname = host;
			url.port = String(port);
			return url.toString();
		});
	});

/** The coordinator's host and port as the workers reach it (its own URL's). */
const nodeOf = (url: string) => {
	const parsed = new URL(url);
	return { host: parsed.hostname, port: Number(parsed.port || 5432) };
};

/** Creates `name` on every node, joins them into a cluster and migrates it; returns its coordinator URL. */
export const createClusterDatabase = async (
	serverUrl: string,
	workers: ReadonlyArray<string>,
	name: string,
	options: { readonly shardCount?: number } = {},
): Promise<string> => {
	for (const node of [serverUrl, ...workers]) {
		await withClient(node, (client) => client.query(`CREATE DATABASE "${name}"`));
		await withClient(databaseUrl(node, name), (client) => client.query("CREATE EXTENSION citus"));
	}
	const url = databaseUrl(serverUrl, name);
	await withClient(url, async (client) => {
		const coordinator = nodeOf(serverUrl);
		await client.query("SELECT citus_set_coordinator_host($1, $2)", [coordinator.host, coordinator.port]);
		if (options.shardCount !== undefined) {
			await client.query(`ALTER DATABASE "${name}" SET citus.shard_count = ${Math.trunc(options.shardCount)}`);
		}
	});
	for (const worker of workers) {
		const { host, port } = nodeOf(worker);
		await addNode(url, host, port);
	}
	await runMigrations(url);
	return url;
};

/**
 * Registers a worker, trying again (on a new session) when the coordinator cannot reach it: `citus_add_node` fails
 * whole with "failure on connection marked as essential" when one connection to the worker fails, which a loaded
 * machine running test files in parallel has shown; the call is transactional, so a retry starts clean.
 */
const addNode = async (url: string, host: string, port: number) => {
	for (let attempt = 1; ; attempt++) {
		try {
			await withClient(url, (client) => client.query("SELECT citus_add_node($1, $2)", [host, port]));
			return;
		} catch (error) {
			const connectionFailed =
				error instanceof Error && /failure on connection|connection to the remote node/.test(error.message);
			if (!connectionFailed || attempt >= 5) throw error;
			await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
		}
	}
};

/** Drops `name` on every node. */
export const dropClusterDatabase = async (serverUrl: string, workers: ReadonlyArray<string>, name: string) => {
	for (const node of [serverUrl, ...workers]) {
		await withClient(node, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
	}
};
