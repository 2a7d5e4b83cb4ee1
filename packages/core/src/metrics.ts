/**
 * What the core counts for operators (contract §11), as `effect` metrics: the HTTP server renders every metric of
 * the registry in Prometheus' text format at `/metrics`. Times are wall-clock seconds.
 */
import { Effect, Metric } from "effect";

/** Seconds: from a cached answer (~1 ms) to the report time limit (10 s). */
const secondsBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const reportDuration = Metric.histogram("convolens_report_duration_seconds", {
	description: "Time to compute one report (alone or inside a batch), by report and outcome",
	boundaries: secondsBoundaries,
});

const cacheLookups = Metric.counter("convolens_cache_lookups_total", {
	description: "Result cache lookups, by level (request: a whole batch or report; call: one repository read)",
	incremental: true,
});

const ingestItems = Metric.counter("convolens_ingest_items_total", {
	description: "Ingested items, by collection and outcome (inserted, duplicate, rejected)",
	incremental: true,
});

/** Records the time `self` took under the report's id and whether it succeeded. */
export const timeReport = <A, E, R>(reportId: string, self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
	Effect.suspend(() => {
		const started = performance.now();
		const record = (outcome: "ok" | "error") =>
			Metric.update(
				Metric.withAttributes(reportDuration, { report: reportId, outcome }),
				(performance.now() - started) / 1000,
			);
		return self.pipe(
			Effect.tap(() => record("ok")),
			Effect.tapError(() => record("error")),
		);
	});

export const countCacheLookup = (level: "request" | "call", hit: boolean): Effect.Effect<void> =>
	Metric.update(Metric.withAttributes(cacheLookups, { level, result: hit ? "hit" : "miss" }), 1);

export const countIngestItems = (
	collection: string,
	outcome: "inserted" | "duplicate" | "rejected",
	count: number,
): Effect.Effect<void> =>
	count > 0 ? Metric.update(Metric.withAttributes(ingestItems, { collection, outcome }), count) : Effect.void;
