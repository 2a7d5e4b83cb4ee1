import { randomUUID } from "node:crypto";

/**
 * The bound on open watches per account (contract §8.1: 20 by default). `createSharedWatchLimiter` keeps one lease
 * row per open watch in PostgreSQL, so the bound holds across every API process on the database; a process renews
 * its leases while their streams are open, and the leases of a process that died expire after `ttlMs`.
 */
export interface WatchLimiter {
	/** A slot for one more watch of the account, or `undefined` when it already has its limit open. */
	readonly open: (accountId: string) => Promise<WatchSlot | undefined>;
	readonly close: () => void;
}

export interface WatchSlot {
	readonly release: () => Promise<void>;
}

export interface WatchLimitOptions {
	/** Open watches per account, across every API process on the database. */
	readonly perAccount: number;
}

export const defaultWatchLimit: WatchLimitOptions = { perAccount: 20 };

/** Per-process counting: for a single API process, or when the limit need not hold across processes. */
export const createMemoryWatchLimiter = (options: WatchLimitOptions): WatchLimiter => {
	const open = new Map<string, number>();
	return {
		open: async (accountId) => {
			const count = open.get(accountId) ?? 0;
			if (count >= options.perAccount) return undefined;
			open.set(accountId, count + 1);
			let released = false;
			return {
				release: async () => {
					if (released) return;
					released = true;
					const left = (open.get(accountId) ?? 1) - 1;
					if (left <= 0) open.delete(accountId);
					else open.set(accountId, left);
				},
			};
		},
		close: () => open.clear(),
	};
};

/** Where the shared limiter keeps its leases (`@convolens/db`'s `watch_lease` statements). */
export interface WatchLeaseStore {
	readonly acquire: (lease: {
		accountId: string;
		id: string;
		limit: number;
		nowMs: number;
		expiresAtMs: number;
	}) => Promise<boolean>;
	readonly renew: (accountId: string, ids: ReadonlyArray<string>, expiresAtMs: number) => Promise<void>;
	readonly release: (accountId: string, id: string) => Promise<void>;
}

export const createSharedWatchLimiter = (
	options: WatchLimitOptions,
	store: WatchLeaseStore,
	timing: { readonly ttlMs?: number; readonly renewEveryMs?: number; readonly onError?: (error: unknown) => void } = {},
): WatchLimiter => {
	const ttlMs = timing.ttlMs ?? 60_000;
	const renewEveryMs = timing.renewEveryMs ?? 20_000;
	const held = new Map<string, Set<string>>();
	const renewal = setInterval(() => {
		for (const [accountId, ids] of held) {
			store.renew(accountId, [...ids], Date.now() + ttlMs).catch((error: unknown) => timing.onError?.(error));
		}
	}, renewEveryMs);
	renewal.unref();

	return {
		open: async (accountId) => {
			const id = randomUUID();
			const now = Date.now();
			const acquired = await store.acquire({
				accountId,
				id,
				limit: options.perAccount,
				nowMs: now,
				expiresAtMs: now + ttlMs,
			});
			if (!acquired) return undefined;
			let ids = held.get(accountId);
			if (ids === undefined) {
				ids = new Set();
				held.set(accountId, ids);
			}
			ids.add(id);
			let released = false;
			return {
				release: async () => {
					if (released) return;
					released = true;
					const current = held.get(accountId);
					current?.delete(id);
					if (current?.size === 0) held.delete(accountId);
					// A lease the store fails to delete expires on its own after `ttlMs`.
					await store.release(accountId, id).catch((error: unknown) => timing.onError?.(error));
				},
			};
		},
		close: () => {
			clearInterval(renewal);
			held.clear();
		},
	};
};
