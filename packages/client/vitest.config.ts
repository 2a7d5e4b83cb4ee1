import { testDatabaseGlobalSetup } from "@convolens/db/testing";
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		globalSetup: [testDatabaseGlobalSetup],
		testTimeout: 30_000,
		hookTimeout: 120_000,
	},
});
