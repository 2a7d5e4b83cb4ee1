import { parseArgs } from "node:util";
import { type IngestRepository, scopes as knownScopes, type Scope, TenantRepository } from "@convolens/core";
import { Effect, ManagedRuntime } from "effect";
import type { Database } from "../database.ts";

// The database modules (MikroORM, pg, embedded PostgreSQL) load only once the arguments are known to be valid, so a
// usage error answers at once.
const database = () =>
	Promise.all([
		import("../layer.ts"),
		import("../migrate.ts"),
		import("../service-database.ts"),
		import("../seed/demo.ts"),
		import("../seed/generate.ts"),
		import("../seed/load.ts"),
		import("../recount.ts"),
	]).then(([layer, migrate, service, demo, generate, load, recount]) => ({
		...layer,
		...migrate,
		...service,
		...demo,
		...generate,
		...load,
		...recount,
	}));

const usage = `Usage: npm run cli -- <command> [options]

  migrate                                   apply pending migrations
  seed-demo                                 create a demo account with ~90 days of activity
  create-account --name <name> [--limits <json>]
  create-token --account <id> [--name <name>] [--scopes reports:read,ingest:write,webhooks:write]
  revoke-token --id <tokenId>
  generate --account <id> --messages <N> --days <D> [--bots 50] [--contacts 100000] [--seed 1]
           [--concurrency 2] [--id-prefix <p>]
  recount [--account <id>]                  recompute the rollups from the raw rows (every account by default)

Uses DATABASE_URL, or the embedded PostgreSQL under .data/ (joined when the server is running).`;

class UsageError extends Error {}

const positiveInteger = (value: string | undefined, name: string, fallback?: number) => {
	if (value === undefined) {
		if (fallback !== undefined) return fallback;
		throw new UsageError(`--${name} is required`);
	}
	const number = Number(value);
	if (!Number.isSafeInteger(number) || number <= 0) throw new UsageError(`--${name} must be a positive integer`);
	return number;
};

const required = (value: string | undefined, name: string) => {
	if (!value) throw new UsageError(`--${name} is required`);
	return value;
};

const parseScopes = (value: string | undefined): Array<Scope> | undefined => {
	if (value === undefined) return undefined;
	const list = value.split(",").map((scope) => scope.trim());
	for (const scope of list) {
		if (!(knownScopes as ReadonlyArray<string>).includes(scope)) {
			throw new UsageError(`unknown scope '${scope}' (known: ${knownScopes.join(", ")})`);
		}
	}
	return list as Array<Scope>;
};

const parseLimits = (value: string | undefined) => {
	if (value === undefined) return undefined;
	let limits: unknown;
	try {
		limits = JSON.parse(value);
	} catch {
		throw new UsageError("--limits must be JSON, e.g. '{\"files\": 10}'");
	}
	if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
		throw new UsageError("--limits must be a JSON object");
	}
	for (const [key, limit] of Object.entries(limits)) {
		if (!["datasets", "records", "skillsets", "abilities", "files"].includes(key)) {
			throw new UsageError(`--limits: unknown limit '${key}'`);
		}
		if (limit !== null && !(Number.isSafeInteger(limit) && (limit as number) >= 0)) {
			throw new UsageError(`--limits: '${key}' must be a non-negative integer or null`);
		}
	}
	return limits as Record<string, number | null>;
};

const parseCommandLine = () => {
	try {
		return parseArgs({
			allowPositionals: true,
			options: {
				name: { type: "string" },
				limits: { type: "string" },
				account: { type: "string" },
				scopes: { type: "string" },
				id: { type: "string" },
				messages: { type: "string" },
				days: { type: "string" },
				bots: { type: "string" },
				contacts: { type: "string" },
				seed: { type: "string" },
				concurrency: { type: "string" },
				"id-prefix": { type: "string" },
				help: { type: "boolean", short: "h" },
			},
		});
	} catch (error) {
		// Unknown options and missing option values are usage errors, like any other bad argument.
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
};

const main = async () => {
	const { positionals, values } = parseCommandLine();
	const command = positionals[0];
	if (!command || values.help) {
		console.log(usage);
		return command ? 0 : 2;
	}

	// Validate every argument before touching the database.
	type Modules = Awaited<ReturnType<typeof database>>;
	let program: (modules: Modules) => Effect.Effect<unknown, unknown, TenantRepository | IngestRepository | Database>;
	switch (command) {
		case "migrate":
			program = () => Effect.void;
			break;
		case "seed-demo":
			program = (modules) =>
				Effect.gen(function* () {
					const account = yield* modules.seedDemo({ now: new Date() });
					console.log(JSON.stringify({ accountId: account.id, token: account.token }));
				});
			break;
		case "create-account": {
			const name = required(values.name, "name");
			const limits = parseLimits(values.limits);
			program = () =>
				Effect.gen(function* () {
					const tenants = yield* TenantRepository;
					const account = yield* tenants.createAccount({ name, ...(limits ? { limits } : {}) });
					console.log(JSON.stringify(account));
				});
			break;
		}
		case "create-token": {
			const accountId = required(values.account, "account");
			const scopes = parseScopes(values.scopes);
			program = () =>
				Effect.gen(function* () {
					const tenants = yield* TenantRepository;
					const token = yield* tenants.createToken(accountId, {
						...(values.name ? { name: values.name } : {}),
						...(scopes ? { scopes } : {}),
					});
					console.log(JSON.stringify(token));
				});
			break;
		}
		case "revoke-token": {
			const id = required(values.id, "id");
			program = () =>
				Effect.gen(function* () {
					const tenants = yield* TenantRepository;
					yield* tenants.revokeToken(id);
					console.log(JSON.stringify({ revoked: id }));
				});
			break;
		}
		case "generate": {
			const accountId = required(values.account, "account");
			const options = {
				seed: positiveInteger(values.seed, "seed", 1),
				now: new Date(),
				messages: positiveInteger(values.messages, "messages"),
				days: positiveInteger(values.days, "days"),
				bots: positiveInteger(values.bots, "bots", 50),
				contacts: positiveInteger(values.contacts, "contacts", 100_000),
				...(values["id-prefix"] ? { idPrefix: values["id-prefix"] } : {}),
			};
			const concurrency = positiveInteger(values.concurrency, "concurrency", 2);
			program = (modules) =>
				Effect.gen(function* () {
					const activity = modules.generateActivity(options);
					yield* modules.loadBodies(accountId, activity.parents());
					const result = yield* modules.loadBodies(accountId, activity.events(), {
						concurrency,
						onProgress: (progress) =>
							console.error(
								`  ${progress.messages.toLocaleString("en")} messages, ${Math.round(progress.messages / (progress.elapsedMs / 1000)).toLocaleString("en")}/s`,
							),
					});
					console.log(
						JSON.stringify({
							accountId,
							...result,
							messagesPerSecond: Math.round(result.messages / (result.elapsedMs / 1000)),
						}),
					);
				});
			break;
		}
		case "recount": {
			const accounts = values.account === undefined ? undefined : [required(values.account, "account")];
			program = (modules) =>
				Effect.gen(function* () {
					const started = Date.now();
					const recounted = yield* modules.recountRollups(accounts);
					console.log(JSON.stringify({ recounted, elapsedMs: Date.now() - started }));
				});
			break;
		}
		default:
			throw new UsageError(`unknown command '${command}'`);
	}

	const modules = await database();
	const service = await modules.openServiceDatabase();
	console.error(`database: ${service.source}`);
	try {
		await modules.runMigrations(service.url);
		const runtime = ManagedRuntime.make(modules.makeDatabaseLayer({ url: service.url }));
		try {
			await runtime.runPromise(program(modules));
		} finally {
			await runtime.dispose();
		}
	} finally {
		await service.stop();
	}
	return 0;
};

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		if (error instanceof UsageError) {
			console.error(`error: ${error.message}\n\n${usage}`);
			process.exit(2);
		}
		console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	},
);
