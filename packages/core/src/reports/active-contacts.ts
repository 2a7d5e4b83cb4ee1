import { Effect } from "effect";
import { ActivityRepository } from "../repositories.ts";
import { bucketBoundaries } from "../time/period.ts";
import {
	breakdownOf,
	CATALOGUE_CREATED_AT,
	CATALOGUE_UPDATED_AT,
	changePercent,
	defineReport,
	periodAt,
	periodInput,
	standardOutput,
} from "./shared.ts";

/**
 * Active Contacts — distinct contacts with at least one conversation created in the window. Each bucket counts
 * its own distinct contacts, so the breakdown need not sum to `value`; `previous` is the distinct count of the
 * previous window. Conversations without a contact are ignored.
 */
export const ActiveContacts = defineReport({
	id: "clr3m5n8k000408jq9i8j9k5e",
	name: "Active Contacts",
	description: "Distinct contacts with at least one conversation created in the period.",
	category: "contacts",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: periodInput,
	output: standardOutput,
	run: Effect.fn("Reports.activeContacts")(function* (input, context) {
		const period = yield* periodAt(input, context);
		const activity = yield* ActivityRepository;
		const scope = { accountId: context.accountId };
		const [current, previous] = yield* Effect.all(
			[
				activity.activeContacts(scope, bucketBoundaries(period)),
				activity.activeContacts(scope, [period.previous.start, period.previous.end]),
			],
			{ concurrency: "unbounded" },
		);
		return {
			value: current.total,
			change: current.total - previous.total,
			previous: previous.total,
			changePercent: changePercent(current.total, previous.total),
			period: period.label,
			breakdown: breakdownOf(period, current.perSlice),
		};
	}),
});
