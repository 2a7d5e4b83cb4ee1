import { AccountRepository, type SliceBoundaries } from "@convolens/core";
import { Effect, Layer } from "effect";
import { Database, instantsParam, preparedQuery } from "../database.ts";
import { perSlice, sliceOf, toNumber, withinSlices } from "./sql.ts";

const limit = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export const accountRepositoryLayer = Layer.effect(
	AccountRepository,
	Effect.gen(function* () {
		const query = preparedQuery(yield* Database);

		const botExists = Effect.fn("AccountRepository.botExists")(function* (accountId: string, botId: string) {
			const rows = yield* query("SELECT 1 FROM bot WHERE account_id = $1 AND id = $2", [accountId, botId]);
			return rows.length > 0;
		});

		const datasetRecordCounts = Effect.fn("AccountRepository.datasetRecordCounts")(function* (
			accountId: string,
			datasetIds: ReadonlyArray<string>,
		) {
			if (datasetIds.length === 0) return new Map<string, number>();
			const rows = yield* query<{ id: string; records: number }>(
				`SELECT d.id, (SELECT count(*) FROM record r WHERE r.account_id = $1 AND r.dataset_id = d.id)::float8 AS records
				FROM dataset d WHERE d.account_id = $1 AND d.id = ANY($2::text[])`,
				[accountId, datasetIds],
			);
			return new Map(rows.map((row) => [row.id, toNumber(row.records)]));
		});

		const totalContacts = Effect.fn("AccountRepository.totalContacts")(function* (accountId: string) {
			const rows = yield* query<{ total: number }>(
				"SELECT count(*)::float8 AS total FROM contact WHERE account_id = $1",
				[accountId],
			);
			return toNumber(rows[0]?.total);
		});

		const contactsCreated = Effect.fn("AccountRepository.contactsCreated")(function* (
			accountId: string,
			boundaries: SliceBoundaries,
		) {
			const slices = Math.max(boundaries.length - 1, 0);
			if (slices === 0) return [];
			const rows = yield* query<{ slice: number; value: number }>(
				`SELECT ${sliceOf} AS slice, count(*)::float8 AS value
				FROM contact WHERE account_id = $1 AND ${withinSlices}
				GROUP BY 1`,
				[accountId, instantsParam(boundaries)],
			);
			return perSlice(slices, rows);
		});

		const usage = Effect.fn("AccountRepository.usage")(function* (accountId: string) {
			const rows = yield* query<Record<string, unknown>>(
				`SELECT
					(SELECT count(*) FROM dataset WHERE account_id = $1)::float8 AS datasets,
					(SELECT count(*) FROM record WHERE account_id = $1)::float8 AS records,
					(SELECT count(*) FROM skillset WHERE account_id = $1)::float8 AS skillsets,
					(SELECT count(*) FROM ability WHERE account_id = $1)::float8 AS abilities,
					(SELECT count(*) FROM file WHERE account_id = $1)::float8 AS files,
					a.limit_datasets, a.limit_records, a.limit_skillsets, a.limit_abilities, a.limit_files
				FROM (SELECT 1) AS one LEFT JOIN account a ON a.id = $1`,
				[accountId],
			);
			const row = rows[0] ?? {};
			return {
				usage: {
					datasets: toNumber(row.datasets),
					records: toNumber(row.records),
					skillsets: toNumber(row.skillsets),
					abilities: toNumber(row.abilities),
					files: toNumber(row.files),
				},
				limits: {
					datasets: limit(row.limit_datasets),
					records: limit(row.limit_records),
					skillsets: limit(row.limit_skillsets),
					abilities: limit(row.limit_abilities),
					files: limit(row.limit_files),
				},
			};
		});

		return AccountRepository.of({ botExists, datasetRecordCounts, totalContacts, contactsCreated, usage });
	}),
);
