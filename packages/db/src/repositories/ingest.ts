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
} from "@convolens/core";
import { Effect, Layer } from "effect";
import type pg from "pg";
import { Database } from "../database.ts";
import {
	bumpDataVersion,
	contactDaysOfConversations,
	lockAccountWriters,
	type Maintenance,
	maintainDeleting,
	maintainInserted,
	maintenanceOf,
	rebuildContactDays,
	reserveContactNumbers,
	type SourceTable,
} from "../maintenance.ts";
import { compactContactDays, contactDaysOf } from "./contact-days.ts";

/**
 * Ingest into PostgreSQL (contract §2.1).
 *
 * A batch is one transaction; collections go in `ingestCollections` order, so a later collection sees the parents an
 * earlier one just stored. Per collection there are two statements whatever the item count: one that finds which
 * referenced parents exist in the account, and one multi-row `INSERT … SELECT FROM unnest(…) ON CONFLICT DO
 * NOTHING` (its row count is the number inserted). Conversations and messages share their insert statement (see
 * `ingestConversationsAndMessages`: the rollup triggers then lock the rows every writer updates only after both
 * tables are written). An id already stored (or repeated in the batch: the first item wins) inserts nothing and
 * counts as a duplicate.
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

/** The multi-row insert of one collection: `$1` the account, one array parameter per column from `$first`. */
const insertSql = (
	table: string,
	columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>,
	first = 2,
) => {
	const names = columns.map((column) => column.name).join(", ");
	const arrays = columns.map((column, index) => `$${index + first}::${column.type}[]`).join(", ");
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

/**
 * Keeps the items whose referenced parents exist in the account; reports the others as NOT_FOUND, each for its first
 * missing parent in `spec.parents` order. Every parent table is asked in one statement: inside the transaction, after
 * the conversations and messages, a rating's four lookups were four round trips while the batch held rollup rows
 * other writers wait for.
 */
const withParents = async <C extends IngestCollection>(
	client: pg.PoolClient,
	accountId: string,
	collection: C,
	items: ReadonlyArray<IngestItem<C>>,
	errors: Array<IngestItemError>,
): Promise<Array<IngestItem<C>>> => {
	const spec = specs[collection] as TableSpec<C>;
	const asked = spec.parents
		.map((parent) => ({
			parent,
			wanted: [...new Set(items.map(parent.value).filter((value): value is string => value !== null))],
		}))
		.filter(({ wanted }) => wanted.length > 0);
	if (asked.length === 0) return [...items];
	const { rows } = await client.query<Record<string, Array<string> | null>>(
		`SELECT ${asked
			.map(
				({ parent }, index) =>
					`(SELECT array_agg(id) FROM ${parent.table} WHERE account_id = $1 AND id = ANY($${index + 2}::text[])) AS p${index}`,
			)
			.join(", ")}`,
		[accountId, ...asked.map(({ wanted }) => wanted)],
	);
	let candidates = [...items];
	asked.forEach(({ parent }, index) => {
		const found = new Set(rows[0]?.[`p${index}`] ?? []);
		candidates = candidates.filter((item) => {
			const value = parent.value(item);
			if (value === null || found.has(value)) return true;
			errors.push(notFound(collection, item, parent, value));
			return false;
		});
	});
	return candidates;
};

const notFound = <C extends IngestCollection>(
	collection: C,
	item: IngestItem<C>,
	parent: { readonly field: string; readonly table: string },
	value: string,
): IngestItemError => ({
	collection,
	index: item.index,
	id: item.id,
	code: "NOT_FOUND",
	message: `${parent.field}: no ${parent.table} "${value}" in this account`,
});

/** The insert parameters of `candidates` (sorted by id), after the account. */
const columnArrays = <C extends IngestCollection>(collection: C, candidates: ReadonlyArray<IngestItem<C>>) =>
	(specs[collection] as TableSpec<C>).columns.map((column) => candidates.map(column.value));

/** The tables whose rows the rollups count (see `rollupStatements`). */
const rolledUp = (table: string): table is SourceTable =>
	table === "message" || table === "conversation" || table === "rating" || table === "contact";

const ingestCollection = async <C extends IngestCollection>(
	client: pg.PoolClient,
	accountId: string,
	collection: C,
	items: ReadonlyArray<IngestItem<C>>,
	errors: Array<IngestItemError>,
	maintenance: Maintenance,
): Promise<{ inserted: number; duplicates: number }> => {
	if (items.length === 0) return { inserted: 0, duplicates: 0 };
	const candidates = await withParents(client, accountId, collection, items, errors);
	if (candidates.length === 0) return { inserted: 0, duplicates: 0 };
	candidates.sort(byId);
	const { table, columns } = specs[collection];
	const params: Array<unknown> = [accountId, ...columnArrays(collection, candidates)];
	let sql = insertSql(table, columns);
	if (maintenance === "statements" && table === "contact") {
		// The `contact_numbered` trigger's numbers, reserved for the candidates in id order.
		const first = await reserveContactNumbers(client, accountId, candidates.length);
		sql = insertSql(table, [...columns, { name: "seq", type: "int4" }]);
		params.push(candidates.map((_, index) => first + index));
	}
	// The ids returned are the rows actually inserted (Citus reports every row it sent as the row count of an
	// `INSERT … SELECT … ON CONFLICT DO NOTHING`, so the count is not read from there).
	const { rows } = await client.query<{ id: string }>(`${sql} RETURNING id`, params);
	if (maintenance === "statements" && rolledUp(table)) {
		await maintainInserted(
			client,
			accountId,
			table,
			rows.map((row) => row.id),
		);
	}
	return { inserted: rows.length, duplicates: candidates.length - rows.length };
};

/** Thrown to run the whole batch again (`runTransaction` retries serialization failures). */
const retryBatch = () =>
	Object.assign(new Error("a conversation of the batch was stored concurrently"), { code: "40001" });

/** The message's one parent, as the spec names it in errors (its existence check is the owners' lookup). */
const conversationParent = specs.messages.parents[0]!;

const messageOwnerColumns = [
	{ name: "bot_id", type: "text" },
	{ name: "contact_id", type: "text" },
] as const;

/**
 * Conversations and their messages in one statement. The rollup triggers of both tables — which lock rollup rows
 * that every writer of the account updates (the current slot and day, the busiest bots and contacts) until commit —
 * then fire after both tables' rows are written, so concurrent batches queue only for the rollup work and the
 * commit, not for the message inserts too.
 *
 * A message copies its conversation's bot and contact: from the stored row when the conversation existed before
 * the statement, else from the batch's item (the first one with that id; later ones are duplicates). Should another
 * transaction store one of those new conversations first, the batch runs again and then reads the stored row.
 */
const ingestConversationsAndMessages = async (
	client: pg.PoolClient,
	accountId: string,
	conversationItems: ReadonlyArray<IngestItem<"conversations">>,
	messageItems: ReadonlyArray<IngestItem<"messages">>,
	errors: Array<IngestItemError>,
	maintenance: Maintenance,
) => {
	const conversations = await withParents(client, accountId, "conversations", conversationItems, errors);
	// The first item of each id is the one inserted; the others count as duplicates.
	const firstById = new Map<string, IngestItem<"conversations">>();
	for (const item of [...conversations].sort((a, b) => a.index - b.index)) {
		if (!firstById.has(item.id)) firstById.set(item.id, item);
	}
	const owners = new Map<string, ConversationOwners>();
	const wanted = new Set(messageItems.map((item) => item.conversationId));
	if (wanted.size > 0) {
		const { rows } = await client.query<{ id: string; bot_id: string | null; contact_id: string | null }>(
			"SELECT id, bot_id, contact_id FROM conversation WHERE account_id = $1 AND id = ANY($2::text[])",
			[accountId, [...wanted]],
		);
		for (const row of rows) owners.set(row.id, { botId: row.bot_id, contactId: row.contact_id });
	}
	const newIds = new Set<string>();
	for (const [id, item] of firstById) {
		if (owners.has(id) || !wanted.has(id)) continue;
		owners.set(id, { botId: item.botId, contactId: item.contactId });
		newIds.add(id);
	}
	const messages = messageItems.filter((item) => {
		if (owners.has(item.conversationId)) return true;
		errors.push(notFound("messages", item, conversationParent, item.conversationId));
		return false;
	});
	const toInsert = [...firstById.values()].sort(byId);
	messages.sort(byId);
	if (toInsert.length === 0 && messages.length === 0) {
		const none = { inserted: 0, duplicates: 0 };
		return { conversations: none, messages: none };
	}
	const conversationColumns = specs.conversations.columns;
	const messageColumns = [...specs.messages.columns, ...messageOwnerColumns];
	const ownerOf = (item: IngestItem<"messages">) => owners.get(item.conversationId);
	const params = [
		accountId,
		...columnArrays("conversations", toInsert),
		...columnArrays("messages", messages),
		messages.map((item) => ownerOf(item)?.botId ?? null),
		messages.map((item) => ownerOf(item)?.contactId ?? null),
	];
	const { rows } = await client.query<{ conversations: Array<string> | null; messages: Array<string> | null }>(
		`WITH c AS (${insertSql("conversation", conversationColumns)} RETURNING id),
		m AS (${insertSql("message", messageColumns, 2 + conversationColumns.length)} RETURNING id)
		SELECT (SELECT array_agg(id) FROM c) AS conversations, (SELECT array_agg(id) FROM m) AS messages`,
		params,
	);
	const insertedIds = new Set(rows[0]?.conversations ?? []);
	for (const id of newIds) if (!insertedIds.has(id)) throw retryBatch();
	const insertedMessages = rows[0]?.messages?.length ?? 0;
	if (maintenance === "statements") {
		// Conversations first: they enter the rollups with the counters they were stored with (zero), and the
		// messages' statements then move them to their new counters, as the triggers do in either order.
		await maintainInserted(client, accountId, "conversation", [...insertedIds]);
		await maintainInserted(client, accountId, "message", rows[0]?.messages ?? []);
	}
	return {
		conversations: { inserted: insertedIds.size, duplicates: conversations.length - insertedIds.size },
		messages: { inserted: insertedMessages, duplicates: messages.length - insertedMessages },
	};
};

/** Applies a validated batch inside an open transaction. */
const ingestInTransaction = async (
	client: pg.PoolClient,
	accountId: string,
	batch: IngestBatch,
	maintenance: Maintenance = "triggers",
): Promise<IngestResult> => {
	if (maintenance === "statements") await lockAccountWriters(client, accountId);
	const inserted = emptyCounts();
	const duplicates = emptyCounts();
	const errors: Array<IngestItemError> = [];
	for (const collection of ingestCollections) {
		if (collection === "messages") continue;
		if (collection === "conversations") {
			const counts = await ingestConversationsAndMessages(
				client,
				accountId,
				batch.conversations,
				batch.messages,
				errors,
				maintenance,
			);
			for (const both of ["conversations", "messages"] as const) {
				inserted[both] = counts[both].inserted;
				duplicates[both] = counts[both].duplicates;
			}
			continue;
		}
		const counts = await ingestCollection(client, accountId, collection, batch[collection], errors, maintenance);
		inserted[collection] = counts.inserted;
		duplicates[collection] = counts.duplicates;
	}
	if (maintenance === "statements" && ingestCollections.some((collection) => inserted[collection] > 0)) {
		await bumpDataVersion(client, accountId);
	}
	return { inserted, duplicates, errors };
};

/** Children before parents, so each requested id is counted where it was named rather than swept by a cascade. */
const eraseOrder = [...ingestCollections].reverse();

const eraseInTransaction = async (
	client: pg.PoolClient,
	accountId: string,
	request: EraseRequest,
	maintenance: Maintenance = "triggers",
): Promise<EraseResult> => {
	if (maintenance === "statements") {
		await lockAccountWriters(client, accountId);
		return eraseWithStatements(client, accountId, request);
	}
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

/**
 * Erase without maintenance triggers: the cascades the schema would run are expanded here first (the conversations
 * of erased bots and contacts, the messages of erased conversations, the ratings of any of those), so every row
 * that goes is counted out of the rollups while it is still stored, children before parents. Counts are of the
 * named ids that existed, as with the triggers.
 */
const eraseWithStatements = async (
	client: pg.PoolClient,
	accountId: string,
	request: EraseRequest,
): Promise<EraseResult> => {
	const named = (collection: IngestCollection) => [...new Set(request[collection] ?? [])].sort();
	const ids = async (sql: string, params: ReadonlyArray<unknown>) =>
		(await client.query<{ id: string }>(sql, [accountId, ...params])).rows.map((row) => row.id);
	const [bots, contacts] = [named("bots"), named("contacts")];
	const conversations = await ids(
		`SELECT id FROM conversation WHERE account_id = $1
		AND (id = ANY($2::text[]) OR bot_id = ANY($3::text[]) OR contact_id = ANY($4::text[])) ORDER BY id`,
		[named("conversations"), bots, contacts],
	);
	const messages = await ids(
		`SELECT id FROM message WHERE account_id = $1 AND (id = ANY($2::text[]) OR conversation_id = ANY($3::text[]))
		ORDER BY id`,
		[named("messages"), conversations],
	);
	const ratings = await ids(
		`SELECT id FROM rating WHERE account_id = $1 AND (id = ANY($2::text[]) OR bot_id = ANY($3::text[])
		OR contact_id = ANY($4::text[]) OR conversation_id = ANY($5::text[]) OR message_id = ANY($6::text[])) ORDER BY id`,
		[named("ratings"), bots, contacts, conversations, messages],
	);
	const expanded: Partial<Record<IngestCollection, ReadonlyArray<string>>> = { conversations, messages, ratings };
	const days = await contactDaysOfConversations(client, accountId, conversations);
	const deleted = emptyCounts();
	for (const collection of eraseOrder) {
		const wanted = new Set(named(collection));
		const targets = expanded[collection] ?? [...wanted];
		if (targets.length === 0) continue;
		const table = tableOf(collection);
		if (rolledUp(table)) await maintainDeleting(client, accountId, table, targets);
		const { rows } = await client.query<{ id: string }>(
			`DELETE FROM ${table} WHERE account_id = $1 AND id = ANY($2::text[]) RETURNING id`,
			[accountId, targets],
		);
		deleted[collection] = rows.filter((row) => wanted.has(row.id)).length;
	}
	await rebuildContactDays(client, accountId, days);
	if (ingestCollections.some((collection) => deleted[collection] > 0) || conversations.length > 0) {
		await bumpDataVersion(client, accountId);
	}
	return { deleted: deleted as CollectionCounts };
};

export const ingestRepositoryLayer = Layer.effect(
	IngestRepository,
	Effect.gen(function* () {
		const { transaction, statistics, pool } = yield* Database;
		// After the batch committed: merging its days' contact parts is upkeep, so a failure there (the batch is
		// stored either way) is logged and left for the next batch to retry.
		const compact = (accountId: string, batch: IngestBatch) =>
			Effect.tryPromise(() => compactContactDays(pool, accountId, contactDaysOf(batch.conversations))).pipe(
				Effect.catch((error) => Effect.logWarning("merging packed contact days failed", error)),
			);
		// Read from the database on the first write (see `src/maintenance.ts`).
		let maintenance: Promise<Maintenance> | undefined;
		const modeOf = (client: pg.PoolClient) => {
			maintenance ??= maintenanceOf(client).catch((cause: unknown) => {
				maintenance = undefined;
				throw cause;
			});
			return maintenance;
		};
		return IngestRepository.of({
			ingest: Effect.fn("IngestRepository.ingest")((accountId: string, batch: IngestBatch) =>
				transaction(async (client) => ingestInTransaction(client, accountId, batch, await modeOf(client))).pipe(
					Effect.tap((result) =>
						Effect.sync(() => {
							for (const collection of ingestCollections) {
								statistics.noteInserts(tableOf(collection), result.inserted[collection]);
							}
						}),
					),
					Effect.tap((result) => (result.inserted.conversations > 0 ? compact(accountId, batch) : Effect.void)),
				),
			),
			erase: Effect.fn("IngestRepository.erase")((accountId: string, request: EraseRequest) =>
				transaction(async (client) => eraseInTransaction(client, accountId, request, await modeOf(client))),
			),
		});
	}),
);
