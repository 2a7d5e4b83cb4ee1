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
export { noteAccountChanged } from "./replicas.ts";
export { readDataVersion } from "./repositories/data-version.ts";
export { acquireLease, type LeaseKind, releaseLease, renewLeases } from "./repositories/limit-lease.ts";
export { takeRateLimit } from "./repositories/rate-limit.ts";
export { hashToken } from "./repositories/tenant.ts";
export {
	accountsDueForEvaluation,
	applyEvaluation,
	botIdsOf,
	type ClaimedDelivery,
	claimDueDeliveries,
	createWebhook,
	type DeliveryRow,
	deleteWebhook,
	listDeliveries,
	listWebhooks,
	type RaisedAlert,
	recordDeliveryAttempt,
	type WebhookRow,
} from "./repositories/webhooks.ts";
export { demoLimits, seedDemo } from "./seed/demo.ts";
