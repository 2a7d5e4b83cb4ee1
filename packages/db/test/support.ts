import { reports, TenantRepository } from "@convolens/core";
import { Effect } from "effect";

/** A new account in the test database; returns its id. */
export const newAccount = (name = "Test account") =>
	Effect.gen(function* () {
		const tenants = yield* TenantRepository;
		const account = yield* tenants.createAccount({ name });
		return account.id;
	});

/** A batch of every report of the catalogue with one period input (bot reports on the seed data's `bot_01`). */
export const fullBatch = (period: Record<string, unknown>) =>
	Object.fromEntries(
		reports.map((report) => {
			const shape = report.input.shape as Record<string, unknown>;
			if ("datasetIds" in shape) return [report.id, { datasetIds: ["dataset_1"] }];
			if (!("periodDays" in shape)) return [report.id, {}];
			return [report.id, "botId" in shape ? { ...period, botId: "bot_01" } : period];
		}),
	);
