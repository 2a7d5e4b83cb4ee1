/**
 * Failed authentication, throttled per client address (contract §10): guessing tokens must not be free. Each
 * address may fail `burst` times at once, refilled at `failuresPerMinute`; past that, a failed attempt answers
 * `429` with `Retry-After` instead of `401`, and the address's token lookups run one at a time, so a flood of
 * guesses costs the database one lookup at a time instead of all of them at once. Only failures count: a valid
 * token is never refused because of other failures from its address (many clients share one address behind a
 * proxy or NAT); at worst it waits for the guesses queued before it. In-process, like the rate limiter.
 */
import { AppError } from "../errors.ts";

export interface AuthThrottleOptions {
	readonly failuresPerMinute: number;
	readonly burst: number;
}

export const defaultAuthThrottle: AuthThrottleOptions = { failuresPerMinute: 30, burst: 20 };

export interface AuthThrottle {
	/**
	 * Runs `lookup` for a request from `address` that carried credentials; `null` means they were wrong. A wrong one
	 * past the address's budget throws `TOO_MANY_REQUESTS` (with `retryAfter`).
	 */
	readonly check: <P>(address: string, lookup: () => Promise<P | null>) => Promise<P | null>;
}

interface AddressState {
	failures: number;
	updatedAt: number;
	/** The last lookup of a throttled address: the next one starts after it. */
	chain: Promise<unknown>;
}

export const createAuthThrottle = (
	options: AuthThrottleOptions = defaultAuthThrottle,
	now: () => number = Date.now,
): AuthThrottle => {
	const refillPerMs = options.failuresPerMinute / 60_000;
	const addresses = new Map<string, AddressState>();

	/** The address's failure budget left now (failures decay at the refill rate). */
	const budget = (state: AddressState) => {
		const at = now();
		state.failures = Math.max(0, state.failures - (at - state.updatedAt) * refillPerMs);
		state.updatedAt = at;
		return options.burst - state.failures;
	};

	const forget = () => {
		if (addresses.size <= 10_000) return;
		for (const [address, state] of addresses) if (budget(state) >= options.burst) addresses.delete(address);
	};

	return {
		check: async (address, lookup) => {
			const state = addresses.get(address);
			if (state === undefined || budget(state) >= 1) {
				const principal = await lookup();
				if (principal === null) fail(address);
				return principal;
			}
			// Throttled: one lookup at a time for this address.
			const turn = state.chain.then(lookup, lookup);
			state.chain = turn.catch(() => undefined);
			const principal = await turn;
			if (principal === null) fail(address);
			return principal;
		},
	};

	function fail(address: string) {
		let state = addresses.get(address);
		if (state === undefined) {
			state = { failures: 0, updatedAt: now(), chain: Promise.resolve() };
			addresses.set(address, state);
			forget();
		}
		const left = budget(state);
		state.failures += 1;
		if (left >= 1) return;
		const retryAfter = Math.max(1, Math.ceil((state.failures - options.burst + 1) / refillPerMs / 1000));
		throw new AppError({
			code: "TOO_MANY_REQUESTS",
			message: `Too many failed authentication attempts from this address; retry in ${retryAfter} s`,
			retryAfter,
		});
	}
};
