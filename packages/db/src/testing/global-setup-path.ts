import { fileURLToPath } from "node:url";

/**
 * Absolute path of the vitest `globalSetup` module that starts the test PostgreSQL server. Import it from
 * `@convolens/db/testing/global-setup-path` in a `vitest.config.ts` (it loads nothing else).
 */
export const testDatabaseGlobalSetup = fileURLToPath(new URL("./global-setup.ts", import.meta.url));
