import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import {
	type AccountLimits,
	scopes as allScopes,
	type Principal,
	ResourceNotFound,
	type Scope,
	TenantRepository,
} from "@convolens/core";
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

		/** A new token for the account: the row to store (hash only) and the token to hand out once. */
		const issueToken = (accountId: string, name: string | null, scopes: ReadonlyArray<Scope>) => {
			const id = randomId("tok_", 16);
			const token = newToken();
			const row = {
				account: accountId,
				id,
				name,
				hash: hashToken(token),
				scopes: allScopes.filter((scope) => scopes.includes(scope)),
				createdAt: new Date(),
			};
			return { id, token, row };
		};

		const createAccount = Effect.fn("TenantRepository.createAccount")(function* (input: {
			readonly name: string;
			readonly limits?: Partial<AccountLimits>;
		}) {
			const id = randomId("acc_", 12);
			const limits = input.limits ?? {};
			const issued = issueToken(id, "default", allScopes);
			yield* Effect.tryPromise({
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
						await em.insert(ApiToken, issued.row);
					}),
				catch: storage("create the account"),
			});
			return { id, name: input.name, token: issued.token };
		});

		const createToken = Effect.fn("TenantRepository.createToken")(function* (
			accountId: string,
			input: { readonly name?: string; readonly scopes?: ReadonlyArray<Scope> },
		) {
			const exists = yield* query("SELECT 1 FROM account WHERE id = $1", [accountId]);
			if (exists.length === 0) {
				return yield* new ResourceNotFound({ message: "Account not found", resource: "account" });
			}
			const issued = issueToken(accountId, input.name ?? null, input.scopes ?? allScopes);
			yield* Effect.tryPromise({
				try: () => orm.em.fork().insert(ApiToken, issued.row),
				catch: storage("create the token"),
			});
			return { id: issued.id, token: issued.token };
		});

		const revokeToken = Effect.fn("TenantRepository.revokeToken")(function* (tokenId: string) {
			const rows = yield* query(
				// `least` keeps the first revocation (it ignores NULL); the instant is a parameter because a distributed
				// database refuses `now()` inside `coalesce`.
				"UPDATE api_token SET revoked_at = least(revoked_at, $2::timestamptz) WHERE id = $1 RETURNING id",
				[tokenId, new Date()],
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
				{ prepared: true },
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
