import { Migration } from "@mikro-orm/migrations";

/**
 * Past packed contact days as one part each. The ingest now merges the day before a written day once it has two
 * parts (`compactContactDays`); days written before that keep up to 16 parts, which every distinct-count read lists
 * and visits. This rebuilds each past UTC day with more than one part from its conversations — the entries a merge
 * of its parts gives, byte for byte — with writers of the table held off for the statement. The SQL is frozen here.
 */
export const settleSql: ReadonlyArray<string> = [
	"LOCK TABLE contact_day IN SHARE ROW EXCLUSIVE MODE;",
	`CREATE TEMPORARY TABLE contact_day_settle ON COMMIT DROP AS
	SELECT account_id, day FROM contact_day
	WHERE day < date_bin('1 day', now(), timestamptz '2000-01-01 00:00:00+00')
	GROUP BY 1, 2 HAVING count(*) > 1;`,
	"DELETE FROM contact_day d USING contact_day_settle s WHERE d.account_id = s.account_id AND d.day = s.day;",
	`INSERT INTO contact_day (account_id, day, part, entries)
	SELECT s.account_id, s.day, 0, string_agg(int4send(e.seq) || int2send((e.first * 256 + e.last)::int2), ''::bytea ORDER BY e.seq)
	FROM contact_day_settle s
	CROSS JOIN LATERAL (
		SELECT ct.seq, min(floor(extract(epoch FROM c.created_at - s.day) / 900)::int) AS first,
			max(floor(extract(epoch FROM c.created_at - s.day) / 900)::int) AS last
		FROM conversation c JOIN contact ct ON ct.account_id = c.account_id AND ct.id = c.contact_id
		WHERE c.account_id = s.account_id AND c.created_at >= s.day AND c.created_at < s.day + interval '1 day'
		GROUP BY ct.seq
	) e
	GROUP BY 1, 2;`,
];

export class Migration20261124233000_contact_day_settle extends Migration {
	override name = "Migration20261124233000_contact_day_settle";

	override up(): void | Promise<void> {
		for (const sql of settleSql) this.addSql(sql);
	}

	override down(): void | Promise<void> {
		// Nothing to undo: one part holds exactly what the parts it replaced held together.
	}
}
