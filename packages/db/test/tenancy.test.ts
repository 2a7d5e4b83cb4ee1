import { createHash } from "node:crypto";
import { ResourceNotFound, TenantRepository } from "@convolens/core";
import { assert, layer } from "@effect/vitest";
import { Effect, Option } from "effect";
import { Database } from "../src/database.ts";
import { testDatabaseLayer } from "../src/testing/index.ts";

layer(testDatabaseLayer(), { timeout: "120 seconds" })("tenancy", (it) => {
	it.effect("creates an account with a token holding every scope, stored only as its SHA-256", () =>
		Effect.gen(function* () {
			const tenants = yield* TenantRepository;
			const account = yield* tenants.createAccount({ name: "Acme", limits: { files: 10 } });
			assert.match(account.id, /^acc_[A-Za-z0-9_-]+$/);
			assert.match(account.token, /^cvl_[A-Za-z0-9_-]{43}$/);
			assert.strictEqual(account.name, "Acme");

			const { query } = yield* Database;
			const tokens = yield* query<{ hash: string; scopes: Array<string> }>(
				"SELECT hash, scopes FROM api_token WHERE account_id = $1",
				[account.id],
			);
			assert.strictEqual(tokens.length, 1);
			assert.strictEqual(tokens[0]!.hash, createHash("sha256").update(account.token).digest("hex"));
			assert.deepStrictEqual(tokens[0]!.scopes, ["reports:read", "ingest:write", "webhooks:write"]);
			// The token itself appears in no column of any row.
			const leaked = yield* query("SELECT 1 FROM api_token t WHERE t::text LIKE '%' || $1 || '%'", [account.token]);
			assert.strictEqual(leaked.length, 0);
			const limits = yield* query<{ limit_files: number; limit_records: number | null }>(
				"SELECT limit_files, limit_records FROM account WHERE id = $1",
				[account.id],
			);
			assert.deepStrictEqual(limits, [{ limit_files: 10, limit_records: null }]);

			const principal = yield* tenants.authenticate(account.token);
			assert.deepStrictEqual(Option.getOrUndefined(principal)?.accountId, account.id);
			assert.deepStrictEqual(Option.getOrUndefined(principal)?.scopes, [
				"reports:read",
				"ingest:write",
				"webhooks:write",
			]);
		}),
	);

	it.effect("authenticates nothing for an unknown or altered token", () =>
		Effect.gen(function* () {
			const tenants = yield* TenantRepository;
			const account = yield* tenants.createAccount({ name: "Acme" });
			assert.isTrue(Option.isNone(yield* tenants.authenticate(`${account.token}x`)));
			assert.isTrue(Option.isNone(yield* tenants.authenticate("")));
			assert.isTrue(Option.isNone(yield* tenants.authenticate(account.token.slice(0, -1))));
		}),
	);

	it.effect("issues further tokens with chosen scopes and revokes one at once, leaving the others", () =>
		Effect.gen(function* () {
			const tenants = yield* TenantRepository;
			const account = yield* tenants.createAccount({ name: "Acme" });
			const reader = yield* tenants.createToken(account.id, { name: "dashboard", scopes: ["reports:read"] });
			const principal = Option.getOrThrow(yield* tenants.authenticate(reader.token));
			assert.deepStrictEqual(principal.scopes, ["reports:read"]);
			assert.strictEqual(principal.tokenId, reader.id);

			yield* tenants.revokeToken(reader.id);
			assert.isTrue(Option.isNone(yield* tenants.authenticate(reader.token)));
			assert.isTrue(Option.isSome(yield* tenants.authenticate(account.token)));
			// Revoking twice is harmless; an unknown token is NOT_FOUND.
			yield* tenants.revokeToken(reader.id);
			const missing = yield* Effect.flip(tenants.revokeToken("tok_missing"));
			assert.instanceOf(missing, ResourceNotFound);
		}),
	);

	it.effect("refuses a token for an account that does not exist", () =>
		Effect.gen(function* () {
			const tenants = yield* TenantRepository;
			const error = yield* Effect.flip(tenants.createToken("acc_missing", {}));
			assert.instanceOf(error, ResourceNotFound);
		}),
	);

	it.effect("records when a token was last used", () =>
		Effect.gen(function* () {
			const tenants = yield* TenantRepository;
			const { query } = yield* Database;
			const account = yield* tenants.createAccount({ name: "Acme" });
			const before = yield* query<{ last_used_at: Date | null }>(
				"SELECT last_used_at FROM api_token WHERE account_id = $1",
				[account.id],
			);
			assert.isNull(before[0]!.last_used_at);
			yield* tenants.authenticate(account.token);
			const after = yield* query<{ last_used_at: Date | null }>(
				"SELECT last_used_at FROM api_token WHERE account_id = $1",
				[account.id],
			);
			assert.isNotNull(after[0]!.last_used_at);
		}),
	);
});
