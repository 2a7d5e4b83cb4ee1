import type { Principal, Scope } from "@convolens/core";
import { initTRPC } from "@trpc/server";
import { AppError, toWireError } from "../errors.ts";
import { type RateLimiter, rateLimitHeaders } from "../http/rate-limit.ts";
import type { WorkLimiter } from "../http/work-limit.ts";
import type { LiveReports } from "../live/live-reports.ts";
import type { AppRuntime } from "../runtime.ts";
import type { WebhookEngine } from "../webhooks/engine.ts";

/** What every procedure sees. Built once per HTTP request (tRPC and REST alike). */
export interface AppContext {
	/** The authenticated token's principal, or null when the request carried no valid token. */
	readonly principal: Principal | null;
	readonly runtime: AppRuntime;
	/** The `X-Timezone` header, used when a report input has no `timezone`. */
	readonly timezone: string | undefined;
	readonly requestId: string;
	/** Aborted when the client goes away or the request times out. */
	readonly signal?: AbortSignal | undefined;
	readonly rateLimiter?: RateLimiter | undefined;
	/** Sets a header of the HTTP answer (before it is written): the `RateLimit-*` headers of an authenticated call. */
	readonly setHeader?: ((name: string, value: string) => void) | undefined;
	/**
	 * The scope this request was already admitted for (checked and counted against the rate limit before its body
	 * was read, as the REST adapter does); the procedure does not count it again.
	 */
	readonly admitted?: Scope | undefined;
	/** Bounds each account's report work in flight; unbounded when absent. */
	readonly workLimiter?: WorkLimiter | undefined;
	/** Live reports (`reports.watch` and the REST event stream); refused when absent. */
	readonly live?: LiveReports | undefined;
	/** Alert webhooks (contract §8.3): URL checks and the evaluation scheduled after an ingest; off when absent. */
	readonly webhooks?: WebhookEngine | undefined;
}

/** What a client can narrow on: `error.data.tag` (the typed error) and `error.data.wireCode`. */
export interface AppErrorData {
	readonly wireCode: string;
	readonly tag: string | null;
	readonly field: string | null;
}

const t = initTRPC.context<AppContext>().create({
	isDev: false,
	// Subscriptions (`reports.watch`) ping every 15 s so proxies keep the stream open, as the REST stream does.
	sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
	errorFormatter({ shape, error }) {
		const wire = toWireError(error);
		const data: AppErrorData = { wireCode: wire.code, tag: wire.tag ?? null, field: wire.field ?? null };
		return { ...shape, message: wire.message, data: { ...shape.data, ...data } };
	},
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Checks that the request's token has `scope` (401 without a token, 403 without the scope) and takes one request
 * from the token's rate limit (429 past it), setting the `RateLimit-*` headers. Returns the principal.
 */
export const admitScope = async (ctx: AppContext, scope: Scope): Promise<Principal> => {
	const principal = ctx.principal;
	if (principal === null) {
		throw new AppError({ code: "NOT_AUTHENTICATED", message: "A valid API token is required" });
	}
	if (!principal.scopes.includes(scope)) {
		throw new AppError({ code: "NOT_AUTHORIZED", message: `This token lacks the ${scope} scope` });
	}
	const limit = await ctx.rateLimiter?.take(principal.accountId, principal.tokenId);
	if (limit !== undefined) {
		for (const [name, value] of Object.entries(rateLimitHeaders(limit))) ctx.setHeader?.(name, value);
	}
	if (limit !== undefined && !limit.allowed) {
		throw new AppError({
			code: "TOO_MANY_REQUESTS",
			message: `Rate limit exceeded, retry in ${limit.retryAfterSeconds} s`,
			retryAfter: limit.retryAfterSeconds,
		});
	}
	return principal;
};

const requireScope = (scope: Scope) =>
	t.middleware(async ({ ctx, next }) => {
		const principal = ctx.admitted === scope && ctx.principal !== null ? ctx.principal : await admitScope(ctx, scope);
		return next({ ctx: { ...ctx, principal } });
	});

export const reportsProcedure = t.procedure.use(requireScope("reports:read"));

/**
 * Runs report work once the account's work limiter has room for `cost` units (see `http/work-limit.ts`); a request
 * that found none within the queue time is `429` with `Retry-After`.
 */
export const withinWorkLimit = async <A>(
	ctx: AppContext & { readonly principal: Principal },
	cost: number,
	work: () => Promise<A>,
): Promise<A> => {
	if (ctx.workLimiter === undefined) return work();
	const admission = await ctx.workLimiter.admit(ctx.principal.accountId, cost, ctx.signal);
	if (!admission.admitted) {
		throw new AppError({
			code: "TOO_MANY_REQUESTS",
			message: "This account has too much report work in flight; retry in 1 s",
			retryAfter: 1,
		});
	}
	try {
		return await work();
	} finally {
		admission.release();
	}
};
export const ingestProcedure = t.procedure.use(requireScope("ingest:write"));
export const webhooksProcedure = t.procedure.use(requireScope("webhooks:write"));
