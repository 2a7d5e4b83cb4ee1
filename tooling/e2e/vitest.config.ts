import { testDatabaseGlobalSetup } from "@convolens/db/testing/global-setup-path";
import { defineConfig } from "vitest/config";

/**
 * One test PostgreSQL for the run (or `DATABASE_URL`), a fresh database per file. One file at a time, as the
 * dashboard's suite always ran: each browser test drives its own Chromium beside its own server.
 */
export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		globalSetup: [testDatabaseGlobalSetup],
		testTimeout: 120_000,
		hookTimeout: 300_000,
		maxWorkers: 1,
	},
});
