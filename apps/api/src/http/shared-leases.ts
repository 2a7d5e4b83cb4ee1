import { randomUUID } from "node:crypto";

type LeaseKind = "watch" | "work";

/** Where shared leases live (`@convolens/db`'s `limit_lease` statements). */
export interface LeaseStore {
	readonly acquire: (lease: {
		accountId: string;
		kind: LeaseKind;
		id: string;
		units: number;
		limit: number;
		nowMs: number;
		expiresAtMs: number;
	}) => Promise<boolean>;
	readonly renew: (accountId: string, ids: ReadonlyArray<string>, expiresAtMs: number) => Promise<void>;
	readonly release: (accountId: string, id: string) => Promise<void>;
}

export interface Lease {
	/** Gives the units back (once; later calls do nothing). A failed delete expires on its own after the TTL. */
	readonly release: () => Promise<void>;
}

export interface LeaseKeeper {
	/** Takes `units` of the account's `kind` limit, or `undefined` when they do not fit. Throws when the store fails. */
	readonly acquire: (accountId: string, kind: LeaseKind, units: number, limit: number) => Promise<Lease | undefined>;
	readonly close: () => void;
}

/**
 * The leases this process holds in the shared store, renewed while held, so that the per-account limits kept there
 * (open watches, report work) count every process's holdings and forget a dead process's after `ttlMs`.
 */
export const createLeaseKeeper = (
	store: LeaseStore,
	timing: { readonly ttlMs?: number; readonly renewEveryMs?: number; readonly onError?: (error: unknown) => void } = {},
): LeaseKeeper => {
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
		acquire: async (accountId, kind, units, limit) => {
			const id = randomUUID();
			const now = Date.now();
			const acquired = await store.acquire({ accountId, kind, id, units, limit, nowMs: now, expiresAtMs: now + ttlMs });
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
