/**
 * Report work in flight, bounded per account, so one tenant's heavy traffic cannot take the database from the
 * others (contract §10). Each request costs what it asks for: a report over a window of up to 64 buckets costs 1,
 * and every further 64 buckets cost 1 more (a 30-day daily report 1, a 90-day hourly one 34); a batch costs the
 * sum of its reports. An account may have `capacity` units running; a request that does not fit waits in a queue
 * (first come, first served) for at most `queueMs`, then is refused with `429` and `Retry-After`. A request larger
 * than the whole capacity runs alone. `createWorkLimiter` counts in this process; `createSharedWorkLimiter` counts
 * across every API process on the database.
 */
import type { Lease, LeaseKeeper } from "./shared-leases.ts";

export interface WorkLimitOptions {
	/** Units an account may have running at once. Default 200: eight 22-report batches over 30 daily buckets fit. */
	readonly capacity: number;
	/** How long a request may wait for room before it is refused. Default 2 s. */
	readonly queueMs: number;
}

export const defaultWorkLimit: WorkLimitOptions = { capacity: 200, queueMs: 2_000 };

type Admission = { readonly admitted: true; readonly release: () => void } | { readonly admitted: false };

export interface WorkLimiter {
	/** Waits for room for `cost` units of the account's work; `release` gives them back. */
	readonly admit: (accountId: string, cost: number, signal?: AbortSignal) => Promise<Admission>;
	/** Units the account has running now (for tests and metrics). */
	readonly inFlight: (accountId: string) => number;
}

interface Waiter {
	readonly cost: number;
	readonly resolve: (admission: Admission) => void;
	done: boolean;
}

interface AccountWork {
	running: number;
	readonly queue: Array<Waiter>;
}

export const createWorkLimiter = (options: WorkLimitOptions = defaultWorkLimit): WorkLimiter => {
	const accounts = new Map<string, AccountWork>();

	const grant = (accountId: string, work: AccountWork, cost: number): Admission => {
		work.running += cost;
		let released = false;
		return {
			admitted: true,
			release: () => {
				if (released) return;
				released = true;
				work.running -= cost;
				drain(accountId, work);
			},
		};
	};

	/** Admits waiters from the head of the queue while they fit (in order: no overtaking). */
	const drain = (accountId: string, work: AccountWork) => {
		for (;;) {
			const head = work.queue[0];
			if (head === undefined) break;
			if (head.done) {
				work.queue.shift();
				continue;
			}
			if (!fits(work, head.cost)) break;
			work.queue.shift();
			head.done = true;
			head.resolve(grant(accountId, work, head.cost));
		}
		if (work.running === 0 && work.queue.length === 0) accounts.delete(accountId);
	};

	const fits = (work: AccountWork, cost: number) =>
		work.running === 0 || work.running + Math.min(cost, options.capacity) <= options.capacity;

	return {
		inFlight: (accountId) => accounts.get(accountId)?.running ?? 0,
		admit: (accountId, cost, signal) => {
			let work = accounts.get(accountId);
			if (work === undefined) {
				work = { running: 0, queue: [] };
				accounts.set(accountId, work);
			}
			const units = Math.max(1, Math.ceil(cost));
			if (work.queue.length === 0 && fits(work, units)) return Promise.resolve(grant(accountId, work, units));
			const account = work;
			if (signal?.aborted) return Promise.resolve({ admitted: false });
			return new Promise<Admission>((resolve) => {
				const waiter: Waiter = {
					cost: units,
					done: false,
					resolve: (admission) => {
						clearTimeout(timer);
						signal?.removeEventListener("abort", giveUp);
						resolve(admission);
					},
				};
				const giveUp = () => {
					if (waiter.done) return;
					waiter.done = true;
					waiter.resolve({ admitted: false });
					drain(accountId, account);
				};
				const timer = setTimeout(giveUp, options.queueMs);
				signal?.addEventListener("abort", giveUp, { once: true });
				account.queue.push(waiter);
			});
		},
	};
};

/**
 * The same bound shared by every API process on the database: a request first takes its place in this process's
 * queue (first come, first served among this process's requests), then its units as a lease in PostgreSQL (see
 * `shared-leases.ts`), retrying every 10–100 ms until the queue time is spent. If the store fails, the request runs:
 * a limit must not turn a database hiccup into refusals of every report.
 */
export const createSharedWorkLimiter = (
	options: WorkLimitOptions,
	leases: LeaseKeeper,
	onError: (error: unknown) => void = () => undefined,
): WorkLimiter => {
	const local = createWorkLimiter(options);
	return {
		inFlight: local.inFlight,
		admit: async (accountId, cost, signal) => {
			const deadline = Date.now() + options.queueMs;
			const admission = await local.admit(accountId, cost, signal);
			if (!admission.admitted) return admission;
			const units = Math.min(Math.max(1, Math.ceil(cost)), options.capacity);
			for (let pause = 10; ; pause = Math.min(pause * 2, 100)) {
				let lease: Lease | undefined;
				try {
					lease = await leases.acquire(accountId, "work", units, options.capacity);
				} catch (error) {
					onError(error);
					return admission;
				}
				if (lease !== undefined) {
					const held = lease;
					return {
						admitted: true,
						release: () => {
							admission.release();
							void held.release();
						},
					};
				}
				if (signal?.aborted || Date.now() + pause > deadline) {
					admission.release();
					return { admitted: false };
				}
				await new Promise((resolve) => setTimeout(resolve, pause));
			}
		},
	};
};

const BUCKETS_PER_UNIT = 64;
const DAY_MS = 86_400_000;

/** How many buckets a report input asks for, from its own fields (30 daily buckets when it names none). */
const bucketsOf = (input: unknown): number => {
	if (input === null || typeof input !== "object") return 1;
	const fields = input as Record<string, unknown>;
	let days = typeof fields.periodDays === "number" && Number.isFinite(fields.periodDays) ? fields.periodDays : 30;
	if (typeof fields.startDate === "string" && typeof fields.endDate === "string") {
		const span = (Date.parse(fields.endDate) - Date.parse(fields.startDate)) / DAY_MS + 1;
		if (Number.isFinite(span)) days = span;
	}
	days = Math.min(Math.max(days, 1), 366);
	switch (fields.granularity) {
		case "hour":
			return days * 24;
		case "week":
			return Math.ceil(days / 7);
		case "month":
			return Math.ceil(days / 28);
		default:
			return days;
	}
};

/** The units one report call costs (see the module comment). */
export const reportCost = (input: unknown): number => 1 + Math.floor((bucketsOf(input) - 1) / BUCKETS_PER_UNIT);

/** The units a batch costs: the sum of its reports'. */
export const batchCost = (inputs: Readonly<Record<string, unknown>>): number =>
	Object.values(inputs).reduce<number>((total, input) => total + reportCost(input), 0);
