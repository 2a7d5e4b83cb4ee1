import { Context, Deferred, Effect } from "effect";
import type { StorageError } from "./errors.ts";
import { isValidTimeZone, localDate } from "./time/zone.ts";

/**
 * Results kept across requests, exact because every entry is keyed by the account's **data version**: a number the
 * storage changes in the same transaction as any write to the account's data (see `packages/db`'s `data_version`),
 * so a request that starts after a write commits reads a newer version and never meets an entry computed before it.
 *
 * Two levels share one version read per request:
 * - repository calls (a method and its arguments, which carry every instant the call depends on), so different
 *   batches over the same windows share their reads;
 * - whole batches and single reports, keyed by the request as sent and by **today's date in every timezone the
 *   request uses**: a report depends on the clock only through the calendar day (windows are whole local days,
 *   and "complete day" checks compare with local midnights) — `packages/core/test/cache.test.ts` holds every report
 *   to that.
 *
 * A result computed while a write commits may already include it; it is stored under the older version, which no
 * request starting after the commit reads. Failures are never stored, nor is a batch in which a report timed out
 * or the storage failed.
 */
export interface ResultCacheService {
	/**
	 * The account's current data version on the server the request reads (see `ReportReads`); a failure to read it
	 * only bypasses the cache.
	 */
	readonly dataVersion: (accountId: string) => Effect.Effect<string, StorageError>;
	readonly calls: ResultStore;
	readonly requests: ResultStore;
	/**
	 * The repository calls being computed now, by the same keys as `calls`: a request that needs one that another
	 * request is computing at the same data version waits for it instead of computing it again (dashboards polling
	 * the same account right after a write). `makeMemo({ keep: false })`.
	 */
	readonly running: Memo;
}

/** Runs `call` under `key` once: callers of the same key while it runs (or, with `keep`, afterwards) share it. */
export type Memo = <A, E>(key: string, call: () => Effect.Effect<A, E>) => Effect.Effect<A, E>;

/**
 * A `Memo`. With `keep` (one batch) a key's result stays for later callers; without, the key is forgotten once its
 * call ends, so only concurrent callers share it. When the caller running a key is interrupted (it timed out, or its
 * client went away), the key is forgotten and the callers waiting for it run it again, one of them for the others.
 */
export const makeMemo = (options: { readonly keep: boolean }): Memo => {
	const running = new Map<string, Deferred.Deferred<unknown, unknown>>();
	const memo: Memo = <A, E>(key: string, call: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
		Effect.suspend(() => {
			const existing = running.get(key) as Deferred.Deferred<A, E> | undefined;
			if (existing !== undefined) return Deferred.await(existing);
			const deferred = Deferred.makeUnsafe<A, E>();
			running.set(key, deferred as Deferred.Deferred<unknown, unknown>);
			return call().pipe(
				Effect.exit,
				Effect.flatMap((exit) =>
					Effect.suspend(() => {
						if (!options.keep) running.delete(key);
						return Deferred.done(deferred, exit);
					}),
				),
				Effect.onInterrupt(() =>
					Effect.sync(() => {
						if (running.get(key) === deferred) running.delete(key);
						Deferred.doneUnsafe(deferred, memo(key, call));
					}),
				),
				Effect.andThen(Deferred.await(deferred)),
			);
		});
	return memo;
};

/** Absent by default (every request computed); the database layer provides one. */
export const ResultCache = Context.Reference<ResultCacheService | undefined>("@convolens/core/ResultCache", {
	defaultValue: () => undefined,
});

/**
 * A least-recently-used map bounded by entries and by the objects its values hold (a 30-day breakdown is ~30, an
 * hourly one up to 2,000), so a few large results cannot hold a process's memory. `set` freezes the value.
 */
export interface ResultStore {
	readonly get: (key: string) => unknown;
	readonly set: (key: string, value: unknown) => void;
	readonly size: () => number;
	/** Objects held by the stored values. */
	readonly objects: () => number;
	readonly clear: () => void;
}

/** Default object budget of one store: ~1M objects, on the order of 100 MB. */
export const DEFAULT_MAX_OBJECTS = 1_000_000;

export const makeResultStore = (maxEntries: number, maxObjects = DEFAULT_MAX_OBJECTS): ResultStore => {
	const entries = new Map<string, { readonly value: unknown; readonly objects: number }>();
	let objects = 0;
	const remove = (key: string) => {
		const entry = entries.get(key);
		if (entry === undefined) return;
		entries.delete(key);
		objects -= entry.objects;
	};
	return {
		get: (key) => {
			const entry = entries.get(key);
			if (entry === undefined) return undefined;
			// Re-inserting moves the key to the end: the map's order is the recency order.
			entries.delete(key);
			entries.set(key, entry);
			return entry.value;
		},
		set: (key, value) => {
			const weight = freezeCounting(value);
			remove(key);
			if (weight > maxObjects) return;
			entries.set(key, { value, objects: weight });
			objects += weight;
			while (entries.size > maxEntries || objects > maxObjects) {
				const oldest = entries.keys().next();
				if (oldest.done) break;
				remove(oldest.value);
			}
		},
		size: () => entries.size,
		objects: () => objects,
		clear: () => {
			entries.clear();
			objects = 0;
		},
	};
};

/**
 * Freezes a value and everything reachable from it, counting the objects it froze (a primitive counts 1, so every
 * entry weighs something). Cached results are shared by every request that reads them: a consumer that tried to
 * change one throws instead of corrupting the answers of others.
 */
const freezeCounting = (value: unknown): number => {
	// Typed errors stay as they are: the runtime may annotate a failure it propagates.
	if (value === null || typeof value !== "object" || Object.isFrozen(value) || value instanceof Error) return 1;
	Object.freeze(value);
	let count = 1;
	if (value instanceof Map) {
		for (const [key, entry] of value) count += freezeCounting(key) + freezeCounting(entry);
	} else if (!(value instanceof Date)) {
		for (const entry of Object.values(value)) count += freezeCounting(entry);
	}
	return count;
};

/**
 * The part of a request's key that follows the clock: today's date in each timezone the inputs name (and in the
 * caller's default zone). An unknown zone makes its report fail the same way at any time, so it adds nothing.
 */
export const calendarKey = (inputs: ReadonlyArray<unknown>, defaultTimezone: string, now: number): string => {
	const zones = new Set<string>([defaultTimezone]);
	for (const input of inputs) {
		if (input !== null && typeof input === "object" && "timezone" in input) {
			const timezone = (input as { timezone?: unknown }).timezone;
			if (typeof timezone === "string") zones.add(timezone);
		}
	}
	return [...zones]
		.sort()
		.map((zone) => `${zone}=${isValidTimeZone(zone) ? localDate(zone, now) : "-"}`)
		.join(",");
};
