import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { scopes as allScopes, type Principal, ResourceNotFound, type Scope, TenantRepository } from "@convolens/core";
import { Effect, Layer, Option } from "effect";
import { Database, toStorageError as storage } from "../database.ts";
import { Account } from "../entities/account.entity.ts";
import { ApiToken } from "../entities/api-token.entity.ts";

/** Hex SHA-256 of a token: the only form in which a token is stored. */
export const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

const randomId = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString("base64url")}`;

/** `cvl_` + 32 random bytes (base64url): 256 bits, so a SHA-256 lookup is as good as a password hash. */
const newToken = () => randomId("cvl_", 32);

/** `last_used_at` is refreshed at most once a minute, so authentication is usually a single read. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const tenantRepositoryLayer = Layer.effect(
	TenantRepository,
	Effect.gen(function* () {
		const { orm, query } = yield* Database;

		const storeToken = (accountId: string, name: string | null, scopes: ReadonlyArray<Scope>) =>
			Effect.gen(function* () {
				const id = randomId("tok_", 16);
				const token = newToken();
				yield* Effect.tryPromise({
					try: () =>
						orm.em.fork().insert(ApiToken, {
							account: accountId,
							id,
							name,
							hash: hashToken(token),
							scopes: [...new Set(scopes)],
							createdAt: new Date(),
						}),
					catch: (cause) => cause,
				});
				return { id, token };
			});

		const createAccount = Effect.fn("TenantRepository.createAccount")(function* (input: {
			readonly name: string;
			readonly limits?: Partial<{
				datasets: number | null;
				records: number | null;
				skillsets: number | null;
				abilities: number | null;
				files: number | null;
			}>;
		}) {
			const id = randomId("acc_", 12);
			const limits = input.limits ?? {};
			const token = yield* Effect.tryPromise({
				try: () =>
					orm.em.fork().transactional(async (em) => {
						await em.insert(Account, {
							id,
							name: input.name,
							createdAt: new Date(),
							limitDatasets: limits.datasets ?? null,
							limitRecords: limits.records ?? null,
							limitSkillsets: limits.skillsets ?? null,
							limitAbilities: limits.abilities ?? null,
							limitFiles: limits.files ?? null,
						});
						const tokenId = randomId("tok_", 16);
						const secret = newToken();
						await em.insert(ApiToken, {
							account: id,
							id: tokenId,
							name: "default",
							hash: hashToken(secret),
							scopes: [...allScopes],
							createdAt: new Date(),
						});
						return secret;
					}),
				catch: (cause) => cause,
			}).pipe(Effect.mapError(storage("create the account")));
			return { id, name: input.name, token };
		});

		const createToken = Effect.fn("TenantRepository.createToken")(function* (
			accountId: string,
			input: { readonly name?: string; readonly scopes?: ReadonlyArray<Scope> },
		) {
			const exists = yield* query("SELECT 1 FROM account WHERE id = $1", [accountId]);
			if (exists.length === 0) {
				return yield* new ResourceNotFound({ message: "Account not found", resource: "account" });
			}
			return yield* storeToken(accountId, input.name ?? null, input.scopes ?? allScopes).pipe(
				Effect.mapError(storage("create the token")),
			);
		});

		const revokeToken = Effect.fn("TenantRepository.revokeToken")(function* (tokenId: string) {
			const rows = yield* query(
				"UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id",
				[tokenId],
			);
			if (rows.length === 0) return yield* new ResourceNotFound({ message: "Token not found", resource: "token" });
		});

		const authenticate = Effect.fn("TenantRepository.authenticate")(function* (token: string) {
			const hash = hashToken(token);
			const rows = yield* query<{
				account_id: string;
				id: string;
				hash: string;
				scopes: Array<string>;
				last_used_at: Date | null;
			}>(
				`SELECT account_id, id, hash, scopes, last_used_at FROM api_token
				WHERE hash = $1 AND revoked_at IS NULL`,
				[hash],
			);
			const row = rows[0];
			if (!row || !timingSafeEqual(Buffer.from(row.hash, "hex"), Buffer.from(hash, "hex"))) return Option.none();
			const lastUsed = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
			if (Date.now() - lastUsed >= LAST_USED_RESOLUTION_MS) {
				yield* query("UPDATE api_token SET last_used_at = now() WHERE account_id = $1 AND id = $2", [
					row.account_id,
					row.id,
				]);
			}
			const principal: Principal = {
				accountId: row.account_id,
				tokenId: row.id,
				scopes: allScopes.filter((scope) => row.scopes.includes(scope)),
			};
			return Option.some(principal);
		});

		return TenantRepository.of({ createAccount, createToken, revokeToken, authenticate });
	}),
);
