import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { StorageError, statusOfCode, TenantRepository } from "@convolens/core";
import {
	acquireLease,
	Database,
	noteAccountChanged,
	readDataVersion,
	releaseLease,
	renewLeases,
	takeRateLimit,
} from "@convolens/db";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { Effect, Exit, Option } from "effect";
import { createDocsHandler } from "./docs-handler.ts";
import { AppError, toWireError } from "./errors.ts";
import {
	type AuthThrottle,
	type AuthThrottleOptions,
	createAuthThrottle,
	defaultAuthThrottle,
} from "./http/auth-throttle.ts";
import { MiB, sendBody, sendJson, sendWireError } from "./http/io.ts";
import { createLogger, type Logger } from "./http/logger.ts";
import { recordRequest, routeLabel, scrape } from "./http/metrics.ts";
import {
	createRateLimiter,
	createSharedRateLimiter,
	defaultRateLimit,
	type RateLimiter,
	type RateLimitOptions,
} from "./http/rate-limit.ts";
import { createLeaseKeeper, type LeaseKeeper } from "./http/shared-leases.ts";
import {
	createSharedWorkLimiter,
	createWorkLimiter,
	defaultWorkLimit,
	type WorkLimiter,
	type WorkLimitOptions,
} from "./http/work-limit.ts";
import { createChangeFeed } from "./live/change-feed.ts";
import type { LiveReportOptions, LiveReports } from "./live/live-reports.ts";
import { createMemoryWatchLimiter, createSharedWatchLimiter, type WatchLimiter } from "./live/watch-limit.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { adminTokenMatches, handleAdmin, isAdminPath } from "./rest/admin.ts";
import { handleRest, REPORT_BODY_LIMIT, wantsEventStream } from "./rest/reports.ts";
import { handleWebhooks, isWebhookPath } from "./rest/webhooks.ts";
import { type AppRuntime, runProgram } from "./runtime.ts";
import { endRequestSpan, noteRequestAccount, openRequestSpan } from "./tracing.ts";
import type { AppContext } from "./trpc/init.ts";
import { appRouter, MAX_BATCH_REPORTS } from "./trpc/router.ts";
import { createWebHandler } from "./web.ts";
import { createWebhookEngine, type WebhookEngine, type WebhookOptions } from "./webhooks/engine.ts";

interface CorsOptions {
	/** Allowed origins; `"*"` allows any (without credentials). */
	readonly origins: ReadonlyArray<string> | "*";
}

export interface ServerOptions {
	readonly runtime: AppRuntime;
	/** Enables the admin API; unset → admin routes answer 404. */
	readonly adminToken?: string | undefined;
	readonly logger?: Logger;
	/** Per-token request rate; `false` disables it. Default 1,200 a minute with bursts of 200. */
	readonly rateLimit?: RateLimitOptions | false;
	/**
	 * Where the rate limit's buckets live: `postgres` (default) shares them between every API process on the
	 * database; `memory` keeps them in this process (each process then allows the full rate).
	 */
	readonly rateLimitStore?: "postgres" | "memory";
	/** Failed authentication per client address (see `http/auth-throttle.ts`). Default 20 at once, 30 a minute. */
	readonly authThrottle?: AuthThrottleOptions;
	/** Report work in flight per account (see `http/work-limit.ts`); `false` leaves it unbounded. */
	readonly workLimit?: WorkLimitOptions | false;
	/** CORS for browser callers; off when omitted. */
	readonly cors?: CorsOptions;
	/** A request still running after this long is answered 504 and its work interrupted. Default 30 s. */
	readonly requestTimeoutMs?: number;
	/**
	 * How long a token lookup may take before the request answers 503: the first database call of every request, so
	 * an unresponsive database fails requests fast instead of at the request timeout. Default 5 s.
	 */
	readonly authTimeoutMs?: number;
	/** How long `/readyz` waits for the database ping. Default 2 s. */
	readonly readinessTimeoutMs?: number;
	/** The dashboard's built assets, served at `/`; default `apps/web/dist`. */
	readonly webDir?: string;
	/** Guards `GET /metrics` when set (a bearer token); the route is open otherwise. */
	readonly metricsToken?: string | undefined;
	/** The demo account's token, offered to loopback browsers at `GET /api/demo-token` (see web.ts). */
	readonly demoToken?: string | undefined;
	/**
	 * Opens an `http.request` span per request, parent of the request's programs (contract §11); set when the
	 * runtime exports traces (`tracingLayer`).
	 */
	readonly tracing?: boolean;
	/** Live reports (contract §8.1); the watch limit lives where `rateLimitStore` says. */
	readonly live?: LiveReportOptions;
	/** Alert webhooks (contract §8.3): evaluation and delivery timing, private addresses; `false` turns them off. */
	readonly webhooks?: WebhookOptions | false;
}

const securityHeaders = {
	"x-content-type-options": "nosniff",
	"x-frame-options": "DENY",
	"referrer-policy": "no-referrer",
	"cross-origin-opener-policy": "same-origin",
	"content-security-policy": "default-src 'none'; frame-ancestors 'none'",
	"cache-control": "no-store",
} as const;

const requestIdPattern = /^[A-Za-z0-9._-]{1,128}$/;

const bearerToken = (header: string | undefined): string | undefined => {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
	return match?.[1];
};

/** Strips the optional `/api` prefix: `/api/v1/...` and `/v1/...` are the same route. */
const restPath = (pathname: string): string | undefined => {
	const path = pathname.startsWith("/api/") ? pathname.slice(4) : pathname;
	return path === "/v1" || path.startsWith("/v1/") ? path.replace(/\/+$/, "") || "/" : undefined;
};

/** Every tRPC procedure path, for the route labels of `/metrics`. */
const procedureNames: ReadonlySet<string> = new Set(Object.keys(appRouter._def.procedures));

export const createServer = (options: ServerOptions): http.Server => {
	const logger = options.logger ?? createLogger();
	const runtime = options.runtime;
	const rateLimiter: RateLimiter | undefined =
		options.rateLimit === false
			? undefined
			: options.rateLimitStore === "memory"
				? createRateLimiter(options.rateLimit ?? defaultRateLimit)
				: createSharedRateLimiter(options.rateLimit ?? defaultRateLimit, (key) =>
						runtime.runPromise(takeRateLimit(key)),
					);
	const authThrottle: AuthThrottle = createAuthThrottle(options.authThrottle ?? defaultAuthThrottle);
	// Shared limits (watches, report work) are leases in PostgreSQL unless the limits are kept per process.
	const leases: LeaseKeeper | undefined =
		options.rateLimitStore === "memory"
			? undefined
			: createLeaseKeeper(
					{
						acquire: (lease) => runtime.runPromise(acquireLease(lease)),
						renew: (accountId, ids, expiresAtMs) => runtime.runPromise(renewLeases(accountId, ids, expiresAtMs)),
						release: (accountId, id) => runtime.runPromise(releaseLease(accountId, id)),
					},
					{ onError: (error) => logger.warn("shared limit store", { error: describe(error) }) },
				);
	const workLimiter: WorkLimiter | undefined =
		options.workLimit === false
			? undefined
			: leases === undefined
				? createWorkLimiter(options.workLimit ?? defaultWorkLimit)
				: createSharedWorkLimiter(options.workLimit ?? defaultWorkLimit, leases, (error) =>
						logger.warn("report work limit store", { error: describe(error) }),
					);
	const live = createLive(options, logger, leases);
	const webhooks: WebhookEngine | undefined =
		options.webhooks === false ? undefined : createWebhookEngine(runtime, logger, options.webhooks ?? {});
	const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
	const readinessTimeoutMs = options.readinessTimeoutMs ?? 2_000;
	const authTimeoutMs = options.authTimeoutMs ?? 5_000;
	const contexts = new WeakMap<IncomingMessage, AppContext>();
	let openApiDocument: string | undefined;
	const serveDocs = createDocsHandler(buildOpenApiDocument);
	const serveWeb = createWebHandler({ dir: options.webDir, demoToken: options.demoToken });

	const trpcHandler = createHTTPHandler({
		router: appRouter,
		basePath: "/trpc/",
		allowMethodOverride: true,
		maxBodySize: 10 * MiB,
		// As many calls as the REST batch has keys: a batch of calls is one request, bounded the same way.
		maxBatchSize: MAX_BATCH_REPORTS,
		createContext: ({ req }) => {
			const context = contexts.get(req);
			if (context === undefined) throw new AppError({ code: "INTERNAL_SERVER_ERROR" });
			return context;
		},
		responseMeta: ({ errors, info }) => {
			const headers: Record<string, string> = {};
			const limited = errors.find((error) => error instanceof AppError && error.retryAfter !== undefined);
			if (limited instanceof AppError) headers["retry-after"] = String(limited.retryAfter);
			// A request rejected before tRPC could read it (unsupported content type, unreadable body) still answers
			// a JSON error body, but tRPC sets no content type for it.
			if (info === undefined && errors.length > 0) headers["content-type"] = "application/json";
			// The rest of an oversized body is not worth reading: the connection closes after the answer.
			if (errors.some((error) => error.code === "PAYLOAD_TOO_LARGE")) headers.connection = "close";
			return { headers };
		},
		onError: ({ error, path }) => {
			if (toWireError(error).status >= 500) logger.error("procedure failed", { path, error: describe(error) });
		},
	});

	const authenticate = async (req: IncomingMessage, signal: AbortSignal) => {
		const token = bearerToken(req.headers.authorization) ?? subscriptionToken(req);
		if (token === undefined) return null;
		const lookup = TenantRepository.use((tenants) => tenants.authenticate(token)).pipe(
			Effect.timeoutOrElse({
				duration: authTimeoutMs,
				orElse: () => Effect.fail(new StorageError({ message: "The database did not answer in time" })),
			}),
		);
		const address = req.socket.remoteAddress ?? "unknown";
		return authThrottle.check(address, async () => Option.getOrNull(await runProgram(runtime, lookup, signal)));
	};

	const contextFor = async (
		req: IncomingMessage,
		res: ServerResponse,
		requestId: string,
		signal: AbortSignal,
	): Promise<AppContext> => {
		const timezoneHeader = req.headers["x-timezone"];
		const timezone =
			typeof timezoneHeader === "string" && timezoneHeader.trim() !== "" ? timezoneHeader.trim() : undefined;
		const principal = await authenticate(req, signal);
		if (principal !== null) noteRequestAccount(signal, principal.accountId);
		return {
			principal,
			runtime,
			timezone,
			requestId,
			signal,
			rateLimiter,
			workLimiter,
			live: live.reports,
			webhooks,
			setHeader: (name, value) => {
				if (!res.headersSent) res.setHeader(name, value);
			},
		};
	};

	const applyCors = (req: IncomingMessage, res: ServerResponse) => {
		const cors = options.cors;
		const origin = req.headers.origin;
		if (cors === undefined || origin === undefined) return;
		if (cors.origins === "*") res.setHeader("access-control-allow-origin", "*");
		else if (cors.origins.includes(origin)) {
			res.setHeader("access-control-allow-origin", origin);
			res.setHeader("vary", "Origin");
		} else return;
		res.setHeader("access-control-allow-headers", "authorization, content-type, x-timezone, x-request-id, trpc-accept");
		res.setHeader("access-control-allow-methods", "GET, POST, DELETE, OPTIONS");
		res.setHeader(
			"access-control-expose-headers",
			"x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset",
		);
		res.setHeader("access-control-max-age", "600");
	};

	/** Ready when one database round trip succeeds within the readiness timeout. */
	const ready = async (): Promise<boolean> => {
		const ping = Database.use((database) => database.ping).pipe(Effect.timeout(readinessTimeoutMs));
		return Exit.isSuccess(await runtime.runPromiseExit(ping));
	};

	const route = async (req: IncomingMessage, res: ServerResponse, requestId: string, signal: AbortSignal) => {
		const method = req.method ?? "GET";
		const url = new URL(req.url ?? "/", "http://localhost");
		const pathname = url.pathname;

		if (pathname === "/healthz" && (method === "GET" || method === "HEAD")) {
			sendJson(res, 200, { status: "ok" });
			return;
		}
		if (pathname === "/readyz" && (method === "GET" || method === "HEAD")) {
			if (await ready()) sendJson(res, 200, { status: "ready" });
			else {
				logger.warn("not ready", { requestId });
				sendJson(res, 503, { message: "The database is not reachable", code: "SERVICE_UNAVAILABLE" });
			}
			return;
		}
		if (pathname === "/metrics" && method === "GET") {
			// With METRICS_TOKEN set, a scraper names it as a bearer token; without, the route is open (bind the
			// server to a private network, or set the token).
			if (options.metricsToken !== undefined && !adminTokenMatches(options.metricsToken, req.headers.authorization)) {
				throw new AppError({ code: "NOT_AUTHENTICATED", message: "A valid metrics token is required" });
			}
			const pool = await runtime.runPromise(Database.use((database) => Effect.succeed(database.pool)));
			const text = await scrape(pool);
			sendBody(res, 200, text, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
			return;
		}
		if ((pathname === "/api/v1/openapi.json" || pathname === "/v1/openapi.json") && method === "GET") {
			openApiDocument ??= JSON.stringify(buildOpenApiDocument());
			sendBody(res, 200, openApiDocument, { "content-type": "application/json; charset=utf-8" });
			return;
		}
		if ((pathname === "/docs" || pathname.startsWith("/docs/")) && (await serveDocs(req, res, method, pathname))) {
			return;
		}
		if (pathname === "/trpc" || pathname.startsWith("/trpc/")) {
			// Report calls take the REST adapter's body limit (ingest keeps tRPC's 10 MiB): a batch of report inputs
			// needs no more, and the limit is checked before the body is read.
			const procedures = pathname.slice("/trpc/".length).replaceAll("%2C", ",").replaceAll("%2c", ",").split(",");
			const declared = Number(req.headers["content-length"] ?? 0);
			if (procedures.every((name) => name.startsWith("reports.")) && declared > REPORT_BODY_LIMIT) {
				throw new AppError({
					code: "CONTENT_TOO_LARGE",
					message: `Report calls take at most ${REPORT_BODY_LIMIT / 1024} KiB`,
				});
			}
			contexts.set(req, await contextFor(req, res, requestId, signal));
			trpcHandler(req, res);
			return;
		}
		const path = restPath(pathname);
		if (path !== undefined && isAdminPath(path)) {
			await handleAdmin({
				req,
				res,
				method,
				path,
				runtime,
				adminToken: options.adminToken,
				signal,
				authThrottle,
				logger,
			});
			return;
		}
		if (path !== undefined) {
			const context = await contextFor(req, res, requestId, signal);
			contexts.set(req, context);
			const request = { req, res, method, path, query: url.searchParams, context };
			await (isWebhookPath(path) ? handleWebhooks(request) : handleRest(request));
			return;
		}
		if (await serveWeb(req, res, method, pathname)) return;
		throw new AppError({ code: "NOT_FOUND", message: `No route for ${method} ${pathname}` });
	};

	const server = http.createServer(async (req, res) => {
		const started = performance.now();
		const incomingId = req.headers["x-request-id"];
		const requestId = typeof incomingId === "string" && requestIdPattern.test(incomingId) ? incomingId : randomUUID();
		const abort = new AbortController();
		const span = options.tracing
			? await openRequestSpan(runtime, abort.signal, {
					"http.request.method": req.method ?? "GET",
					"url.path": (req.url ?? "/").split("?")[0],
					"convolens.request_id": requestId,
				})
			: undefined;
		res.setHeader("x-request-id", requestId);
		for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
		applyCors(req, res);

		// A live report streams until its client leaves: the request timeout bounds ordinary calls only.
		const timer = setTimeout(() => {
			if (isLiveRequest(req)) return;
			abort.abort();
			if (!res.headersSent) {
				sendWireError(res, {
					status: statusOfCode.TIMEOUT,
					code: "TIMEOUT",
					message: "The request did not finish in time",
				});
			}
		}, requestTimeoutMs);
		res.on("close", () => {
			clearTimeout(timer);
			recordRequest(
				routeLabel((req.url ?? "/").split("?")[0] ?? "/", procedureNames),
				req.method ?? "GET",
				res.statusCode,
				(performance.now() - started) / 1000,
			);
			if (!res.writableFinished) abort.abort();
			const status = res.statusCode;
			if (span !== undefined) endRequestSpan(runtime, span, status);
			const accountId = contexts.get(req)?.principal?.accountId;
			const fields = {
				requestId,
				method: req.method,
				path: (req.url ?? "/").split("?")[0],
				status,
				durationMs: Math.round((performance.now() - started) * 10) / 10,
				...(accountId === undefined ? {} : { accountId }),
				...(res.writableFinished ? {} : { aborted: true }),
			};
			if (status >= 500) logger.warn("request", fields);
			else logger.info("request", fields);
		});

		if (req.method === "OPTIONS") {
			res.writeHead(204);
			res.end();
			return;
		}
		try {
			await route(req, res, requestId, abort.signal);
		} catch (error) {
			const wire = toWireError(error);
			if (wire.status >= 500) logger.error("request failed", { requestId, error: describe(error) });
			const headers: Record<string, string> =
				error instanceof AppError && error.retryAfter !== undefined ? { "retry-after": String(error.retryAfter) } : {};
			if (wire.status === 413) headers.connection = "close";
			if (error instanceof AppError && error.allow !== undefined) headers.allow = error.allow;
			sendWireError(res, wire, headers);
		}
	});
	// Requests Node rejects before any handler runs (malformed, headers too large) answer the same JSON error body
	// as every other refusal, instead of an empty one.
	server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
		if (!socket.writable) {
			socket.destroy();
			return;
		}
		const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
		const status = tooLarge ? 431 : 400;
		const body = JSON.stringify({
			message: tooLarge ? "The request headers are too large" : "The request is not valid HTTP",
			code: "BAD_REQUEST",
		});
		socket.end(
			`HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
				`content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
		);
	});
	const stopBackgroundWork = () => {
		live.close();
		webhooks?.close();
	};
	drainHooks.set(server, stopBackgroundWork);
	if (webhooks !== undefined) webhookEngines.set(server, webhooks);
	server.on("close", stopBackgroundWork);
	server.requestTimeout = requestTimeoutMs + 5_000;
	server.headersTimeout = 20_000;
	server.keepAliveTimeout = 5_000;
	return server;
};

/**
 * Stops accepting connections and resolves once every in-flight request has finished. Idle keep-alive connections
 * close at once; connections still open after `forceAfterMs` are cut.
 */
export const closeGracefully = (server: http.Server, forceAfterMs = 10_000): Promise<void> =>
	new Promise((resolve) => {
		// Open live reports end first, so their connections become idle and close like the others.
		drainHooks.get(server)?.();
		const force = setTimeout(() => server.closeAllConnections(), forceAfterMs);
		// A keep-alive connection becomes idle once its in-flight response is sent: close it then, not at its timeout.
		const sweep = setInterval(() => server.closeIdleConnections(), 50);
		force.unref();
		sweep.unref();
		server.close(() => {
			clearTimeout(force);
			clearInterval(sweep);
			resolve();
		});
		server.closeIdleConnections();
	});

/** An error for the log: name, message and cause chain, never request data. */
const describe = (error: unknown): Record<string, unknown> => {
	if (!(error instanceof Error)) return { value: String(error) };
	const cause = (error as { cause?: unknown }).cause;
	return {
		name: error.name,
		message: error.message,
		...(error.stack === undefined ? {} : { stack: error.stack }),
		...(cause === undefined ? {} : { cause: describe(cause) }),
	};
};

const webhookEngines = new WeakMap<http.Server, WebhookEngine>();

/** The server's alert-webhook engine (for the CLI and tests that evaluate an account on demand). */
export const webhookEngineOf = (server: http.Server): WebhookEngine | undefined => webhookEngines.get(server);

/** What `closeGracefully` runs first for each server: ends its live reports and its webhook loops. */
const drainHooks = new WeakMap<http.Server, () => void>();

const watchPath = /^\/trpc\/reports\.watch\/?$/;

/** A live report: the tRPC subscription, or the REST batch asked for as an event stream. */
const isLiveRequest = (req: IncomingMessage): boolean => {
	const pathname = (req.url ?? "/").split("?")[0] ?? "/";
	if (watchPath.test(pathname)) return true;
	return req.method === "POST" && restPath(pathname) === "/v1/platform/report/generate" && wantsEventStream(req);
};

/**
 * The token of a tRPC subscription opened by a browser's `EventSource`, which cannot send headers: tRPC's
 * `httpSubscriptionLink` passes `connectionParams` (here `{ "token": "..." }`) in the query string instead. Only the
 * subscription route reads it; every other route takes the `Authorization` header alone.
 */
const subscriptionToken = (req: IncomingMessage): string | undefined => {
	const url = new URL(req.url ?? "/", "http://localhost");
	if (req.method !== "GET" || !watchPath.test(url.pathname)) return undefined;
	const raw = url.searchParams.get("connectionParams");
	if (raw === null) return undefined;
	try {
		const token = (JSON.parse(raw) as { token?: unknown } | null)?.token;
		return typeof token === "string" && token !== "" ? token : undefined;
	} catch {
		return undefined;
	}
};

/** The server's live reports: one change feed and one watch limiter, closed with the server. */
const createLive = (
	options: ServerOptions,
	logger: Logger,
	leases: LeaseKeeper | undefined,
): { reports: LiveReports; close: () => void } => {
	const runtime = options.runtime;
	const settings = options.live ?? {};
	const onError = (error: unknown) => logger.warn("live report", { error: describe(error) });
	const perAccount = settings.perAccount ?? 20;
	const limiter: WatchLimiter =
		leases === undefined ? createMemoryWatchLimiter({ perAccount }) : createSharedWatchLimiter({ perAccount }, leases);
	const readVersion = (accountId: string) => runtime.runPromise(readDataVersion(accountId));
	const feed = createChangeFeed({
		readVersion,
		pollMs: settings.pollMs ?? 250,
		beforeNotify: (accountId) => runtime.runPromise(noteAccountChanged(accountId)),
		onError,
	});
	const closing = new AbortController();
	return {
		reports: {
			feed,
			limiter,
			readVersion,
			minIntervalMs: settings.minIntervalMs ?? 1_000,
			heartbeatMs: settings.heartbeatMs ?? 15_000,
			closing: closing.signal,
			onError,
		},
		close: () => {
			closing.abort();
			feed.close();
			limiter.close();
			leases?.close();
		},
	};
};
