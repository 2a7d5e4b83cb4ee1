/**
 * Plain row shapes of the tenant data, as the repositories and the in-memory reference layer see them.
 * Times are `Date` instants; every row belongs to `accountId`.
 */
export interface AccountRow {
	readonly id: string;
	readonly name: string;
	readonly createdAt: Date;
	readonly limits: AccountLimits;
}

export interface AccountLimits {
	readonly datasets: number | null;
	readonly records: number | null;
	readonly skillsets: number | null;
	readonly abilities: number | null;
	readonly files: number | null;
}

export interface ContactRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly name: string | null;
	readonly email: string | null;
	readonly nick: string | null;
}

export interface BotRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly name: string | null;
}

export interface ConversationRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly botId: string | null;
	readonly contactId: string | null;
}

export interface MessageRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly conversationId: string;
	/** `user`, `bot`, `activity`, or any other platform type (only Total Messages counts those). */
	readonly type: string;
	readonly tokens: number;
	readonly actionType: string | null;
	readonly actionName: string | null;
}

export interface RatingRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	/** −100..100; > 0 is thumbs up, < 0 thumbs down, 0 counts only in the total. */
	readonly value: number;
	readonly reason: string | null;
	readonly botId: string | null;
	readonly conversationId: string | null;
	readonly messageId: string | null;
	readonly contactId: string | null;
}

export interface DatasetRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly name: string | null;
}

export interface RecordRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly datasetId: string;
}

export interface SimpleRow {
	readonly accountId: string;
	readonly id: string;
	readonly createdAt: Date;
	readonly name: string | null;
}

export interface AbilityRow extends SimpleRow {
	readonly skillsetId: string | null;
}

/** A whole tenant-data snapshot; used by the in-memory repository layer, tests and the reference computation. */
export interface DataSnapshot {
	readonly accounts: ReadonlyArray<AccountRow>;
	readonly contacts: ReadonlyArray<ContactRow>;
	readonly bots: ReadonlyArray<BotRow>;
	readonly conversations: ReadonlyArray<ConversationRow>;
	readonly messages: ReadonlyArray<MessageRow>;
	readonly ratings: ReadonlyArray<RatingRow>;
	readonly datasets: ReadonlyArray<DatasetRow>;
	readonly records: ReadonlyArray<RecordRow>;
	readonly skillsets: ReadonlyArray<SimpleRow>;
	readonly abilities: ReadonlyArray<AbilityRow>;
	readonly files: ReadonlyArray<SimpleRow>;
}
