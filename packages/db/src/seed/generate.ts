import { type Random, seededRandom, weightedSampler, zipfSampler } from "@convolens/core/random";

/**
 * A reproducible generator of realistic platform activity, emitted as ingest request bodies (contract §2.1), so demo
 * data and benchmark data go through the same write path as a real platform's.
 *
 * Shape: a few bots and contacts get most of the traffic (Zipf), traffic follows a daily and weekly rhythm with a
 * slow upward trend, conversations alternate user and bot messages with occasional named actions, bot messages
 * cost more tokens than user messages, and a few percent of bot messages are rated (about a quarter negatively).
 */
export interface ActivityOptions {
	readonly seed: number;
	/** The last instant of generated activity; days are counted back from here. */
	readonly now: Date;
	readonly days: number;
	/** Number of messages to generate: exactly this many (the last conversation of a day may end early). */
	readonly messages: number;
	readonly bots: number;
	readonly contacts: number;
	/** Mean messages per conversation (default 10). */
	readonly messagesPerConversation?: number;
	/** Items per emitted batch (default 5,000; the ingest limit is 10,000). */
	readonly batchItems?: number;
	/** Prefix for generated IDs, so several data sets can live in one account. */
	readonly idPrefix?: string;
	/**
	 * Prefix of the bot and contact IDs (default `idPrefix`): another data set's, so that new conversations come
	 * from the bots and contacts an account already has, as its current activity would.
	 */
	readonly parentPrefix?: string;
}

export interface GeneratedItem {
	readonly id: string;
	readonly createdAt: number;
	readonly [field: string]: unknown;
}

export type IngestBody = Partial<Record<IngestCollection, Array<GeneratedItem>>>;

export type IngestCollection =
	| "contacts"
	| "bots"
	| "datasets"
	| "skillsets"
	| "conversations"
	| "messages"
	| "ratings"
	| "records"
	| "abilities"
	| "files";

const DAY_MS = 86_400_000;

/** Relative traffic by UTC hour: quiet nights, a working-day plateau, an evening tail. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 1.5, 2, 3, 5, 7, 9, 10, 10, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1.5];
/** Relative traffic by weekday, Sunday first. */
const WEEKDAY_WEIGHTS = [0.55, 1, 1.05, 1.05, 1, 0.95, 0.6];

const ACTIONS = [
	{ type: "tool", name: "search_knowledge_base" },
	{ type: "tool", name: "lookup_order" },
	{ type: "tool", name: "create_ticket" },
	{ type: "handoff", name: "human_agent" },
	{ type: "integration", name: "send_email" },
	{ type: "tool", name: "book_meeting" },
	{ type: "integration", name: "update_crm" },
	{ type: "tool", name: "calculate_quote" },
] as const;

const NEGATIVE_REASONS = [
	"The answer was wrong",
	"It did not understand my question",
	"Too slow to respond",
	"Could not find my order",
	"Not helpful",
	null,
];
const POSITIVE_REASONS = ["Helpful", "Solved my problem", "Quick and clear", null, null];

const FIRST_NAMES = ["Ada", "Ben", "Chloé", "Dev", "Elif", "Farah", "Goran", "Hana", "Ivan", "Jun", "Kemal", "Lena"];
const LAST_NAMES = ["Ng", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Tanaka", "Umar", "Varga", "Weber", "Xu"];
const BOT_NAMES = ["Support", "Sales", "Onboarding", "Billing", "Docs", "Returns", "Booking", "HR", "IT Helpdesk"];

export const contactId = (prefix: string, index: number) => `${prefix}ct_${index.toString(36).padStart(5, "0")}`;
export const botId = (prefix: string, index: number) => `${prefix}bot_${String(index + 1).padStart(2, "0")}`;

function* chunked(collection: IngestCollection, items: Iterable<GeneratedItem>, size: number): Generator<IngestBody> {
	let batch: Array<GeneratedItem> = [];
	for (const item of items) {
		batch.push(item);
		if (batch.length >= size) {
			yield { [collection]: batch };
			batch = [];
		}
	}
	if (batch.length > 0) yield { [collection]: batch };
}

const contactItem = (random: Random, prefix: string, index: number, createdAt: number): GeneratedItem => {
	const first = random.pick(FIRST_NAMES);
	const last = random.pick(LAST_NAMES);
	// Some contacts are anonymous or only known by email, as in real widgets.
	const known = random.next();
	return {
		id: contactId(prefix, index),
		createdAt,
		name: known < 0.6 ? `${first} ${last}` : null,
		email: known < 0.85 ? `${first}.${last}.${index}@example.com`.toLowerCase() : null,
		nick: known >= 0.85 && known < 0.95 ? `${first.toLowerCase()}${index}` : null,
	};
};

/**
 * The activity of one data set in two phases: `parents` (bots, then contacts) must be stored before `events`
 * (conversations with their messages and ratings, oldest first), whose batches are independent of each other and
 * can be written concurrently. Each phase has its own seeded stream, so both are reproducible on their own.
 */
export const generateActivity = (options: ActivityOptions) => ({
	parents: () => generateParents(options),
	events: () => generateEvents(options),
});

const windowOf = (options: ActivityOptions) => {
	const end = options.now.getTime();
	const start = end - options.days * DAY_MS;
	// A third of contacts existed before the window; the rest sign up steadily during it.
	const contactCreatedAt = (index: number, random: Random) =>
		index < options.contacts / 3
			? start - DAY_MS * random.int(1, 365)
			: start + Math.floor(((index - options.contacts / 3) / (options.contacts * (2 / 3))) * (end - start));
	// A contact can't talk before it exists (those that existed before the window can talk from its start).
	const contactReadyAt = (index: number) =>
		index < options.contacts / 3
			? start
			: start + Math.floor(((index - options.contacts / 3) / (options.contacts * (2 / 3))) * (end - start));
	return { start, end, contactCreatedAt, contactReadyAt };
};

function* generateParents(options: ActivityOptions): Generator<IngestBody> {
	const random = seededRandom(options.seed);
	const prefix = options.parentPrefix ?? options.idPrefix ?? "";
	const batchItems = options.batchItems ?? 5_000;
	const { start, contactCreatedAt } = windowOf(options);
	const bots = Array.from({ length: options.bots }, (_, index) => ({
		id: botId(prefix, index),
		createdAt: start - DAY_MS * (30 + index),
		name: `${BOT_NAMES[index % BOT_NAMES.length]}${index >= BOT_NAMES.length ? ` ${Math.floor(index / BOT_NAMES.length) + 1}` : ""}`,
	}));
	yield* chunked("bots", bots, batchItems);

	const contacts = function* () {
		for (let index = 0; index < options.contacts; index++) {
			yield contactItem(random, prefix, index, contactCreatedAt(index, random));
		}
	};
	yield* chunked("contacts", contacts(), batchItems);
}

function* generateEvents(options: ActivityOptions): Generator<IngestBody> {
	const random = seededRandom(options.seed + 1);
	const prefix = options.idPrefix ?? "";
	const parentPrefix = options.parentPrefix ?? prefix;
	const batchItems = options.batchItems ?? 5_000;
	const perConversation = Math.max(2, options.messagesPerConversation ?? 10);
	const { start, end, contactReadyAt } = windowOf(options);
	const pickBot = zipfSampler(options.bots, 1.1, random);
	const pickContact = zipfSampler(options.contacts, 0.9, random);
	const pickHour = weightedSampler(HOUR_WEIGHTS, random);
	const pickAction = zipfSampler(ACTIONS.length, 1.2, random);

	const dayWeights = Array.from({ length: options.days }, (_, day) => {
		const weekday = new Date(start + day * DAY_MS).getUTCDay();
		return WEEKDAY_WEIGHTS[weekday]! * (1 + (0.3 * day) / options.days) * (0.9 + 0.2 * random.next());
	});
	const weightSum = dayWeights.reduce((sum, weight) => sum + weight, 0);
	// Where each day's share of the messages ends: the rounded cumulative share, the last day's at `messages` exactly.
	const shareEnds: Array<number> = [];
	let weightSoFar = 0;
	for (const weight of dayWeights) {
		weightSoFar += weight;
		shareEnds.push(Math.round((options.messages * weightSoFar) / weightSum));
	}
	shareEnds[shareEnds.length - 1] = options.messages;
	// Per turn: a user message, a bot reply, sometimes an action (0.18) or a system message (0.01); 4% have no turns.
	const meanTurns = Math.max(1, perConversation / 2.19 / 0.96);

	let conversationIndex = 0;
	let messageIndex = 0;
	let ratingIndex = 0;
	let pending: Required<Pick<IngestBody, "conversations" | "messages" | "ratings">> = {
		conversations: [],
		messages: [],
		ratings: [],
	};
	let pendingItems = 0;

	for (let day = 0; day < options.days; day++) {
		// Conversations start on this day until its share of messages is written; the last one ends at the share.
		const dayEnd = shareEnds[day]!;
		const dayStart = start + day * DAY_MS;
		while (messageIndex < dayEnd) {
			const createdAt = dayStart + pickHour() * 3_600_000 + random.int(0, 3_599_999);
			if (createdAt > end) continue;
			const conversationId = `${prefix}cv_${(conversationIndex++).toString(36)}`;
			const bot = random.chance(0.02) ? null : botId(parentPrefix, pickBot());
			let contact: string | null = null;
			if (!random.chance(0.08)) {
				const index = pickContact();
				if (contactReadyAt(index) <= createdAt) contact = contactId(parentPrefix, index);
			}
			pending.conversations.push({ id: conversationId, createdAt, botId: bot, contactId: contact });
			pendingItems++;

			// 4% are opened and never answered: only the bot's greeting.
			const turns = random.chance(0.04) ? 0 : 1 + Math.floor(-Math.log(1 - random.next()) * (meanTurns - 0.5));
			let at = createdAt;
			const push = (type: string, tokens: number, action?: { type: string; name: string }) => {
				at += random.int(2_000, 90_000);
				if (at > end || messageIndex >= dayEnd) return undefined;
				const id = `${prefix}m_${(messageIndex++).toString(36)}`;
				pending.messages.push({ id, createdAt: at, conversationId, type, tokens, ...(action ? { action } : {}) });
				pendingItems++;
				return id;
			};
			if (turns === 0) push("bot", random.int(20, 80));
			for (let turn = 0; turn < turns; turn++) {
				push("user", random.int(5, 120));
				if (random.chance(0.18)) push("activity", random.int(0, 40), ACTIONS[pickAction()]);
				if (random.chance(0.01)) push("system", 0);
				const reply = push("bot", random.int(40, 900));
				if (reply && random.chance(0.03)) {
					const negative = random.chance(0.26);
					const value = random.chance(0.01) ? 0 : negative ? (random.chance(0.9) ? -1 : -random.int(20, 100)) : 1;
					pending.ratings.push({
						id: `${prefix}r_${(ratingIndex++).toString(36)}`,
						createdAt: Math.min(end, at + random.int(1_000, 600_000)),
						value,
						reason: random.pick(value < 0 ? NEGATIVE_REASONS : POSITIVE_REASONS),
						botId: bot,
						conversationId,
						messageId: reply,
						contactId: contact,
					});
					pendingItems++;
				}
			}
			if (pendingItems >= batchItems) {
				yield pending;
				pending = { conversations: [], messages: [], ratings: [] };
				pendingItems = 0;
			}
		}
	}
	if (pendingItems > 0) yield pending;
}

/** Knowledge-base resources for a demo account: datasets with records, skillsets with abilities, and files. */
export function* generateResources(options: {
	readonly seed: number;
	readonly now: Date;
	readonly datasets: number;
	readonly recordsPerDataset: number;
	readonly skillsets: number;
	readonly abilities: number;
	readonly files: number;
}): Generator<IngestBody> {
	const random = seededRandom(options.seed);
	const at = () => options.now.getTime() - random.int(1, 80) * DAY_MS;
	const names = ["Product FAQ", "Return policy", "Pricing", "Troubleshooting", "Release notes"];
	const datasets = Array.from({ length: options.datasets }, (_, index) => ({
		id: `ds_${index + 1}`,
		createdAt: at(),
		name: names[index % names.length],
	}));
	const skillsets = Array.from({ length: options.skillsets }, (_, index) => ({
		id: `sk_${index + 1}`,
		createdAt: at(),
		name: `Skillset ${index + 1}`,
	}));
	yield { datasets, skillsets };
	const records = function* () {
		for (const dataset of datasets) {
			for (let index = 0; index < options.recordsPerDataset; index++) {
				yield { id: `${dataset.id}_rec_${index}`, createdAt: at(), datasetId: dataset.id };
			}
		}
	};
	yield* chunked("records", records(), 5_000);
	yield {
		abilities: Array.from({ length: options.abilities }, (_, index) => ({
			id: `ab_${index + 1}`,
			createdAt: at(),
			name: `Ability ${index + 1}`,
			skillsetId: skillsets.length > 0 ? skillsets[index % skillsets.length]!.id : null,
		})),
		files: Array.from({ length: options.files }, (_, index) => ({
			id: `file_${index + 1}`,
			createdAt: at(),
			name: `document-${index + 1}.pdf`,
		})),
	};
}
