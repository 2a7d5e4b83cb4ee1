import { TenantRepository } from "@convolens/core";
import { Effect } from "effect";

/** A new account in the test database; returns its id. */
export const newAccount = (name = "Test account") =>
	Effect.gen(function* () {
		const tenants = yield* TenantRepository;
		const account = yield* tenants.createAccount({ name });
		return account.id;
	});

export const iso = (value: string) => new Date(value).toISOString();
