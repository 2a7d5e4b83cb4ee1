/**
 * Per-token token bucket: `burst` requests at once, refilled at `perMinute / 60` per second. In-process, so each
 * replica limits on its own; generous by default, because its purpose is to stop a runaway client, not to bill.
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
	readonly take: (key: string) => RateLimitDecision;
}

export const defaultRateLimit: RateLimitOptions = { perMinute: 1200, burst: 200 };

export const createRateLimiter = (options: RateLimitOptions, now: () => number = Date.now): RateLimiter => {
	const capacity = Math.max(1, options.burst ?? options.perMinute);
	const refillPerMs = options.perMinute / 60_000;
	const buckets = new Map<string, { tokens: number; updatedAt: number }>();
	return {
		take(key) {
			const at = now();
			const bucket = buckets.get(key) ?? { tokens: capacity, updatedAt: at };
			bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.updatedAt) * refillPerMs);
			bucket.updatedAt = at;
			buckets.set(key, bucket);
			const allowed = bucket.tokens >= 1;
			if (allowed) bucket.tokens -= 1;
			const state = {
				limit: capacity,
				remaining: Math.floor(bucket.tokens),
				resetSeconds: Math.ceil((capacity - bucket.tokens) / refillPerMs / 1000),
			};
			if (allowed) return { allowed: true, ...state };
			if (buckets.size > 10_000) {
				for (const [other, entry] of buckets) if (entry.tokens >= capacity) buckets.delete(other);
			}
			return {
				allowed: false,
				retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)),
				...state,
			};
		},
	};
};
