import { Effect } from "effect";
import { z } from "zod";
import { AccountRepository } from "../repositories.ts";
import { CATALOGUE_CREATED_AT, CATALOGUE_UPDATED_AT, defineReport } from "./shared.ts";

/**
 * Total Contacts — every contact of the account, whenever created. Takes no input; unknown keys (legacy callers
 * send `userId`) are ignored.
 */
export const TotalContacts = defineReport({
	id: "clr3m5n8k000308jq1h7i8j4d",
	name: "Total Contacts",
	description: "All contacts of the account.",
	category: "contacts",
	createdAt: CATALOGUE_CREATED_AT,
	updatedAt: CATALOGUE_UPDATED_AT,
	input: z.object({}),
	output: z.object({ value: z.number(), period: z.literal("all time") }),
	run: Effect.fn("Reports.totalContacts")(function* (_input, context) {
		const accounts = yield* AccountRepository;
		const value = yield* accounts.totalContacts(context.accountId);
		return { value, period: "all time" as const };
	}),
});
