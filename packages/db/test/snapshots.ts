import { type DataSnapshot, runIngest } from "@convolens/core";
import { assert } from "@effect/vitest";
import { Effect } from "effect";
import { Database } from "../src/database.ts";

/** Loading the core's random snapshots through the real ingest, and what an erase leaves of them. */

/** Gives every account of the snapshot a case-specific id, so all cases share one database. */
export const renameAccounts = (snapshot: DataSnapshot, prefix: string): DataSnapshot => {
	const rename = <Row extends { readonly accountId: string }>(rows: ReadonlyArray<Row>) =>
		rows.map((row) => ({ ...row, accountId: `${prefix}-${row.accountId}` }));
	return {
		accounts: snapshot.accounts.map((row) => ({ ...row, id: `${prefix}-${row.id}` })),
		contacts: rename(snapshot.contacts),
		bots: rename(snapshot.bots),
		conversations: rename(snapshot.conversations),
		messages: rename(snapshot.messages),
		ratings: rename(snapshot.ratings),
		datasets: rename(snapshot.datasets),
		records: rename(snapshot.records),
		skillsets: rename(snapshot.skillsets),
		abilities: rename(snapshot.abilities),
		files: rename(snapshot.files),
	};
};

/** Drops rows whose references do not exist in their account (the database's foreign keys would refuse them). */
export const referentiallyValid = (snapshot: DataSnapshot): DataSnapshot => {
	const keys = (rows: ReadonlyArray<{ accountId: string; id: string }>) =>
		new Set(rows.map((row) => `${row.accountId}/${row.id}`));
	const has = (set: Set<string>, accountId: string, id: string | null) => id === null || set.has(`${accountId}/${id}`);
	const contacts = keys(snapshot.contacts);
	const bots = keys(snapshot.bots);
	const conversations = snapshot.conversations.filter(
		(row) => has(contacts, row.accountId, row.contactId) && has(bots, row.accountId, row.botId),
	);
	const conversationKeys = keys(conversations);
	const messages = snapshot.messages.filter((row) => has(conversationKeys, row.accountId, row.conversationId));
	const messageKeys = keys(messages);
	const ratings = snapshot.ratings.filter(
		(row) =>
			has(contacts, row.accountId, row.contactId) &&
			has(bots, row.accountId, row.botId) &&
			has(conversationKeys, row.accountId, row.conversationId) &&
			has(messageKeys, row.accountId, row.messageId),
	);
	const datasets = keys(snapshot.datasets);
	const skillsets = keys(snapshot.skillsets);
	return {
		...snapshot,
		conversations,
		messages,
		ratings,
		records: snapshot.records.filter((row) => has(datasets, row.accountId, row.datasetId)),
		abilities: snapshot.abilities.filter((row) => has(skillsets, row.accountId, row.skillsetId)),
	};
};

type Body = Record<string, Array<Record<string, unknown>>>;

/** The ingest body of one account's rows (or of any subset of rows). */
export const bodyOf = (snapshot: DataSnapshot, accountId: string): Body => {
	const of = <Row extends { readonly accountId: string; readonly createdAt: Date }>(rows: ReadonlyArray<Row>) =>
		rows
			.filter((row) => row.accountId === accountId)
			// Epoch milliseconds start at 1970; earlier instants travel as ISO-8601.
			.map(({ accountId: _account, createdAt, ...rest }) => ({
				...rest,
				createdAt: createdAt.getTime() < 0 ? createdAt.toISOString() : createdAt.getTime(),
			}));
	return {
		contacts: of(snapshot.contacts),
		bots: of(snapshot.bots),
		datasets: of(snapshot.datasets),
		skillsets: of(snapshot.skillsets),
		conversations: of(snapshot.conversations),
		messages: of(snapshot.messages).map(({ actionType, actionName, ...rest }) => ({
			...rest,
			action: actionType === null && actionName === null ? null : { type: actionType, name: actionName },
		})),
		ratings: of(snapshot.ratings),
		records: of(snapshot.records),
		abilities: of(snapshot.abilities),
		files: of(snapshot.files),
	};
};

export const load = (snapshot: DataSnapshot) =>
	Effect.gen(function* () {
		const { query } = yield* Database;
		for (const account of snapshot.accounts) {
			yield* query(
				`INSERT INTO account (id, name, created_at, limit_datasets, limit_records, limit_skillsets, limit_abilities, limit_files)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				[
					account.id,
					account.name,
					account.createdAt,
					account.limits.datasets,
					account.limits.records,
					account.limits.skillsets,
					account.limits.abilities,
					account.limits.files,
				],
			);
			const result = yield* runIngest(account.id, bodyOf(snapshot, account.id));
			assert.deepStrictEqual(result.errors, [], `ingest of ${account.id}`);
		}
	});

/** What erasing `request` in `accountId` leaves, by the documented cascade. */
export const eraseFromSnapshot = (
	snapshot: DataSnapshot,
	accountId: string,
	request: {
		contacts: Array<string>;
		bots: Array<string>;
		conversations: Array<string>;
		messages: Array<string>;
		ratings: Array<string>;
	},
): DataSnapshot => {
	const mine = (row: { accountId: string }) => row.accountId === accountId;
	const contacts = new Set(request.contacts);
	const bots = new Set(request.bots);
	const conversations = new Set(request.conversations);
	for (const row of snapshot.conversations) {
		if (mine(row) && ((row.contactId && contacts.has(row.contactId)) || (row.botId && bots.has(row.botId)))) {
			conversations.add(row.id);
		}
	}
	const messages = new Set(request.messages);
	for (const row of snapshot.messages) if (mine(row) && conversations.has(row.conversationId)) messages.add(row.id);
	const ratings = new Set(request.ratings);
	for (const row of snapshot.ratings) {
		if (
			mine(row) &&
			((row.contactId && contacts.has(row.contactId)) ||
				(row.botId && bots.has(row.botId)) ||
				(row.conversationId && conversations.has(row.conversationId)) ||
				(row.messageId && messages.has(row.messageId)))
		) {
			ratings.add(row.id);
		}
	}
	const keep = (set: Set<string>) => (row: { accountId: string; id: string }) => !(mine(row) && set.has(row.id));
	return {
		...snapshot,
		contacts: snapshot.contacts.filter(keep(contacts)),
		bots: snapshot.bots.filter(keep(bots)),
		conversations: snapshot.conversations.filter(keep(conversations)),
		messages: snapshot.messages.filter(keep(messages)),
		ratings: snapshot.ratings.filter(keep(ratings)),
	};
};
