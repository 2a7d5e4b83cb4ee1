/**
 * Test database support for every package's vitest suite. In `vitest.config.ts`:
 *
 *     test: { globalSetup: [testDatabaseGlobalSetup] }
 *
 * and in a test file:
 *
 *     const db = await createTestDatabase(); // fresh, migrated, this file's own
 *     ...makeDatabaseLayer({ url: db.url })...
 *     afterAll(() => db.drop());
 */
import { randomBytes } from "node:crypto";
import { Effect, Layer } from "effect";
import pg from "pg";
import { inject } from "vitest";
import { createClusterDatabase, dropClusterDatabase } from "../cluster.ts";
import { type DatabaseLayerServices, makeDatabaseLayer } from "../layer.ts";
import { dropMaintenanceTriggersSql, type Maintenance } from "../maintenance.ts";
import { databaseUrl } from "./urls.ts";

import "./provided.ts";

export { testDatabaseGlobalSetup } from "./global-setup-path.ts";

export interface TestDatabase {
	readonly url: string;
	readonly name: string;
	/** Drops the database (closing any connection still open to it). */
	readonly drop: () => Promise<void>;
}

const OBJECT_IN_USE = "55006";

/**
 * Creates a fresh database cloned from the migrated template (`CREATE DATABASE … TEMPLATE …`). With `maintenance:
 * "statements"` its maintenance triggers are dropped, so the writers keep the rollups themselves (as on Citus; see
 * `src/maintenance.ts`).
 */
export const createTestDatabase = async (
	options: { readonly maintenance?: Maintenance } = {},
): Promise<TestDatabase> => {
	const serverUrl = inject("convolensTestServerUrl");
	const template = inject("convolensTestTemplate");
	if (!serverUrl || !template) {
		throw new Error("No test database server: add testDatabaseGlobalSetup to the vitest globalSetup option");
	}
	const name = `${template.replace("_tpl_", "_test_")}_${randomBytes(5).toString("hex")}`;
	const workers = inject("convolensTestWorkers") ?? [];
	if (workers.length > 0) {
		// A cluster keeps the rollups by statements whatever `options.maintenance` asks.
		return {
			url: await createClusterDatabase(serverUrl, workers, name, { shardCount: 4 }),
			name,
			drop: () => dropClusterDatabase(serverUrl, workers, name),
		};
	}
	const admin = new pg.Client({ connectionString: serverUrl });
	await admin.connect();
	try {
		for (let attempt = 1; ; attempt++) {
			try {
				await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
				break;
			} catch (cause) {
				// Another file cloning the template at the same instant holds it briefly.
				const code = (cause as { code?: string }).code;
				if (code !== OBJECT_IN_USE || attempt >= 50) throw cause;
				await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
			}
		}
	} finally {
		await admin.end();
	}
	if (options.maintenance === "statements") {
		const client = new pg.Client({ connectionString: databaseUrl(serverUrl, name) });
		await client.connect();
		try {
			for (const sql of dropMaintenanceTriggersSql) await client.query(sql);
		} finally {
			await client.end();
		}
	}
	return {
		url: databaseUrl(serverUrl, name),
		name,
		drop: async () => {
			const client = new pg.Client({ connectionString: serverUrl });
			await client.connect();
			try {
				await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
			} finally {
				await client.end();
			}
		},
	};
};

/**
 * Whether the tests run on a Citus cluster (`DATABASE_URL` names its coordinator). Tests of what only a single
 * PostgreSQL has — the maintenance triggers (edits by hand, bulk loads), its plans, resetting a schema — skip there.
 */
export const onCluster = (): boolean => (inject("convolensTestWorkers") ?? []).length > 0;

/** `makeDatabaseLayer` over a fresh test database that is dropped when the layer is released. */
export const testDatabaseLayer = (
	options: { readonly poolSize?: number; readonly maintenance?: Maintenance } = {},
): Layer.Layer<DatabaseLayerServices, unknown> =>
	Layer.unwrap(
		Effect.map(
			Effect.acquireRelease(
				Effect.promise(() => createTestDatabase({ maintenance: options.maintenance })),
				(database) => Effect.promise(() => database.drop()),
			),
			(database) => makeDatabaseLayer({ url: database.url, poolSize: options.poolSize ?? 4 }),
		),
	);

export {
	pauseReplay,
	queryOnce,
	type StreamingPair,
	startStreamingPair,
	waitForReplay,
	waitUntil,
} from "./replica.ts";
export { databaseUrl } from "./urls.ts";
