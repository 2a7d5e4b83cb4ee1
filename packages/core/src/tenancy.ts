import { Context, type Effect, type Option } from "effect";
import type { ResourceNotFound, StorageError } from "./errors.ts";
import type { AccountLimits } from "./rows.ts";

export const scopes = ["reports:read", "ingest:write", "webhooks:write"] as const;
export type Scope = (typeof scopes)[number];

export interface Principal {
	readonly accountId: string;
	readonly tokenId: string;
	readonly scopes: ReadonlyArray<Scope>;
}

/** Accounts and API tokens. Tokens are returned once, at creation; only their hash is stored. */
export class TenantRepository extends Context.Service<
	TenantRepository,
	{
		readonly createAccount: (input: {
			readonly name: string;
			readonly limits?: Partial<AccountLimits>;
		}) => Effect.Effect<{ readonly id: string; readonly name: string; readonly token: string }, StorageError>;
		readonly createToken: (
			accountId: string,
			input: { readonly name?: string; readonly scopes?: ReadonlyArray<Scope> },
		) => Effect.Effect<{ readonly id: string; readonly token: string }, StorageError | ResourceNotFound>;
		readonly revokeToken: (tokenId: string) => Effect.Effect<void, StorageError | ResourceNotFound>;
		/** The principal of a live (not revoked) token; updates `last_used_at` at most once a minute. */
		readonly authenticate: (token: string) => Effect.Effect<Option.Option<Principal>, StorageError>;
	}
>()("@convolens/core/TenantRepository") {}
