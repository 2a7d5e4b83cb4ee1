/**
 * Per-token token bucket: `burst` requests at once, refilled at `perMinute / 60` per second; generous by default,
 * because its purpose is to stop a runaway client, not to bill. Two stores: in the process (`createRateLimiter`,
 * each process limits on its own) and in PostgreSQL (`createSharedRateLimiter`, one bucket per token for every API
 * process on the database — the server's default).
 */
export interface RateLimitOptions {
	readonly perMinute: number;
	readonly burst?: number;
}

export type RateLimitDecision = (
	| { readonly allowed: true }
	| { readonly allowed: false; readonly retryAfterSeconds: number }
) & {
	/** The bucket's size, what is left of it after this request, and the seconds until it is full again. */
	readonly limit: number;
	readonly remaining: number;
	readonly resetSeconds: number;
};

/** The `RateLimit-*` headers of a decision (IETF draft "RateLimit header fields for HTTP"). */
export const rateLimitHeaders = (decision: RateLimitDecision): Record<string, string> => ({
	"ratelimit-limit": String(decision.limit),
	"ratelimit-remaining": String(decision.remaining),
	"ratelimit-reset": String(decision.resetSeconds),
});

export interface RateLimiter {
	/** Takes one request from the token's bucket. */
	readonly take: (accountId: string, tokenId: string) => Promise<RateLimitDecision>;
}

/** What a bucket holds after a take, and whether the take found a whole request's worth. */
export interface BucketState {
	readonly allowed: boolean;
	readonly tokens: number;
}

/** The decision and headers of a take that left `tokens` in a bucket of `capacity` refilling at `refillPerMs`. */
const decide = ({ allowed, tokens }: BucketState, capacity: number, refillPerMs: number): RateLimitDecision => {
	const state = {
		limit: capacity,
		remaining: Math.floor(tokens),
		resetSeconds: Math.ceil((capacity - tokens) / refillPerMs / 1000),
	};
	if (allowed) return { allowed: true, ...state };
	return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000)), ...state };
};

const bucketOf = (options: RateLimitOptions) => ({
	capacity: Math.max(1, options.burst ?? options.perMinute),
	refillPerMs: options.perMinute / 60_000,
});

/**
 * The bucket kept in PostgreSQL: `take` is one statement on the account's row (`rate_limit_bucket`), which refills
 * and takes atomically, so concurrent requests through any number of processes never take more than the bucket
 * holds. The instant is the process's clock (machines behind one database are assumed NTP-synchronised; a skew only
 * shifts the refill by that much). A failing store lets the request through: a rate limit must not turn a database
 * hiccup into refused traffic, and the request itself will meet the database next.
 */
export const createSharedRateLimiter = (
	options: RateLimitOptions,
	take: (key: {
		readonly accountId: string;
		readonly tokenId: string;
		readonly capacity: number;
		readonly refillPerMs: number;
		readonly nowMs: number;
	}) => Promise<BucketState>,
	now: () => number = Date.now,
): RateLimiter => {
	const { capacity, refillPerMs } = bucketOf(options);
	return {
		take: async (accountId, tokenId) => {
			const state = await take({ accountId, tokenId, capacity, refillPerMs, nowMs: now() }).catch(() => ({
				allowed: true,
				tokens: capacity,
			}));
			return decide(state, capacity, refillPerMs);
		},
	};
};

export const defaultRateLimit: RateLimitOptions = { perMinute: 1200, burst: 200 };

/** The bucket kept in this process's memory: each process limits on its own. */
export const createRateLimiter = (options: RateLimitOptions, now: () => number = Date.now): RateLimiter => {
	const { capacity, refillPerMs } = bucketOf(options);
	const buckets = new Map<string, { tokens: number; updatedAt: number }>();
	const takeNow = (tokenId: string): RateLimitDecision => {
		const at = now();
		const bucket = buckets.get(tokenId) ?? { tokens: capacity, updatedAt: at };
		bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updatedAt) * refillPerMs);
		bucket.updatedAt = at;
		buckets.set(tokenId, bucket);
		const allowed = bucket.tokens >= 1;
		if (allowed) bucket.tokens -= 1;
		if (!allowed && buckets.size > 10_000) {
			for (const [other, entry] of buckets) if (entry.tokens >= capacity) buckets.delete(other);
		}
		return decide({ allowed, tokens: bucket.tokens }, capacity, refillPerMs);
	};
	return { take: async (_accountId, tokenId) => takeNow(tokenId) };
};
