import { Effect } from "effect";
import { z } from "zod";
import { ResourceNotFound } from "../errors.ts";
import { AccountRepository } from "../repositories.ts";
import { CATALOGUE_CREATED_AT, CATALOGUE_UPDATED_AT, defineReport } from "./shared.ts";

/**
 * Dataset Records — record counts of the requested datasets. Duplicate ids are counted once; the breakdown keeps
 * the order of first mention. Ids not in the caller's account go to `notFound`; when none of the ids is in the
 * account the report fails with NOT_FOUND ("Dataset not found"), worded the same whether the ids exist elsewhere.
 */
export const DatasetRecords = defineReport({
	id: "cm7k3m5n8k000008jq7h9e5b1a",
	name: "Dataset Records",
	description: "Number of records in each of the given datasets.",
	category: "resources",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: z.object({
		datasetIds: z
			.array(
				z
					.string()
					.min(1)
					.max(64)
					.regex(/^[A-Za-z0-9_-]+$/, { error: "datasetIds must hold 1–64 characters of A-Z, a-z, 0-9, _ and -" }),
			)
			.min(1)
			.max(100)
			.describe("1–100 dataset ids of the caller's account"),
	}),
	output: z.object({
		totalRecords: z.number(),
		breakdown: z.array(z.object({ datasetId: z.string(), records: z.number() })),
		notFound: z.array(z.string()),
	}),
	run: Effect.fn("Reports.datasetRecords")(function* (input, context) {
		const accounts = yield* AccountRepository;
		const datasetIds = [...new Set(input.datasetIds)];
		const counts = yield* accounts.datasetRecordCounts(context.accountId, datasetIds);
		const breakdown: Array<{ datasetId: string; records: number }> = [];
		const notFound: Array<string> = [];
		for (const datasetId of datasetIds) {
			const records = counts.get(datasetId);
			if (records === undefined) notFound.push(datasetId);
			else breakdown.push({ datasetId, records });
		}
		if (breakdown.length === 0) {
			return yield* new ResourceNotFound({ message: "Dataset not found", resource: "dataset" });
		}
		return { totalRecords: breakdown.reduce((total, entry) => total + entry.records, 0), breakdown, notFound };
	}),
});
