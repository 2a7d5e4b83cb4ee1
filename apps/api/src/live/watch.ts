import { setTimeout as sleep } from "node:timers/promises";
import type { ChangeFeed } from "./change-feed.ts";

export interface WatchOptions<A> {
	readonly accountId: string;
	readonly feed: ChangeFeed;
	/** The account's data version now (read before the first result, so no change after it is missed). */
	readonly readVersion: () => Promise<string>;
	/** Computes one result (a batch of reports). */
	readonly compute: () => Promise<A>;
	/** Ends the watch: the client went away or the server is closing. */
	readonly signal: AbortSignal;
	/** At most one result per this many milliseconds after the first (writes in between are coalesced). */
	readonly minIntervalMs: number;
	/** How long to wait before computing again after a failed computation (the change is not forgotten). */
	readonly retryMs?: number;
	readonly onError?: (error: unknown) => void;
}

/**
 * A live report (contract §8.1): the result at once, then again after each change to the account's data, at most
 * once per `minIntervalMs`, until `signal` aborts. The first computation's failure is thrown (the caller answers it
 * as an ordinary error); a later one is retried, since the stream has already started and the change still needs
 * an answer.
 */
export async function* watchResults<A>(options: WatchOptions<A>): AsyncGenerator<A, void, undefined> {
	const { signal } = options;
	let seen = await options.readVersion();
	let dirty = false;
	let wake: (() => void) | undefined;
	const unsubscribe = options.feed.subscribe(options.accountId, (version) => {
		if (version === seen) return;
		seen = version;
		dirty = true;
		wake?.();
	});
	const onAbort = () => wake?.();
	signal.addEventListener("abort", onAbort);
	try {
		yield await options.compute();
		let last = Date.now();
		while (!signal.aborted) {
			if (!dirty) {
				await new Promise<void>((resolve) => {
					wake = resolve;
				});
				wake = undefined;
				continue;
			}
			const wait = last + options.minIntervalMs - Date.now();
			if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
			if (signal.aborted) break;
			dirty = false;
			let result: A;
			try {
				result = await options.compute();
			} catch (error) {
				if (signal.aborted) break;
				options.onError?.(error);
				dirty = true;
				await sleep(options.retryMs ?? 1_000, undefined, { signal }).catch(() => undefined);
				continue;
			}
			last = Date.now();
			yield result;
		}
	} finally {
		signal.removeEventListener("abort", onAbort);
		unsubscribe();
	}
}
