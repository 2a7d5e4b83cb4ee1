import type { ConversationRow, DataSnapshot, MessageRow, RatingRow } from "../src/rows.ts";
import { emptySnapshot } from "../src/testing/index.ts";

/**
 * A small crafted dataset whose report results are worked out by hand in reports.test.ts.
 * `now` is 2026-11-24T12:00Z; with `periodDays: 7` in UTC the current window is 2026-11-18..24 and the previous
 * one 2026-11-11..17. Account "other" shares ids with "acme" and must never leak into acme's reports.
 */
export const NOW = Date.parse("2026-11-24T12:00:00Z");
const t = (iso: string) => new Date(iso);

const conversation = (
	accountId: string,
	id: string,
	createdAt: string,
	botId: string | null,
	contactId: string | null,
): ConversationRow => ({ accountId, id, createdAt: t(createdAt), botId, contactId });

const message = (
	accountId: string,
	id: string,
	conversationId: string,
	type: string,
	createdAt: string,
	tokens: number,
	action?: [string | null, string | null],
): MessageRow => ({
	accountId,
	id,
	conversationId,
	type,
	createdAt: t(createdAt),
	tokens,
	actionType: action?.[0] ?? null,
	actionName: action?.[1] ?? null,
});

const rating = (
	accountId: string,
	id: string,
	value: number,
	createdAt: string,
	refs: { bot?: string; conversation?: string; contact?: string; reason?: string },
): RatingRow => ({
	accountId,
	id,
	value,
	createdAt: t(createdAt),
	reason: refs.reason ?? null,
	botId: refs.bot ?? null,
	conversationId: refs.conversation ?? null,
	messageId: null,
	contactId: refs.contact ?? null,
});

const snapshot: DataSnapshot = {
	...emptySnapshot,
	accounts: [
		{
			id: "acme",
			name: "Acme",
			createdAt: t("2026-01-01T00:00:00Z"),
			limits: { datasets: 2, records: 5, skillsets: null, abilities: 10, files: 0 },
		},
		{
			id: "other",
			name: "Other",
			createdAt: t("2026-01-01T00:00:00Z"),
			limits: { datasets: null, records: null, skillsets: null, abilities: null, files: null },
		},
	],
	contacts: [
		{ accountId: "acme", id: "c1", createdAt: t("2026-11-01T00:00:00Z"), name: "Ada", email: "ada@x", nick: null },
		{ accountId: "acme", id: "c2", createdAt: t("2026-11-01T00:00:00Z"), name: null, email: "bo@x", nick: "bo" },
		{ accountId: "acme", id: "c3", createdAt: t("2026-11-01T00:00:00Z"), name: null, email: null, nick: "cy" },
		{ accountId: "acme", id: "c4", createdAt: t("2026-11-20T08:00:00Z"), name: null, email: null, nick: null },
		{ accountId: "other", id: "c1", createdAt: t("2026-11-20T00:00:00Z"), name: "Other", email: null, nick: null },
	],
	bots: [
		{ accountId: "acme", id: "b1", createdAt: t("2026-10-01T00:00:00Z"), name: "Concierge" },
		{ accountId: "acme", id: "b2", createdAt: t("2026-10-01T00:00:00Z"), name: null },
		{ accountId: "other", id: "b1", createdAt: t("2026-10-01T00:00:00Z"), name: "Theirs" },
		{ accountId: "other", id: "b9", createdAt: t("2026-10-01T00:00:00Z"), name: "Only theirs" },
	],
	conversations: [
		conversation("acme", "v1", "2026-11-20T10:00:00Z", "b1", "c1"),
		conversation("acme", "v2", "2026-11-22T00:00:00Z", "b1", null),
		conversation("acme", "v3", "2026-11-24T11:00:00Z", null, "c2"),
		conversation("acme", "v4", "2026-11-12T09:00:00Z", "b2", "c1"),
		conversation("acme", "v5", "2026-11-18T00:00:00Z", "b1", "c3"),
		conversation("acme", "v6", "2026-11-11T00:00:00Z", "b1", "c2"),
		conversation("other", "v1", "2026-11-20T10:00:00Z", "b1", "c1"),
	],
	messages: [
		message("acme", "m1", "v1", "user", "2026-11-20T10:01:00Z", 10),
		message("acme", "m2", "v1", "bot", "2026-11-20T10:02:00Z", 30),
		message("acme", "m3", "v1", "activity", "2026-11-20T10:03:00Z", 5, ["search", "lookup"]),
		message("acme", "m4", "v1", "user", "2026-11-21T08:00:00Z", 12),
		message("acme", "m5", "v1", "system", "2026-11-20T10:04:00Z", 0),
		message("acme", "m6", "v2", "bot", "2026-11-22T00:00:00Z", 20),
		message("acme", "m7", "v3", "user", "2026-11-24T11:01:00Z", 8),
		message("acme", "m8", "v3", "activity", "2026-11-24T11:02:00Z", 2, ["search", "lookup"]),
		message("acme", "m9", "v3", "activity", "2026-11-24T11:03:00Z", 1, [null, null]),
		message("acme", "m10", "v4", "user", "2026-11-12T09:01:00Z", 4),
		message("acme", "m11", "v4", "user", "2026-11-19T09:00:00Z", 6),
		message("acme", "m12", "v6", "user", "2026-11-11T00:05:00Z", 3),
		message("acme", "m13", "v6", "bot", "2026-11-11T00:06:00Z", 7),
		message("other", "m1", "v1", "user", "2026-11-20T10:01:00Z", 1000),
	],
	ratings: [
		rating("acme", "r1", 100, "2026-11-20T11:00:00Z", {
			bot: "b1",
			conversation: "v1",
			contact: "c1",
			reason: "great",
		}),
		rating("acme", "r2", -50, "2026-11-22T05:00:00Z", { bot: "b1", conversation: "v2", reason: "slow" }),
		rating("acme", "r3", 0, "2026-11-21T00:00:00Z", { bot: "b1", conversation: "v1", contact: "c1" }),
		rating("acme", "r4", -1, "2026-11-24T11:30:00Z", { conversation: "v3", contact: "c2" }),
		rating("acme", "r5", -100, "2026-11-23T00:00:00Z", {
			bot: "b1",
			conversation: "v5",
			contact: "c3",
			reason: "wrong",
		}),
		rating("acme", "r6", 10, "2026-11-12T10:00:00Z", { bot: "b2", conversation: "v4", contact: "c1" }),
		rating("acme", "r7", -5, "2026-11-17T23:59:59.999Z", { bot: "b1", conversation: "v6", contact: "c2" }),
		rating("other", "r1", -100, "2026-11-20T11:00:00Z", { bot: "b1" }),
	],
	datasets: [
		{ accountId: "acme", id: "d1", createdAt: t("2026-11-01T00:00:00Z"), name: "FAQ" },
		{ accountId: "acme", id: "d2", createdAt: t("2026-11-01T00:00:00Z"), name: "Empty" },
		{ accountId: "other", id: "d3", createdAt: t("2026-11-01T00:00:00Z"), name: "Theirs" },
	],
	records: [
		{ accountId: "acme", id: "rec1", createdAt: t("2026-11-01T00:00:00Z"), datasetId: "d1" },
		{ accountId: "acme", id: "rec2", createdAt: t("2026-11-01T00:00:00Z"), datasetId: "d1" },
		{ accountId: "acme", id: "rec3", createdAt: t("2026-11-01T00:00:00Z"), datasetId: "d1" },
		{ accountId: "other", id: "rec1", createdAt: t("2026-11-01T00:00:00Z"), datasetId: "d3" },
	],
};

export const fixture = {
	snapshot,
	/** An account with nothing but conversations at the given instants. */
	withConversationsAt: (accountId: string, instants: ReadonlyArray<number>): DataSnapshot => ({
		...emptySnapshot,
		accounts: [snapshot.accounts[0] as DataSnapshot["accounts"][number]],
		conversations: instants.map((instant, index) => ({
			accountId,
			id: `conversation-${index}`,
			createdAt: new Date(instant),
			botId: null,
			contactId: null,
		})),
	}),
};
