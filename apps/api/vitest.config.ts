import { testDatabaseGlobalSetup } from "@convolens/db/testing/global-setup-path";
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		globalSetup: [testDatabaseGlobalSetup],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		maxWorkers: 2,
	},
});
