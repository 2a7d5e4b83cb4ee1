import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Scope, TenantRepository } from "@convolens/core";
import { makeDatabaseLayer } from "@convolens/db";
import { createTestDatabase } from "@convolens/db/testing";
import { ManagedRuntime } from "effect";
import type { AuthThrottleOptions } from "../src/http/auth-throttle.ts";
import type { Logger } from "../src/http/logger.ts";
import type { RateLimitOptions } from "../src/http/rate-limit.ts";
import type { WorkLimitOptions } from "../src/http/work-limit.ts";
import type { LiveReportOptions } from "../src/live/live-reports.ts";
import type { AppRuntime } from "../src/runtime.ts";
import { createServer } from "../src/server.ts";
import type { WebhookOptions } from "../src/webhooks/engine.ts";

export interface LogLine {
	readonly level: string;
	readonly message: string;
	readonly fields: Record<string, unknown>;
}

/** A logger that keeps every line, so tests can assert on what is (and is not) logged. */
export const memoryLogger = () => {
	const lines: Array<LogLine> = [];
	const at =
		(level: string) =>
		(message: string, fields: Record<string, unknown> = {}) =>
			void lines.push({ level, message, fields });
	const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
	return { logger, lines };
};

export interface TestServer {
	readonly baseUrl: string;
	readonly databaseUrl: string;
	readonly server: Server;
	readonly runtime: AppRuntime;
	readonly lines: ReadonlyArray<LogLine>;
	/** A new account with one token of the given scopes (default both). */
	readonly createAccount: (
		name: string,
		scopes?: ReadonlyArray<Scope>,
	) => Promise<{ readonly accountId: string; readonly token: string; readonly tokenId?: string }>;
	readonly createToken: (accountId: string, scopes: ReadonlyArray<Scope>) => Promise<{ id: string; token: string }>;
	readonly revokeToken: (tokenId: string) => Promise<void>;
	/** Stops the server and its runtime but keeps the database (a process that exits). */
	readonly stop: () => Promise<void>;
	readonly close: () => Promise<void>;
}

/** The real server over this test file's own migrated PostgreSQL database, listening on a free port. */
export const startTestServer = async (
	options: {
		readonly adminToken?: string;
		readonly rateLimit?: RateLimitOptions | false;
		readonly requestTimeoutMs?: number;
		readonly workLimit?: WorkLimitOptions | false;
		readonly authThrottle?: AuthThrottleOptions;
		readonly metricsToken?: string;
		readonly live?: LiveReportOptions;
		readonly rateLimitStore?: "postgres" | "memory";
		readonly webhooks?: WebhookOptions | false;
		/** Another server over the same database (a second API process), instead of a new database. */
		readonly databaseUrl?: string;
	} = {},
): Promise<TestServer> => {
	const database =
		options.databaseUrl === undefined
			? await createTestDatabase()
			: { url: options.databaseUrl, drop: async () => undefined };
	const runtime: AppRuntime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 4 }));
	const { logger, lines } = memoryLogger();
	const server = createServer({
		runtime,
		logger,
		adminToken: options.adminToken,
		rateLimit: options.rateLimit ?? false,
		...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
		...(options.workLimit === undefined ? {} : { workLimit: options.workLimit }),
		...(options.authThrottle === undefined ? {} : { authThrottle: options.authThrottle }),
		...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
		...(options.live === undefined ? {} : { live: options.live }),
		...(options.rateLimitStore === undefined ? {} : { rateLimitStore: options.rateLimitStore }),
		...(options.webhooks === undefined ? {} : { webhooks: options.webhooks }),
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;

	const createToken = (accountId: string, scopes: ReadonlyArray<Scope>) =>
		runtime.runPromise(TenantRepository.use((tenants) => tenants.createToken(accountId, { name: "test", scopes })));

	let stopped: Promise<void> | undefined;
	const stop = () => {
		stopped ??= (async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await runtime.dispose();
		})();
		return stopped;
	};

	return {
		baseUrl: `http://127.0.0.1:${port}`,
		databaseUrl: database.url,
		server,
		runtime,
		lines,
		createAccount: async (name, scopes) => {
			const account = await runtime.runPromise(TenantRepository.use((tenants) => tenants.createAccount({ name })));
			if (scopes === undefined) return { accountId: account.id, token: account.token };
			const token = await createToken(account.id, scopes);
			return { accountId: account.id, token: token.token, tokenId: token.id };
		},
		createToken,
		revokeToken: (tokenId) => runtime.runPromise(TenantRepository.use((tenants) => tenants.revokeToken(tokenId))),
		stop,
		close: async () => {
			await stop();
			await database.drop();
		},
	};
};

/** `fetch` with a bearer token and a JSON body; answers status, headers and the parsed body. */
export const call = async (
	baseUrl: string,
	path: string,
	options: {
		readonly token?: string;
		readonly method?: string;
		readonly body?: unknown;
		readonly rawBody?: string | Buffer;
		readonly headers?: Record<string, string>;
	} = {},
) => {
	const headers: Record<string, string> = { ...options.headers };
	if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
	let body: string | Buffer | undefined;
	if (options.rawBody !== undefined) body = options.rawBody;
	else if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers["content-type"] = "application/json";
	}
	const response = await fetch(`${baseUrl}${path}`, {
		method: options.method ?? (body === undefined ? "GET" : "POST"),
		headers,
		...(body === undefined ? {} : { body: new Uint8Array(typeof body === "string" ? Buffer.from(body) : body) }),
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json: json as Record<string, unknown> };
};

export interface StreamEvent {
	readonly event: string;
	readonly data: string;
	/** When the event was read (ms), for the coalescing check. */
	readonly at: number;
}

/** A server-sent event stream read event by event (RFC-style `field: value` lines, blank line between events). */
export const readStream = (response: Response) => {
	const events: Array<StreamEvent> = [];
	const comments: Array<string> = [];
	const waiters: Array<() => void> = [];
	let ended = false;
	const pump = async () => {
		const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
		let buffer = "";
		try {
			for (;;) {
				const { value, done } = await reader.read();
				if (done) break;
				buffer += value;
				for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
					const block = buffer.slice(0, end);
					buffer = buffer.slice(end + 2);
					let event = "message";
					const data: Array<string> = [];
					for (const line of block.split("\n")) {
						if (line.startsWith(":")) comments.push(line.slice(1).trim());
						else if (line.startsWith("event:")) event = line.slice(6).trim();
						else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
					}
					if (data.length > 0) events.push({ event, data: data.join("\n"), at: Date.now() });
					for (const wake of waiters.splice(0)) wake();
				}
			}
		} catch {
			// The test aborted the request.
		} finally {
			ended = true;
			for (const wake of waiters.splice(0)) wake();
		}
	};
	void pump();
	/** Waits until at least `count` events arrived (or the stream ended, or `deadlineMs` passed). */
	const until = async (count: number, deadlineMs = 15_000) => {
		const deadline = Date.now() + deadlineMs;
		while (events.length < count && !ended && Date.now() < deadline) {
			await new Promise<void>((resolve) => {
				waiters.push(resolve);
				setTimeout(resolve, 100);
			});
		}
		return events;
	};
	return { events, comments, until, ended: () => ended };
};

const staleSocketCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);
const plainFetch = globalThis.fetch;

/**
 * `fetch` (used by `call` and the tRPC client), sent again when a reused keep-alive socket turns out to be closed:
 * the server's keep-alive timeout can fire between the client picking an idle socket and writing to it. The server
 * only closes idle sockets, so such a request never reached a handler.
 */
export const fetchRetryingStaleSockets: typeof fetch = async (input, init) => {
	for (let attempt = 1; ; attempt++) {
		try {
			return await plainFetch(input, init);
		} catch (error) {
			const code = (error as { cause?: { code?: unknown } }).cause?.code;
			if (attempt >= 3 || typeof code !== "string" || !staleSocketCodes.has(code)) throw error;
		}
	}
};
