import { testDatabaseGlobalSetup } from "@convolens/db/testing/global-setup-path";
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		globalSetup: [testDatabaseGlobalSetup],
		testTimeout: 120_000,
		hookTimeout: 180_000,
		maxWorkers: 1,
	},
});
