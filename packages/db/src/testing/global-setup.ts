/**
 * Vitest `globalSetup` for any package whose tests need PostgreSQL: starts ONE embedded server per test run in a
 * temporary directory (or uses `DATABASE_URL` when set), creates a migrated template database, and hands both to
 * the test workers through `provide`. Each test file then clones its own database with `createTestDatabase()`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { citusWorkers, withClient } from "../cluster.ts";
import { startEmbeddedPostgres } from "../embedded.ts";
import { runMigrations } from "../migrate.ts";
import "./provided.ts";
import { databaseUrl } from "./urls.ts";

export default async function setup(project: TestProject) {
	let serverUrl = process.env.DATABASE_URL;
	let stopServer = async () => {};
	if (!serverUrl) {
		const dir = await mkdtemp(path.join(tmpdir(), "convolens-test-pg-"));
		const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), ephemeral: true }).catch(
			async (cause: unknown) => {
				await rm(dir, { recursive: true, force: true });
				throw cause;
			},
		);
		serverUrl = server.url;
		stopServer = async () => {
			await server.stop();
			await rm(dir, { recursive: true, force: true });
		};
	}
	const template = `convolens_tpl_${randomBytes(6).toString("hex")}`;
	// On a Citus cluster every file builds its own database (no template: see `cluster.ts`).
	const workers = (await citusWorkers(serverUrl)) ?? [];
	try {
		if (workers.length === 0) {
			await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
			await runMigrations(databaseUrl(serverUrl, template));
		}
	} catch (cause) {
		await stopServer();
		throw cause;
	}
	project.provide("convolensTestServerUrl", serverUrl);
	project.provide("convolensTestTemplate", template);
	project.provide("convolensTestWorkers", workers);

	return async () => {
		const url = serverUrl;
		for (const node of [url, ...workers]) {
			await withClient(node, async (client) => {
				// Test files drop their own databases; this also clears those of an interrupted run.
				const { rows } = await client.query<{ datname: string }>(
					"SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2",
					[template, `${template.replace("_tpl_", "_test_")}_%`],
				);
				for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
			}).catch(() => undefined);
		}
		await stopServer();
	};
}
