export { copyRows } from "./bulk.ts";
export { citusWorkers, createClusterDatabase, dropClusterDatabase } from "./cluster.ts";
export { Database, type DatabaseOptions } from "./database.ts";
export {
	defaultDataDir,
	type EmbeddedPostgresOptions,
	type EmbeddedPostgresServer,
	startEmbeddedPostgres,
} from "./embedded.ts";
export * from "./entities/index.ts";
export { type DatabaseLayerServices, makeDatabaseLayer } from "./layer.ts";
export { runMigrations } from "./migrate.ts";
export { takeRateLimit } from "./repositories/rate-limit.ts";
export { hashToken } from "./repositories/tenant.ts";
export {
	acquireWatchLease,
	readDataVersion,
	releaseWatchLease,
	renewWatchLeases,
} from "./repositories/watch-lease.ts";
export { demoLimits, seedDemo } from "./seed/demo.ts";
