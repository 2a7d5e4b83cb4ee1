import { defineConfig } from "vitest/config";
import { testDatabaseGlobalSetup } from "./src/testing/global-setup-path.ts";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		globalSetup: [testDatabaseGlobalSetup],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		// Two cores: files run in parallel, each in its own cloned database.
		maxWorkers: 2,
	},
});
