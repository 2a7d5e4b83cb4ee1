import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		// Generous: the differential and exhaustive time tests are CPU-bound, and CI machines have two cores
		// shared with the other packages' suites.
		testTimeout: 60_000,
	},
});
