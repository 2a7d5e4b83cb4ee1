import { TenantRepository } from "@convolens/core";
import { Effect } from "effect";
import { generateActivity, generateResources } from "./generate.ts";
import { loadBodies } from "./load.ts";

/** Limits of the demo account: set so that the files limit sits at a warning level in the Alerts report. */
export const demoLimits = { datasets: 5, records: 5_000, skillsets: 3, abilities: 20, files: 12 } as const;

/**
 * Creates a demo account with about 90 days of realistic activity up to `now`: 6 bots, 600 contacts, ~5,000
 * conversations and ~40,000 user/bot/activity messages with tokens and named actions, ratings of both signs with
 * reasons, and datasets with records. Returns the account id and its token (shown once).
 */
export const seedDemo = Effect.fn("Seed.demo")(function* (options: { readonly now: Date; readonly seed?: number }) {
	const tenants = yield* TenantRepository;
	const account = yield* tenants.createAccount({ name: "Demo", limits: demoLimits });
	const seed = options.seed ?? 20_261_124;
	yield* loadBodies(
		account.id,
		generateResources({
			seed,
			now: options.now,
			datasets: 3,
			recordsPerDataset: 500,
			skillsets: 2,
			abilities: 6,
			files: 10,
		}),
	);
	const activity = generateActivity({
		seed,
		now: options.now,
		days: 90,
		messages: 40_000,
		bots: 6,
		contacts: 600,
		messagesPerConversation: 8,
	});
	yield* loadBodies(account.id, activity.parents());
	yield* loadBodies(account.id, activity.events(), { concurrency: 2 });
	return account;
});
