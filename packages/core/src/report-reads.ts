import { Context, Effect } from "effect";

/**
 * Where one report request reads. A storage with read replicas answers a request from one server of its choice,
 * and everything the request reads — the data version that keys the result cache and every repository call — must
 * come from that one server: a version read on one server and rows read on another could label an answer with a
 * version newer than its data. `generateReport` and `generateBatch` hand their whole request to `pin`, which runs it
 * with that choice in context. By default (one server) the request runs as it is.
 */
export interface ReportReadsService {
	readonly pin: <A, E, R>(accountId: string, request: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>;
}

export const ReportReads = Context.Reference<ReportReadsService>("@convolens/core/ReportReads", {
	defaultValue: () => ({ pin: (_accountId, request) => request }),
});

/** Runs `request` (all reads of one account's report request) where `ReportReads` places it. */
export const pinReads = <A, E, R>(accountId: string, request: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
	Effect.flatMap(ReportReads, (reads) => reads.pin(accountId, request));
