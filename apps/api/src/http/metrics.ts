/**
 * `/metrics` (contract §11): every metric of the process's `effect` registry in Prometheus' text format — the
 * core's report times, cache lookups and ingest items, the HTTP requests counted here, and the database pool's use
 * read at each scrape. Route labels come from a fixed set (IDs in paths become `:id`), so a scan of random paths
 * cannot grow the series without bound.
 */
import { Effect, Metric } from "effect";
import { PrometheusMetrics } from "effect/observability";

const secondsBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const requests = Metric.counter("convolens_http_requests_total", {
	description: "HTTP requests answered, by route, method and status",
	incremental: true,
});
const requestDuration = Metric.histogram("convolens_http_request_duration_seconds", {
	description: "Time from a request's arrival to the end of its answer, by route and method",
	boundaries: secondsBoundaries,
});
const poolConnections = Metric.gauge("convolens_db_pool_connections", {
	description: "Database pool connections, by state (total, idle, waiting: requests queued for one)",
});

const restRoutes: ReadonlyArray<readonly [RegExp, string]> = [
	[/^\/v1\/platform\/report\/list$/, "/v1/platform/report/list"],
	[/^\/v1\/platform\/report\/generate$/, "/v1/platform/report/generate"],
	[/^\/v1\/platform\/report\/[^/]+\/generate$/, "/v1/platform/report/:id/generate"],
	[/^\/v1\/conversations$/, "/v1/conversations"],
	[/^\/v1\/ingest$/, "/v1/ingest"],
	[/^\/v1\/ingest\/delete$/, "/v1/ingest/delete"],
	[/^\/v1\/openapi\.json$/, "/v1/openapi.json"],
	[/^\/v1\/admin\/accounts$/, "/v1/admin/accounts"],
	[/^\/v1\/admin\/accounts\/[^/]+\/tokens$/, "/v1/admin/accounts/:id/tokens"],
	[/^\/v1\/admin\/tokens\/[^/]+\/revoke$/, "/v1/admin/tokens/:id/revoke"],
];

/** The route label of a path: a known route, `/trpc/<procedure>` for a known procedure, or a coarse bucket. */
export const routeLabel = (pathname: string, procedures: ReadonlySet<string>): string => {
	if (["/healthz", "/readyz", "/metrics", "/docs"].includes(pathname)) return pathname;
	if (pathname === "/trpc" || pathname.startsWith("/trpc/")) {
		const names = pathname.slice("/trpc/".length).split(",");
		if (names.length > 1) return "/trpc/(batch)";
		return procedures.has(names[0] ?? "") ? `/trpc/${names[0]}` : "/trpc/(unknown)";
	}
	const rest = pathname.startsWith("/api/") ? pathname.slice(4) : pathname;
	for (const [pattern, label] of restRoutes) if (pattern.test(rest.replace(/\/+$/, ""))) return label;
	return rest.startsWith("/v1/") ? "/v1/(unknown)" : "(page)";
};

export const recordRequest = (route: string, method: string, status: number, seconds: number): void => {
	Effect.runSync(
		Effect.andThen(
			Metric.update(Metric.withAttributes(requests, { route, method, status: String(status) }), 1),
			Metric.update(Metric.withAttributes(requestDuration, { route, method }), seconds),
		),
	);
};

export interface PoolState {
	readonly totalCount: number;
	readonly idleCount: number;
	readonly waitingCount: number;
}

/** The text of a scrape: the pool's state now, then every metric of the registry. */
export const scrape = (pool: PoolState | undefined): Promise<string> =>
	Effect.runPromise(
		Effect.gen(function* () {
			if (pool !== undefined) {
				for (const [state, value] of [
					["total", pool.totalCount],
					["idle", pool.idleCount],
					["waiting", pool.waitingCount],
				] as const) {
					yield* Metric.update(Metric.withAttributes(poolConnections, { state }), value);
				}
			}
			return yield* PrometheusMetrics.format();
		}),
	);
