import { seededRandom } from "../random.ts";
import type {
	AbilityRow,
	AccountRow,
	BotRow,
	ContactRow,
	ConversationRow,
	DataSnapshot,
	DatasetRow,
	MessageRow,
	RatingRow,
	RecordRow,
	SimpleRow,
} from "../rows.ts";
import { addDays, localDate, startOfLocalDay } from "../time/zone.ts";

export interface RandomSnapshotOptions {
	readonly seed: number;
	/** The instant reports will be generated at. */
	readonly now: number;
	/** Events are placed exactly on local midnights and hours of this zone too. */
	readonly timezone: string;
	/** How far back the data reaches (days). Default 70. */
	readonly spanDays?: number;
	/** Accounts to generate (they share contact, bot, conversation and dataset ids). Default 3. */
	readonly accounts?: number;
	/** Rough number of conversations per account. Default 120. */
	readonly conversationsPerAccount?: number;
}

const DAY_MS = 86_400_000;
const messageTypes = ["user", "user", "user", "bot", "bot", "activity", "system", "tool"] as const;
const ratingValues = [-100, -50, -1, 0, 0, 1, 5, 100] as const;
const actionTypes = ["search", "http", "email", null] as const;
const actionNames = ["lookup", "create", "notify", null] as const;
const limitChoices = [null, null, 0, 1, 3, 5, 8, 10, 50] as const;

/**
 * A random multi-account snapshot with the awkward cases the reports must handle: shared ids across accounts,
 * conversations without contact or bot, ratings with value 0 or without bot, message types other than
 * user/bot/activity, activity messages without action, conversations with 10–20 user messages, events exactly
 * on local day and hour boundaries, bursts on recent days (to trip alerts) and a few rows in the near future.
 */
export const randomSnapshot = (options: RandomSnapshotOptions): DataSnapshot => {
	const random = seededRandom(options.seed);
	const spanDays = options.spanDays ?? 70;
	const accountCount = options.accounts ?? 3;
	const perAccount = options.conversationsPerAccount ?? 120;
	const { now, timezone } = options;
	const today = localDate(timezone, now);

	const randomInstant = (): number => {
		const roll = random.next();
		if (roll < 0.12) {
			// exactly on a local midnight
			return startOfLocalDay(timezone, addDays(today, -random.int(0, spanDays)));
		}
		if (roll < 0.18) {
			// exactly on a local hour (midnight + whole hours in UTC terms, which stays on :00 in most zones)
			return startOfLocalDay(timezone, addDays(today, -random.int(0, spanDays))) + random.int(0, 23) * 3_600_000;
		}
		if (roll < 0.22) {
			// one millisecond before a local midnight
			return startOfLocalDay(timezone, addDays(today, -random.int(0, spanDays))) - 1;
		}
		if (roll < 0.35) {
			// recent burst
			return now - random.int(0, 3 * DAY_MS);
		}
		if (roll < 0.37) return now + random.int(1, DAY_MS); // slightly in the future
		return now - random.int(0, spanDays * DAY_MS);
	};

	const accounts: Array<AccountRow> = [];
	const contacts: Array<ContactRow> = [];
	const bots: Array<BotRow> = [];
	const conversations: Array<ConversationRow> = [];
	const messages: Array<MessageRow> = [];
	const ratings: Array<RatingRow> = [];
	const datasets: Array<DatasetRow> = [];
	const records: Array<RecordRow> = [];
	const skillsets: Array<SimpleRow> = [];
	const abilities: Array<AbilityRow> = [];
	const files: Array<SimpleRow> = [];

	for (let a = 0; a < accountCount; a++) {
		const accountId = `acct-${a}`;
		accounts.push({
			id: accountId,
			name: `Account ${a}`,
			createdAt: new Date(now - spanDays * DAY_MS * 2),
			limits: {
				datasets: random.pick(limitChoices),
				records: random.pick(limitChoices),
				skillsets: random.pick(limitChoices),
				abilities: random.pick(limitChoices),
				files: random.pick(limitChoices),
			},
		});
		const contactCount = random.int(3, 40);
		for (let c = 0; c < contactCount; c++) {
			contacts.push({
				accountId,
				id: `contact-${c}`,
				createdAt: new Date(random.chance(0.3) ? now - random.int(0, 400) * DAY_MS : randomInstant()),
				name: random.chance(0.5) ? `Name ${c}` : null,
				email: random.chance(0.5) ? `c${c}@example.com` : null,
				nick: random.chance(0.5) ? `nick${c}` : null,
			});
		}
		const botCount = random.int(1, 4);
		for (let b = 0; b < botCount; b++) {
			bots.push({
				accountId,
				id: `bot-${b}`,
				createdAt: new Date(now - random.int(0, 200) * DAY_MS),
				name: random.chance(0.8) ? `Bot ${b}` : null,
			});
		}
		const conversationCount = random.int(Math.floor(perAccount / 2), perAccount);
		let messageSeq = 0;
		for (let v = 0; v < conversationCount; v++) {
			const createdAt = randomInstant();
			const conversation: ConversationRow = {
				accountId,
				id: `conv-${v}`,
				createdAt: new Date(createdAt),
				botId: random.chance(0.85) ? `bot-${random.int(0, botCount - 1)}` : null,
				contactId: random.chance(0.8) ? `contact-${random.int(0, contactCount - 1)}` : null,
			};
			conversations.push(conversation);
			const messageCount = random.chance(0.15) ? 0 : random.int(1, random.chance(0.1) ? 16 : 6);
			// Some conversations are long: 10–20 user messages on top, so both sides of the long depth bucket's edge
			// are reached (mixed messages alone rarely give a conversation more than 10 user messages).
			const longRun = random.chance(0.08) ? random.int(10, 20) : 0;
			for (let m = 0; m < longRun + messageCount; m++) {
				const type = m < longRun ? "user" : random.pick(messageTypes);
				const sentAt = random.chance(0.1)
					? randomInstant()
					: createdAt + random.int(0, random.chance(0.2) ? 3 * DAY_MS : 3_600_000);
				messages.push({
					accountId,
					id: `msg-${messageSeq++}`,
					createdAt: new Date(sentAt),
					conversationId: conversation.id,
					type,
					tokens: random.chance(0.1) ? 0 : random.int(1, 400),
					actionType: type === "activity" ? random.pick(actionTypes) : null,
					actionName: type === "activity" ? random.pick(actionNames) : null,
				});
			}
			if (random.chance(0.45)) {
				const ratingCount = random.int(1, 3);
				for (let r = 0; r < ratingCount; r++) {
					ratings.push({
						accountId,
						id: `rating-${v}-${r}`,
						createdAt: new Date(random.chance(0.5) ? createdAt + random.int(0, DAY_MS) : randomInstant()),
						value: random.pick(ratingValues),
						reason: random.chance(0.5) ? `reason ${r}` : null,
						botId: random.chance(0.85) ? conversation.botId : `bot-${random.int(0, botCount - 1)}`,
						conversationId: random.chance(0.9) ? conversation.id : null,
						messageId: random.chance(0.5) ? `msg-${Math.max(0, messageSeq - 1)}` : null,
						contactId: random.chance(0.8) ? conversation.contactId : null,
					});
				}
			}
		}
		const datasetCount = random.int(0, 4);
		for (let d = 0; d < datasetCount; d++) {
			datasets.push({ accountId, id: `dataset-${d}`, createdAt: new Date(now - DAY_MS), name: `Dataset ${d}` });
			const recordCount = random.int(0, 6);
			for (let r = 0; r < recordCount; r++) {
				records.push({
					accountId,
					id: `record-${d}-${r}`,
					createdAt: new Date(now - DAY_MS),
					datasetId: `dataset-${d}`,
				});
			}
		}
		for (let s = 0; s < random.int(0, 6); s++) {
			skillsets.push({ accountId, id: `skillset-${s}`, createdAt: new Date(now - DAY_MS), name: null });
			abilities.push({
				accountId,
				id: `ability-${s}`,
				createdAt: new Date(now - DAY_MS),
				name: null,
				skillsetId: random.chance(0.5) ? `skillset-${s}` : null,
			});
		}
		for (let f = 0; f < random.int(0, 6); f++) {
			files.push({ accountId, id: `file-${f}`, createdAt: new Date(now - DAY_MS), name: `file ${f}` });
		}
	}
	return { accounts, contacts, bots, conversations, messages, ratings, datasets, records, skillsets, abilities, files };
};
