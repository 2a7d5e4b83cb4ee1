import type pg from "pg";

/**
 * Loads many rows into one table fast, bypassing ingest validation: for demo and benchmark data generators.
 * Rows go through `INSERT … SELECT FROM unnest(…)` in chunks (one round trip per chunk, about 10× faster than
 * per-row inserts, and it needs no COPY stream support from the driver). `ON CONFLICT DO NOTHING` keeps it
 * re-runnable; returns the number of rows actually inserted.
 *
 * The caller supplies every column, including `account_id` and any denormalised copy (`message.bot_id`,
 * `message.contact_id` must equal the conversation's). Parents must be loaded before children (foreign keys hold).
 * The table is analysed afterwards, so the planner (and the foreign-key checks of the next load) see its new size.
 */
export const copyRows = async (
	pool: pg.Pool,
	table: BulkTable,
	columns: ReadonlyArray<string>,
	rows: ReadonlyArray<ReadonlyArray<unknown>>,
	options: { readonly chunkSize?: number } = {},
): Promise<number> => {
	if (!Object.hasOwn(columnTypes, table)) throw new Error(`copyRows: unknown table ${table}`);
	const types: Readonly<Record<string, string>> = columnTypes[table];
	for (const column of columns) {
		if (!Object.hasOwn(types, column)) throw new Error(`copyRows: unknown column ${table}.${column}`);
	}
	const chunkSize = options.chunkSize ?? 20_000;
	const unnest = columns.map((column, index) => `$${index + 1}::${types[column]}[]`).join(", ");
	const sql = `INSERT INTO ${table} (${columns.join(", ")}) SELECT * FROM unnest(${unnest}) ON CONFLICT DO NOTHING`;
	let inserted = 0;
	for (let start = 0; start < rows.length; start += chunkSize) {
		const chunk = rows.slice(start, start + chunkSize);
		const params = columns.map((_, index) => chunk.map((row) => row[index] ?? null));
		const result = await pool.query(sql, params);
		inserted += result.rowCount ?? 0;
	}
	if (inserted > 0) await pool.query(`ANALYZE ${table}`);
	return inserted;
};

const tenant = { account_id: "text", id: "text", created_at: "timestamptz" } as const;

const columnTypes = {
	contact: { ...tenant, name: "text", email: "text", nick: "text" },
	bot: { ...tenant, name: "text" },
	conversation: { ...tenant, bot_id: "text", contact_id: "text" },
	message: {
		...tenant,
		conversation_id: "text",
		bot_id: "text",
		contact_id: "text",
		type: "text",
		tokens: "int4",
		action_type: "text",
		action_name: "text",
	},
	rating: {
		...tenant,
		value: "int2",
		reason: "text",
		bot_id: "text",
		conversation_id: "text",
		message_id: "text",
		contact_id: "text",
	},
	dataset: { ...tenant, name: "text" },
	record: { ...tenant, dataset_id: "text" },
	skillset: { ...tenant, name: "text" },
	ability: { ...tenant, name: "text", skillset_id: "text" },
	file: { ...tenant, name: "text" },
} as const satisfies Record<string, Record<string, string>>;

export type BulkTable = keyof typeof columnTypes;
