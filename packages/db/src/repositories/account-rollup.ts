import { AccountRepository, type SliceBoundaries } from "@convolens/core";
import { Effect, Layer } from "effect";
import { Database, instantsParam, preparedQuery } from "../database.ts";
import { accountRepositoryLayer } from "./account.ts";
import { SLOT_MS, slotsAndDays } from "./span-cover.ts";
import { perSlice, toNumber } from "./sql.ts";

/**
 * `AccountRepository` with the contact counts read from their rollups (`contact_counter.contacts`, `contacts_slot`,
 * `contacts_day`) instead of counting contacts; boundaries off the 15-minute grid use the raw-table repository.
 */
const rollupLayer = Layer.effect(
	AccountRepository,
	Effect.gen(function* () {
		const raw = yield* AccountRepository;
		const query = preparedQuery(yield* Database);

		const totalContacts = Effect.fn("AccountRepository.totalContacts.rollup")(function* (accountId: string) {
			const rows = yield* query<{ total: number }>(
				"SELECT contacts::float8 AS total FROM contact_counter WHERE account_id = $1",
				[accountId],
			);
			return toNumber(rows[0]?.total);
		});

		const contactsCreated = Effect.fn("AccountRepository.contactsCreated.rollup")(function* (
			accountId: string,
			boundaries: SliceBoundaries,
		) {
			const slices = Math.max(boundaries.length - 1, 0);
			if (slices === 0) return [];
			if (!boundaries.every((boundary) => boundary % SLOT_MS === 0)) {
				return yield* raw.contactsCreated(accountId, boundaries);
			}
			const params: Array<unknown> = [accountId, instantsParam(boundaries)];
			const source = slotsAndDays("contacts", [], ["contacts"], "account_id = $1", boundaries, params);
			const rows = yield* query<{ slice: number; value: number }>(
				`SELECT width_bucket(t, $2::timestamptz[]) AS slice, sum(contacts)::float8 AS value FROM ${source} x GROUP BY 1`,
				params,
			);
			return perSlice(slices, rows);
		});

		return AccountRepository.of({ ...raw, totalContacts, contactsCreated });
	}),
);

/** `AccountRepository` over the contact rollups, falling back to the raw-table repository off the slot grid. */
export const rollupAccountRepositoryLayer = rollupLayer.pipe(Layer.provide(accountRepositoryLayer));
