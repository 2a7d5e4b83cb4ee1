import { Context, type Effect } from "effect";
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
	/** The account's current data version; a failure to read it only bypasses the cache. */
	readonly dataVersion: (accountId: string) => Effect.Effect<string, StorageError>;
	readonly calls: ResultStore;
	readonly requests: ResultStore;
}

/** Absent by default (every request computed); the database layer provides one. */
export const ResultCache = Context.Reference<ResultCacheService | undefined>("@convolens/core/ResultCache", {
	defaultValue: () => undefined,
});

/** A least-recently-used map with a fixed number of entries. */
export interface ResultStore {
	readonly get: (key: string) => unknown;
	readonly set: (key: string, value: unknown) => void;
	readonly size: () => number;
	readonly clear: () => void;
}

export const makeResultStore = (maxEntries: number): ResultStore => {
	const entries = new Map<string, unknown>();
	return {
		get: (key) => {
			if (!entries.has(key)) return undefined;
			const value = entries.get(key);
			// Re-inserting moves the key to the end: the map's order is the recency order.
			entries.delete(key);
			entries.set(key, value);
			return value;
		},
		set: (key, value) => {
			entries.delete(key);
			entries.set(key, value);
			while (entries.size > maxEntries) {
				const oldest = entries.keys().next();
				if (oldest.done) break;
				entries.delete(oldest.value);
			}
		},
		size: () => entries.size,
		clear: () => entries.clear(),
	};
};

/**
 * Freezes a value and everything reachable from it: cached results are shared by every request that reads them, so
 * a consumer that tried to change one would throw instead of corrupting the answers of others.
 */
export const deepFreeze = <A>(value: A): A => {
	// Typed errors stay as they are: the runtime may annotate a failure it propagates.
	if (value === null || typeof value !== "object" || Object.isFrozen(value) || value instanceof Error) return value;
	Object.freeze(value);
	if (value instanceof Map) {
		for (const [key, entry] of value) {
			deepFreeze(key);
			deepFreeze(entry);
		}
	} else if (!(value instanceof Date)) {
		for (const entry of Object.values(value)) deepFreeze(entry);
	}
	return value;
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
