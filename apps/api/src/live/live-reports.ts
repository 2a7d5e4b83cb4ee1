import type { ChangeFeed } from "./change-feed.ts";
import type { WatchLimiter } from "./watch-limit.ts";

/** What a live report needs from the server that holds it (built once per server, see `server.ts`). */
export interface LiveReports {
	readonly feed: ChangeFeed;
	readonly limiter: WatchLimiter;
	/** The account's data version, read where the reports are read. */
	readonly readVersion: (accountId: string) => Promise<string>;
	/** At most one result per this many milliseconds per watch (contract: 1 s). */
	readonly minIntervalMs: number;
	/** A comment line is written this often on a REST stream to keep proxies from closing it (contract: 15 s). */
	readonly heartbeatMs: number;
	/** Aborted when the server starts closing: every watch ends so the server can stop. */
	readonly closing: AbortSignal;
	readonly onError: (error: unknown) => void;
}

export interface LiveReportOptions {
	/** Open watches per account across every API process on the database; default 20. */
	readonly perAccount?: number;
	/** How often each watched account's data version is polled; default 250 ms. */
	readonly pollMs?: number;
	/** Default 1,000 ms. */
	readonly minIntervalMs?: number;
	/** Default 15,000 ms. */
	readonly heartbeatMs?: number;
}
