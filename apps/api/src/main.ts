/**
 * The composition root, run by `npm start`: picks the database (DATABASE_URL, else an embedded PostgreSQL under
 * `.data/`), migrates it, seeds a demo account into an empty one, builds the one ManagedRuntime and serves HTTP.
 * SIGTERM/SIGINT drain in-flight requests, dispose the runtime (closing the pool) and stop the embedded server.
 *
 * Environment: every variable is listed, with its default, in the README.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Database, makeDatabaseLayer, runMigrations, seedDemo, startEmbeddedPostgres } from "@convolens/db";
import { Effect, Layer, ManagedRuntime } from "effect";
import { createLogger, parseLogLevel } from "./http/logger.ts";
import type { AppRuntime } from "./runtime.ts";
import { closeGracefully, createServer } from "./server.ts";
import { tracingLayer } from "./tracing.ts";

const env = process.env;
const logger = createLogger({ level: parseLogLevel(env.LOG_LEVEL) });
const repoRoot = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const dataDir = path.resolve(env.DATA_DIR ?? path.join(repoRoot, ".data"));
const demoTokenFile = path.join(dataDir, "demo-token");

const flag = (value: string | undefined, fallback: boolean) =>
	value === undefined || value === "" ? fallback : !["false", "0", "no", "off"].includes(value.toLowerCase());

const integer = (name: string, fallback: number, min: number, max: number): number => {
	const raw = env[name];
	if (raw === undefined || raw === "") return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
	}
	return value;
};

/**
 * `DATABASE_REPLICA_URLS`: comma-separated PostgreSQL URLs of streaming replicas of the primary. A
 * malformed one stops the start; the message names its position, never the URL (it holds a password).
 */
const replicaUrlsOf = (raw: string | undefined): ReadonlyArray<string> => {
	const urls = (raw ?? "")
		.split(",")
		.map((url) => url.trim())
		.filter((url) => url !== "");
	for (const [index, url] of urls.entries()) {
		if (!URL.canParse(url) || !/^postgres(ql)?:$/.test(new URL(url).protocol)) {
			throw new Error(`DATABASE_REPLICA_URLS: entry ${index + 1} is not a postgres:// URL`);
		}
	}
	return urls;
};

const hasAccounts = Database.use((database) =>
	database.query<{ present: boolean }>("SELECT EXISTS (SELECT 1 FROM account) AS present"),
).pipe(Effect.map((rows) => rows[0]?.present === true));

const main = async () => {
	const port = integer("PORT", 3000, 0, 65_535);
	const rateLimitPerMinute = integer("RATE_LIMIT_PER_MINUTE", 1200, 0, 10_000_000);
	const rateLimitStore = env.RATE_LIMIT_STORE?.trim() || "postgres";
	if (rateLimitStore !== "postgres" && rateLimitStore !== "memory") {
		throw new Error(`RATE_LIMIT_STORE must be postgres or memory (got "${rateLimitStore}")`);
	}
	const reportWorkPerAccount = integer("REPORT_WORK_PER_ACCOUNT", 200, 0, 1_000_000);
	const watchesPerAccount = integer("WATCHES_PER_ACCOUNT", 20, 0, 100_000);
	const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
	if (otlpEndpoint !== undefined && !/^https?:\/\/[^/]/.test(otlpEndpoint)) {
		throw new Error("OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, e.g. http://localhost:4318");
	}
	const maxConnections = integer("MAX_CONNECTIONS", 1_000, 1, 1_000_000);
	// With the embedded database this is a demo on someone's machine: only that machine may reach it, unless HOST
	// says otherwise. With DATABASE_URL it is a deployment (a container, a VM) and listens on every interface.
	const host = env.HOST?.trim() || (env.DATABASE_URL ? undefined : "127.0.0.1");
	const requestTimeoutMs = integer("REQUEST_TIMEOUT_MS", 30_000, 1_000, 600_000);
	const corsOrigins = env.CORS_ORIGINS?.trim();
	const cachedRequests = integer("RESULT_CACHE_REQUESTS", 256, 0, 100_000);
	const cachedCalls = integer("RESULT_CACHE_CALLS", 4_096, 0, 1_000_000);
	const replicaUrls = replicaUrlsOf(env.DATABASE_REPLICA_URLS);
	// Webhook URLs on loopback and private networks are for development and tests only.
	const webhookAllowPrivate = flag(env.WEBHOOK_ALLOW_PRIVATE, false);
	const adminToken = env.ADMIN_TOKEN || undefined;
	// The admin token opens every tenant: one short enough to guess is refused before anything starts.
	if (adminToken !== undefined && adminToken.length < 32) {
		throw new Error(
			`ADMIN_TOKEN must be at least 32 characters (got ${adminToken.length}); e.g. ADMIN_TOKEN=$(openssl rand -hex 32)`,
		);
	}

	let stopEmbedded = async () => {};
	let url = env.DATABASE_URL;
	if (!url) {
		const pgDir = path.join(dataDir, "postgres");
		logger.info("starting embedded PostgreSQL", { dataDir: pgDir });
		const embedded = await startEmbeddedPostgres({ dataDir: pgDir });
		url = embedded.url;
		stopEmbedded = embedded.stop;
	}

	let runtime: AppRuntime | undefined;
	const cleanUp = async () => {
		await runtime
			?.dispose()
			.catch((error: unknown) => logger.error("disposing the runtime failed", { error: String(error) }));
		await stopEmbedded().catch((error: unknown) =>
			logger.error("stopping PostgreSQL failed", { error: String(error) }),
		);
	};

	try {
		if (flag(env.AUTO_MIGRATE, true)) {
			const applied = await runMigrations(url);
			logger.info("migrations applied", { count: applied.length, names: applied });
		}
		const databaseLayer = makeDatabaseLayer({
			url,
			replicaUrls,
			resultCache: cachedRequests === 0 && cachedCalls === 0 ? false : { requests: cachedRequests, calls: cachedCalls },
		});
		// With a collector named, every request, report program and SQL statement is a span sent over OTLP.
		runtime = ManagedRuntime.make(
			otlpEndpoint === undefined
				? databaseLayer
				: Layer.merge(
						databaseLayer,
						tracingLayer({ endpoint: otlpEndpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || "convolens" }),
					),
		);
		if (otlpEndpoint !== undefined)
			logger.info("traces exported over OTLP", { endpoint: new URL(otlpEndpoint).origin });
		// Build the layer now, so a bad database fails the start instead of the first request.
		await runtime.runPromise(Database.use((database) => database.ping));
		if (replicaUrls.length > 0) logger.info("reports read streaming replicas", { replicas: replicaUrls.length });

		let demoToken: string | undefined;
		if (flag(env.SEED_DEMO, true) && !(await runtime.runPromise(hasAccounts))) {
			logger.info("empty database: seeding the demo account");
			const account = await runtime.runPromise(seedDemo({ now: new Date() }));
			await mkdir(dataDir, { recursive: true });
			await writeFile(demoTokenFile, `${account.token}\n`, { mode: 0o600 });
			await chmod(demoTokenFile, 0o600);
			demoToken = account.token;
			logger.info("demo account created", { accountId: account.id });
		} else if (existsSync(demoTokenFile)) {
			demoToken = (await readFile(demoTokenFile, "utf8")).trim() || undefined;
		}

		const server = createServer({
			runtime,
			adminToken,
			metricsToken: env.METRICS_TOKEN || undefined,
			logger,
			rateLimit:
				rateLimitPerMinute === 0
					? false
					: { perMinute: rateLimitPerMinute, burst: Math.max(1, Math.ceil(rateLimitPerMinute / 6)) },
			rateLimitStore,
			requestTimeoutMs,
			workLimit: reportWorkPerAccount === 0 ? false : { capacity: reportWorkPerAccount, queueMs: 2_000 },
			demoToken,
			live: { perAccount: watchesPerAccount },
			tracing: otlpEndpoint !== undefined,
			webhooks: { allowPrivate: webhookAllowPrivate },
			...(corsOrigins
				? { cors: { origins: corsOrigins === "*" ? "*" : corsOrigins.split(",").map((o) => o.trim()) } }
				: {}),
		});
		await new Promise<void>((resolve, reject) => {
			server.once("error", reject);
			server.maxConnections = maxConnections;
			server.listen(port, host, () => resolve());
		});
		const address = server.address() as AddressInfo;
		const baseUrl = `http://localhost:${address.port}`;
		// The banner is for the person who ran `npm start`; the structured log above never carries a token.
		process.stdout.write(
			`\nConvolens is running at ${baseUrl}\n  Dashboard      ${baseUrl}/\n  API reference  ${baseUrl}/docs\n  OpenAPI        ${baseUrl}/api/v1/openapi.json\n` +
				(demoToken
					? `  Demo token     ${demoToken}\n                 (stored in ${path.relative(repoRoot, demoTokenFile) || demoTokenFile})\n`
					: "") +
				"\n",
		);

		logger.info("listening", { port: address.port, host: host ?? "all interfaces" });

		let shuttingDown = false;
		const shutdown = (signal: string) => {
			if (shuttingDown) return;
			shuttingDown = true;
			logger.info("shutting down", { signal });
			void closeGracefully(server)
				.then(cleanUp)
				.then(() => {
					logger.info("stopped");
					process.exit(0);
				});
		};
		process.on("SIGTERM", () => shutdown("SIGTERM"));
		process.on("SIGINT", () => shutdown("SIGINT"));
	} catch (error) {
		logger.error("start failed", { error: error instanceof Error ? error.message : String(error) });
		await cleanUp();
		process.exit(1);
	}
};

// A setting refused before anything started (bad number, short ADMIN_TOKEN): one clear line, exit 1.
await main().catch((error: unknown) => {
	logger.error("start failed", { error: error instanceof Error ? error.message : String(error) });
	process.exit(1);
});
