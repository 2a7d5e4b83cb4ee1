import { ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseLayerServices, makeDatabaseLayer, TenantRepository } from "../src/layer.ts";
import { accountsDueForEvaluation, applyEvaluation, createWebhook } from "../src/repositories/webhooks.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.ts";

/**
 * The periodic webhook evaluation's work list: what each API process evaluates on its timer. An account evaluated
 * recently, by any process, is not due, so processes share the work instead of repeating it.
 */
describe("accounts due for webhook evaluation", () => {
	let database: TestDatabase;
	let runtime: ManagedRuntime.ManagedRuntime<DatabaseLayerServices, unknown>;

	beforeAll(async () => {
		database = await createTestDatabase();
		runtime = ManagedRuntime.make(makeDatabaseLayer({ url: database.url, poolSize: 2 }));
	});
	afterAll(async () => {
		await runtime?.dispose();
		await database?.drop();
	});

	it("lists accounts with a webhook whose last evaluation started before the bound, and only those", async () => {
		const create = (name: string) =>
			runtime.runPromise(TenantRepository.use((tenants) => tenants.createAccount({ name })));
		const [evaluated, waiting, without] = await Promise.all([create("A"), create("B"), create("C")]);
		for (const account of [evaluated, waiting]) {
			const webhook = await runtime.runPromise(
				createWebhook({ accountId: account.id, url: "https://example.com/hook", maxPerAccount: 10 }),
			);
			expect(webhook?.id).toBeDefined();
		}
		const due = async (beforeMs: number) => [...(await runtime.runPromise(accountsDueForEvaluation(beforeMs)))].sort();
		const now = Date.now();

		// Never evaluated: both accounts with a webhook are due; the one without a webhook never is.
		expect(await due(now)).toEqual([evaluated.id, waiting.id].sort());

		await runtime.runPromise(applyEvaluation({ accountId: evaluated.id, startedAtMs: now, raised: [], nowMs: now }));
		expect(await due(now - 1_000)).toEqual([waiting.id]);
		expect(await due(now)).toEqual([waiting.id]);
		expect(await due(now + 1)).toEqual([evaluated.id, waiting.id].sort());
		expect(await due(now + 1)).not.toContain(without.id);
	});
});
