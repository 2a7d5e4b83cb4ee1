import type { LeaseKeeper } from "../http/shared-leases.ts";

/**
 * The bound on open watches per account (contract §8.1: 20 by default), counted in this process or, shared by every
 * API process on the database, as leases in PostgreSQL (see `http/shared-leases.ts`).
 */
export interface WatchLimiter {
	/** A slot for one more watch of the account, or `undefined` when it already has its limit open. */
	readonly open: (accountId: string) => Promise<WatchSlot | undefined>;
	readonly close: () => void;
}

interface WatchSlot {
	readonly release: () => Promise<void>;
}

export interface WatchLimitOptions {
	/** Open watches per account, across every API process on the database. */
	readonly perAccount: number;
}

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

/** One lease of 1 unit per open watch in the shared store: the bound holds across every API process. */
export const createSharedWatchLimiter = (options: WatchLimitOptions, leases: LeaseKeeper): WatchLimiter => ({
	open: (accountId) => leases.acquire(accountId, "watch", 1, options.perAccount),
	close: () => undefined,
});
