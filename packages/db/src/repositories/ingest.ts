import {
	type CollectionCounts,
	type EraseRequest,
	type EraseResult,
	emptyCounts,
	type IngestBatch,
	type IngestCollection,
	type IngestItem,
	type IngestItemError,
	IngestRepository,
	type IngestResult,
	ingestCollections,
	type MessageItem,
} from "@convolens/core";
import { Effect, Layer } from "effect";
import type pg from "pg";
import { Database } from "../database.ts";

/**
 * Ingest into PostgreSQL (SPEC §2.1).
 *
 * A batch is one transaction; collections go in `ingestCollections` order, so a later collection sees the parents an
 * earlier one just stored. Per collection there are two statements whatever the item count: one that finds which
 * referenced parents exist in the account, and one multi-row `INSERT … SELECT FROM unnest(…) ON CONFLICT DO
 * NOTHING` (its row count is the number inserted). An id already stored (or repeated in the batch) inserts nothing
 * and counts as a duplicate.
 *
 * Concurrency: rows are inserted in id order, so two transactions with overlapping ids take their row locks in the
 * same order; one waits for the other and then sees a conflict (a duplicate) instead of storing the item twice.
 * Deadlocks and serialization failures still possible around foreign-key checks roll back and retry the whole
 * batch (`runTransaction`).
 *
 * Erase (`erase`) deletes the named ids, children before parents, and lets the schema's `ON DELETE CASCADE`
 * foreign keys take everything hanging off them:
 * - contact → its conversations (→ their messages → ratings of those messages, and the conversations' ratings)
 *   and the ratings naming the contact;
 * - bot → its conversations (with everything above) and the ratings naming the bot;
 * - conversation → its messages and ratings; message → its ratings;
 * - dataset → its records; skillset → its abilities;
 * - rating, record, ability, file → only themselves.
 * Messages of a deleted conversation go with it, so the copies of `bot_id`/`contact_id` on messages never outlive
 * their conversation.
 */

type ColumnType = "text" | "timestamptz" | "int4";

interface Column<C extends IngestCollection> {
	readonly name: string;
	readonly type: ColumnType;
	readonly value: (item: IngestItem<C>) => unknown;
}

interface ParentReference<C extends IngestCollection> {
	/** The item field, as named in errors. */
	readonly field: string;
	readonly table: string;
	readonly value: (item: IngestItem<C>) => string | null;
}

interface TableSpec<C extends IngestCollection> {
	readonly table: string;
	/** Columns after `account_id`; the first is always `id`. */
	readonly columns: ReadonlyArray<Column<C>>;
	readonly parents: ReadonlyArray<ParentReference<C>>;
}

const id = { name: "id", type: "text", value: (item: { id: string }) => item.id } as const;
/** Sent as ISO strings: cheaper for the driver to serialise than `Date`s, which it formats in local time. */
const createdAt = {
	name: "created_at",
	type: "timestamptz",
	value: (item: { createdAt: Date }) => item.createdAt.toISOString(),
} as const;
const name = { name: "name", type: "text", value: (item: { name: string | null }) => item.name } as const;

const specs: { readonly [C in IngestCollection]: TableSpec<C> } = {
	contacts: {
		table: "contact",
		columns: [
			id,
			createdAt,
			name,
			{ name: "email", type: "text", value: (item) => item.email },
			{ name: "nick", type: "text", value: (item) => item.nick },
		],
		parents: [],
	},
	bots: { table: "bot", columns: [id, createdAt, name], parents: [] },
	datasets: { table: "dataset", columns: [id, createdAt, name], parents: [] },
	skillsets: { table: "skillset", columns: [id, createdAt, name], parents: [] },
	conversations: {
		table: "conversation",
		columns: [
			id,
			createdAt,
			{ name: "bot_id", type: "text", value: (item) => item.botId },
			{ name: "contact_id", type: "text", value: (item) => item.contactId },
		],
		parents: [
			{ field: "botId", table: "bot", value: (item) => item.botId },
			{ field: "contactId", table: "contact", value: (item) => item.contactId },
		],
	},
	messages: {
		table: "message",
		columns: [
			id,
			createdAt,
			{ name: "conversation_id", type: "text", value: (item) => item.conversationId },
			{ name: "type", type: "text", value: (item) => item.type },
			{ name: "tokens", type: "int4", value: (item) => item.tokens },
			{ name: "action_type", type: "text", value: (item) => item.action?.type ?? null },
			{ name: "action_name", type: "text", value: (item) => item.action?.name ?? null },
		],
		parents: [{ field: "conversationId", table: "conversation", value: (item) => item.conversationId }],
	},
	ratings: {
		table: "rating",
		columns: [
			id,
			createdAt,
			{ name: "value", type: "int4", value: (item) => item.value },
			{ name: "reason", type: "text", value: (item) => item.reason },
			{ name: "bot_id", type: "text", value: (item) => item.botId },
			{ name: "conversation_id", type: "text", value: (item) => item.conversationId },
			{ name: "message_id", type: "text", value: (item) => item.messageId },
			{ name: "contact_id", type: "text", value: (item) => item.contactId },
		],
		parents: [
			{ field: "botId", table: "bot", value: (item) => item.botId },
			{ field: "conversationId", table: "conversation", value: (item) => item.conversationId },
			{ field: "messageId", table: "message", value: (item) => item.messageId },
			{ field: "contactId", table: "contact", value: (item) => item.contactId },
		],
	},
	records: {
		table: "record",
		columns: [id, createdAt, { name: "dataset_id", type: "text", value: (item) => item.datasetId }],
		parents: [{ field: "datasetId", table: "dataset", value: (item) => item.datasetId }],
	},
	abilities: {
		table: "ability",
		columns: [id, createdAt, name, { name: "skillset_id", type: "text", value: (item) => item.skillsetId }],
		parents: [{ field: "skillsetId", table: "skillset", value: (item) => item.skillsetId }],
	},
	files: { table: "file", columns: [id, createdAt, name], parents: [] },
};

const tableOf = (collection: IngestCollection) => specs[collection].table;

/** The multi-row insert of one collection, from one array parameter per column. */
const insertSql = (table: string, columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>) => {
	const names = columns.map((column) => column.name).join(", ");
	const arrays = columns.map((column, index) => `$${index + 2}::${column.type}[]`).join(", ");
	return `INSERT INTO ${table} (account_id, ${names})
		SELECT $1, * FROM unnest(${arrays}) AS v(${names})
		ORDER BY v.id
		ON CONFLICT (account_id, id) DO NOTHING`;
};

/** What a message copies from its conversation (see `message.entity.ts`). */
interface ConversationOwners {
	readonly botId: string | null;
	readonly contactId: string | null;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const ingestCollection = async <C extends IngestCollection>(
	client: pg.PoolClient,
	accountId: string,
	collection: C,
	items: ReadonlyArray<IngestItem<C>>,
	errors: Array<IngestItemError>,
): Promise<{ inserted: number; duplicates: number }> => {
	if (items.length === 0) return { inserted: 0, duplicates: 0 };
	const spec = specs[collection] as TableSpec<C>;
	let candidates = [...items];
	const owners = new Map<string, ConversationOwners>();
	for (const parent of spec.parents) {
		const wanted = [...new Set(candidates.map(parent.value).filter((value): value is string => value !== null))];
		if (wanted.length === 0) continue;
		const copiesOwners = collection === "messages";
		const { rows } = await client.query<{ id: string; bot_id?: string | null; contact_id?: string | null }>(
			`SELECT id${copiesOwners ? ", bot_id, contact_id" : ""} FROM ${parent.table}
			WHERE account_id = $1 AND id = ANY($2::text[])`,
			[accountId, wanted],
		);
		const found = new Set(rows.map((row) => row.id));
		if (copiesOwners) {
			for (const row of rows) owners.set(row.id, { botId: row.bot_id ?? null, contactId: row.contact_id ?? null });
		}
		candidates = candidates.filter((item) => {
			const value = parent.value(item);
			if (value === null || found.has(value)) return true;
			errors.push({
				collection,
				index: item.index,
				id: item.id,
				code: "NOT_FOUND",
				message: `${parent.field}: no ${parent.table} "${value}" in this account`,
			});
			return false;
		});
	}
	if (candidates.length === 0) return { inserted: 0, duplicates: 0 };
	candidates.sort(byId);
	const columns: Array<{ readonly name: string; readonly type: ColumnType }> = [...spec.columns];
	const params: Array<unknown> = [accountId, ...spec.columns.map((column) => candidates.map(column.value))];
	if (collection === "messages") {
		const ownersOf = (item: IngestItem<C>) => owners.get((item as unknown as MessageItem).conversationId);
		columns.push({ name: "bot_id", type: "text" }, { name: "contact_id", type: "text" });
		params.push(
			candidates.map((item) => ownersOf(item)?.botId ?? null),
			candidates.map((item) => ownersOf(item)?.contactId ?? null),
		);
	}
	// The row count of `INSERT … ON CONFLICT DO NOTHING` is the number of rows actually inserted.
	const result = await client.query(insertSql(spec.table, columns), params);
	const inserted = result.rowCount ?? 0;
	return { inserted, duplicates: candidates.length - inserted };
};

/** Applies a validated batch inside an open transaction. */
export const ingestInTransaction = async (
	client: pg.PoolClient,
	accountId: string,
	batch: IngestBatch,
): Promise<IngestResult> => {
	const inserted = emptyCounts();
	const duplicates = emptyCounts();
	const errors: Array<IngestItemError> = [];
	for (const collection of ingestCollections) {
		const counts = await ingestCollection(client, accountId, collection, batch[collection], errors);
		inserted[collection] = counts.inserted;
		duplicates[collection] = counts.duplicates;
	}
	return { inserted, duplicates, errors };
};

/** Children before parents, so each requested id is counted where it was named rather than swept by a cascade. */
const eraseOrder = [...ingestCollections].reverse();

export const eraseInTransaction = async (
	client: pg.PoolClient,
	accountId: string,
	request: EraseRequest,
): Promise<EraseResult> => {
	const deleted = emptyCounts();
	for (const collection of eraseOrder) {
		const ids = request[collection];
		if (!ids || ids.length === 0) continue;
		const sorted = [...new Set(ids)].sort();
		const result = await client.query(
			`DELETE FROM ${tableOf(collection)} WHERE account_id = $1 AND id = ANY($2::text[])`,
			[accountId, sorted],
		);
		deleted[collection] = result.rowCount ?? 0;
	}
	return { deleted: deleted as CollectionCounts };
};

export const ingestRepositoryLayer = Layer.effect(
	IngestRepository,
	Effect.gen(function* () {
		const { transaction, statistics } = yield* Database;
		return IngestRepository.of({
			ingest: Effect.fn("IngestRepository.ingest")((accountId: string, batch: IngestBatch) =>
				transaction((client) => ingestInTransaction(client, accountId, batch)).pipe(
					Effect.tap((result) =>
						Effect.sync(() => {
							for (const collection of ingestCollections) {
								statistics.noteInserts(tableOf(collection), result.inserted[collection]);
							}
						}),
					),
				),
			),
			erase: Effect.fn("IngestRepository.erase")((accountId: string, request: EraseRequest) =>
				transaction((client) => eraseInTransaction(client, accountId, request)),
			),
		});
	}),
);
