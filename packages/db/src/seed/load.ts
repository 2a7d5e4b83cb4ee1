import { IngestRepository, parseIngestBatch } from "@convolens/core";
import { Effect } from "effect";
import type { IngestBody } from "./generate.ts";

export interface LoadProgress {
	readonly items: number;
	readonly messages: number;
	readonly elapsedMs: number;
}

/**
 * Writes generated ingest bodies into an account through the ingest path, `concurrency` requests at a time (as a
 * platform with several workers would). A generated item the ingest rejects is a generator bug, so it fails loudly.
 */
export const loadBodies = Effect.fn("Seed.loadBodies")(function* (
	accountId: string,
	bodies: Iterable<IngestBody>,
	options: {
		readonly concurrency?: number;
		readonly onProgress?: (progress: LoadProgress) => void;
		/** Least time between two `onProgress` calls (default 2 s; 0: after every batch). */
		readonly progressIntervalMs?: number;
	} = {},
) {
	const ingest = yield* IngestRepository;
	const started = Date.now();
	let items = 0;
	let messages = 0;
	let lastReport = 0;
	yield* Effect.forEach(
		bodies,
		(body) =>
			Effect.gen(function* () {
				const batch = yield* parseIngestBatch(body);
				const result = yield* ingest.ingest(accountId, batch);
				if (result.errors.length > 0) {
					const first = result.errors[0]!;
					return yield* Effect.die(
						new Error(`generated data was rejected: ${first.collection}[${first.index}] ${first.id}: ${first.message}`),
					);
				}
				for (const [collection, list] of Object.entries(body)) {
					items += list?.length ?? 0;
					if (collection === "messages") messages += list?.length ?? 0;
				}
				if (options.onProgress && Date.now() - lastReport >= (options.progressIntervalMs ?? 2_000)) {
					lastReport = Date.now();
					options.onProgress({ items, messages, elapsedMs: Date.now() - started });
				}
			}),
		{ concurrency: options.concurrency ?? 1, discard: true },
	);
	return { items, messages, elapsedMs: Date.now() - started } satisfies LoadProgress;
});
