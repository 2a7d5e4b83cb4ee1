/**
 * Tells open watches that an account's data changed. It polls each watched account's data version (bumped by every
 * transaction that writes the account's data, whichever process or person wrote it), one poll per account however
 * many watches it has, and hands each new version to the account's listeners. Polling the version rather than a
 * per-process event is what makes a write through one API process wake the watches held by another.
 */
export interface ChangeFeed {
	/**
	 * Calls `listener` with the account's version each time a poll finds it changed, and once with the latest known
	 * version soon after subscribing (so a change between the caller's own read and this call is not missed).
	 */
	readonly subscribe: (accountId: string, listener: (version: string) => void) => () => void;
	readonly close: () => void;
}

export interface ChangeFeedOptions {
	readonly readVersion: (accountId: string) => Promise<string>;
	/** Time between two polls of one account. */
	readonly pollMs: number;
	/**
	 * Runs before the listeners hear of a new version, e.g. so that reports stop reading a replica that has not
	 * replayed the change yet. The first version a poll finds counts as new too: a watch read its own version
	 * before subscribing, and a write in between reaches it through that first poll.
	 */
	readonly beforeNotify?: (accountId: string, version: string) => Promise<void>;
	/** Called when a poll fails (the next poll tries again). */
	readonly onError?: (error: unknown) => void;
}

interface Watched {
	readonly listeners: Set<(version: string) => void>;
	version: string | undefined;
	polling: boolean;
}

export const createChangeFeed = (options: ChangeFeedOptions): ChangeFeed => {
	const accounts = new Map<string, Watched>();
	let timer: ReturnType<typeof setInterval> | undefined;

	const poll = async (accountId: string, watched: Watched) => {
		if (watched.polling) return;
		watched.polling = true;
		try {
			const version = await options.readVersion(accountId);
			if (version !== watched.version) {
				await options.beforeNotify?.(accountId, version);
				watched.version = version;
				for (const listener of watched.listeners) listener(version);
			}
		} catch (error) {
			options.onError?.(error);
		} finally {
			watched.polling = false;
		}
	};

	const tick = () => {
		for (const [accountId, watched] of accounts) void poll(accountId, watched);
	};

	return {
		subscribe: (accountId, listener) => {
			let watched = accounts.get(accountId);
			if (watched === undefined) {
				watched = { listeners: new Set(), version: undefined, polling: false };
				accounts.set(accountId, watched);
			}
			watched.listeners.add(listener);
			const known = watched.version;
			if (known !== undefined) queueMicrotask(() => listener(known));
			if (timer === undefined) {
				timer = setInterval(tick, options.pollMs);
				timer.unref();
			}
			return () => {
				const current = accounts.get(accountId);
				if (current === undefined) return;
				current.listeners.delete(listener);
				if (current.listeners.size === 0) accounts.delete(accountId);
				if (accounts.size === 0 && timer !== undefined) {
					clearInterval(timer);
					timer = undefined;
				}
			};
		},
		close: () => {
			accounts.clear();
			if (timer !== undefined) clearInterval(timer);
			timer = undefined;
		},
	};
};
