import * as Console from "effect/Console";
import * as Command from "effect/cli/Command";
import * as Flag from "effect/cli/Flag";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { withDatabase } from "./database.ts";
import { accountId, json, limits, optionalString, orUndefined, positiveInteger, scopes } from "./flags.ts";
import { makeProgress } from "./progress.ts";

/** Columns padded to their widest cell; for people (`--json` is for scripts). */
const table = <Row extends object>(rows: ReadonlyArray<Row>, columns: ReadonlyArray<keyof Row & string>) => {
	const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? "-")))];
	const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)));
	return cells
		.map((line) =>
			line
				.map((cell, index) => cell.padEnd(widths[index]!))
				.join("  ")
				.trimEnd(),
		)
		.join("\n");
};

const printJson = (value: unknown) => Console.log(JSON.stringify(value));

const migrate = Command.make("migrate", {}, () => withDatabase({ migrate: true }, () => Effect.void)).pipe(
	Command.withDescription("apply pending migrations"),
);

const seedDemo = Command.make("seed-demo", {}, () =>
	withDatabase({ migrate: true }, (modules) =>
		modules
			.seedDemo({ now: new Date() })
			.pipe(Effect.flatMap((account) => printJson({ accountId: account.id, token: account.token }))),
	),
).pipe(Command.withDescription("create a demo account with ~90 days of activity and print its token"));

const createAccount = Command.make(
	"create-account",
	{ name: Flag.String("name").pipe(Flag.withDescription("the account's name")), limits },
	(input) =>
		withDatabase({ migrate: true }, (modules) =>
			Effect.gen(function* () {
				const tenants = yield* modules.TenantRepository;
				const limitValues = orUndefined(input.limits);
				yield* printJson(
					yield* tenants.createAccount({ name: input.name, ...(limitValues ? { limits: limitValues } : {}) }),
				);
			}),
		),
).pipe(Command.withDescription("create an account; prints its id and a token with every scope (shown once)"));

const createToken = Command.make(
	"create-token",
	{ account: accountId, name: optionalString("name", "a name for the token"), scopes },
	(input) =>
		withDatabase({ migrate: false }, (modules) =>
			Effect.gen(function* () {
				const tenants = yield* modules.TenantRepository;
				const name = orUndefined(input.name);
				const tokenScopes = orUndefined(input.scopes);
				yield* printJson(
					yield* tenants.createToken(input.account, {
						...(name ? { name } : {}),
						...(tokenScopes ? { scopes: tokenScopes } : {}),
					}),
				);
			}),
		),
).pipe(Command.withDescription("issue a token for an account (shown once)"));

const revokeToken = Command.make(
	"revoke-token",
	{ id: Flag.String("id").pipe(Flag.withMetavar("tokenId"), Flag.withDescription("the token's id")) },
	(input) =>
		withDatabase({ migrate: false }, (modules) =>
			Effect.gen(function* () {
				const tenants = yield* modules.TenantRepository;
				yield* tenants.revokeToken(input.id);
				yield* printJson({ revoked: input.id });
			}),
		),
).pipe(Command.withDescription("revoke a token at once"));

const listAccounts = Command.make("list-accounts", { json }, (input) =>
	withDatabase({ migrate: false }, (modules) =>
		Effect.gen(function* () {
			const accounts = yield* modules.listAccounts();
			yield* input.json ? printJson(accounts) : Console.log(table(accounts, ["id", "name", "createdAt", "liveTokens"]));
		}),
	),
).pipe(Command.withDescription("list every account with its number of live tokens"));

const listTokens = Command.make("list-tokens", { account: accountId, json }, (input) =>
	withDatabase({ migrate: false }, (modules) =>
		Effect.gen(function* () {
			const tokens = yield* modules.listTokens(input.account);
			const rows = tokens.map((token) => ({ ...token, scopes: token.scopes.join(",") }));
			yield* input.json
				? printJson(tokens)
				: Console.log(table(rows, ["id", "name", "scopes", "createdAt", "lastUsedAt", "revokedAt"]));
		}),
	),
).pipe(Command.withDescription("list the tokens of an account, revoked ones included (never the tokens themselves)"));

const generate = Command.make(
	"generate",
	{
		account: accountId,
		messages: positiveInteger("messages", "messages to generate (exactly this many)"),
		days: positiveInteger("days", "days of activity, ending now"),
		bots: positiveInteger("bots", "bots").pipe(Flag.withDefault(50)),
		contacts: positiveInteger("contacts", "contacts").pipe(Flag.withDefault(100_000)),
		seed: positiveInteger("seed", "seed of the random draw; the same seed gives the same data").pipe(
			Flag.withDefault(1),
		),
		concurrency: positiveInteger("concurrency", "ingest batches written at a time").pipe(Flag.withDefault(2)),
		idPrefix: optionalString("id-prefix", "prefix of generated ids, so several data sets fit in one account"),
	},
	(input) =>
		withDatabase({ migrate: true }, (modules) =>
			Effect.gen(function* () {
				const prefix = orUndefined(input.idPrefix);
				const activity = modules.generateActivity({
					seed: input.seed,
					now: new Date(),
					messages: input.messages,
					days: input.days,
					bots: input.bots,
					contacts: input.contacts,
					...(prefix ? { idPrefix: prefix } : {}),
				});
				const parents = makeProgress({
					label: "bots and contacts",
					total: input.bots + input.contacts,
					unit: "items",
				});
				const loadedParents = yield* modules.loadBodies(input.account, activity.parents(), {
					onProgress: (progress) => parents.update(progress.items),
					progressIntervalMs: 0,
				});
				parents.finish(loadedParents.items);
				const messages = makeProgress({ label: "generate", total: input.messages, unit: "messages" });
				const result = yield* modules.loadBodies(input.account, activity.events(), {
					concurrency: input.concurrency,
					onProgress: (progress) => messages.update(progress.messages),
					progressIntervalMs: 0,
				});
				messages.finish(result.messages);
				yield* printJson({
					accountId: input.account,
					...result,
					messagesPerSecond: Math.round(result.messages / (result.elapsedMs / 1000)),
				});
			}),
		),
).pipe(
	Command.withDescription("load seeded synthetic activity of that size into an account through the ingest path"),
	Command.withExamples([
		{
			command: "generate --account acc_123 --messages 1000000 --days 90 --bots 50 --contacts 10000",
			description: "a million messages over 90 days",
		},
	]),
);

const recount = Command.make(
	"recount",
	{ account: accountId.pipe(Flag.withDescription("the account to recount (default: every account)"), Flag.optional) },
	(input) =>
		withDatabase({ migrate: false }, (modules) =>
			Effect.gen(function* () {
				const started = Date.now();
				let progress: ReturnType<typeof makeProgress> | undefined;
				const accounts = Option.isSome(input.account) ? [input.account.value] : undefined;
				const recounted = yield* modules.recountRollups(accounts, {
					// Called with 0 done once the accounts are known, then after each.
					onAccount: (done, total) => {
						progress ??= makeProgress({ label: "recount", total, unit: "accounts" });
						progress.update(done);
					},
				});
				progress?.finish(recounted.length);
				yield* printJson({ recounted, elapsedMs: Date.now() - started });
			}),
		),
).pipe(Command.withDescription("recompute the rollups reports read from the raw rows (one account, or every account)"));

export const cli = Command.make("convolens").pipe(
	Command.withDescription(
		"Operate a Convolens database: DATABASE_URL, or the embedded PostgreSQL under .data/ (joined when the server is running).",
	),
	Command.withSubcommands([
		migrate,
		seedDemo,
		createAccount,
		createToken,
		revokeToken,
		listAccounts,
		listTokens,
		generate,
		recount,
	]),
);
