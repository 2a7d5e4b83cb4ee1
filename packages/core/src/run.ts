import { Clock, Context, Effect, Layer } from "effect";
import { calendarKey, type Memo, makeMemo, ResultCache, type ResultCacheService } from "./cache.ts";
import {
	failureOf,
	InvalidInput,
	type ReportError,
	type ReportFailure,
	ReportNotFound,
	ReportTimeout,
} from "./errors.ts";
import { parseInput } from "./input.ts";
import { countCacheLookup, timeReport } from "./metrics.ts";
import { pinReads } from "./report-reads.ts";
import { isReportId, type ReportId, type ReportOutput, reportsById } from "./reports/registry.ts";
import type { ReportServices } from "./reports/shared.ts";
import { AccountRepository, ActivityRepository } from "./repositories.ts";

/** Per-report time limit in milliseconds (default 10 s); provide a different value to configure it. */
export const ReportTimeoutMs = Context.Reference<number>("@convolens/core/ReportTimeoutMs", {
	defaultValue: () => 10_000,
});

export interface GenerateContext {
	readonly accountId: string;
	/** From the `X-Timezone` header; used when the input has no `timezone`. Default UTC. */
	readonly timezone?: string | undefined;
}

export type OutputOf<Id extends string> = Id extends ReportId ? ReportOutput<Id> : unknown;

/** One report's result in a batch, in the shape the wire carries (tRPC as is, REST mapped once). */
export type BatchResult<A> =
	| { readonly ok: true; readonly data: A }
	| { readonly ok: false; readonly error: ReportFailure };

export type BatchResults<Requests> = { [Id in keyof Requests]: BatchResult<OutputOf<Id & string>> };

// ---------------------------------------------------------------------------------------------------------------
// Input validation

/**
 * A window is `periodDays` or `startDate`/`endDate`, never both: a caller sending both meant one of them, and
 * answering for either would be a guess.
 */
const oneWindowOnly = (rawInput: unknown): Effect.Effect<void, InvalidInput> => {
	if (rawInput === null || typeof rawInput !== "object") return Effect.void;
	const input = rawInput as Record<string, unknown>;
	if (input.periodDays === undefined || (input.startDate === undefined && input.endDate === undefined)) {
		return Effect.void;
	}
	return Effect.fail(
		new InvalidInput({
			message: "periodDays cannot be combined with startDate/endDate: send periodDays or the two dates",
			field: "periodDays",
		}),
	);
};

// ---------------------------------------------------------------------------------------------------------------
// Running

/** Runs one report with whatever repositories are in context (see `generateReport`). */
const runReport = <const Id extends string>(
	id: Id,
	rawInput: unknown,
	ctx: GenerateContext,
): Effect.Effect<OutputOf<Id>, ReportError, ReportServices> =>
	Effect.gen(function* () {
		if (!isReportId(id)) return yield* new ReportNotFound({ reportId: id });
		const report = reportsById[id];
		const timezone = ctx.timezone ?? "UTC";
		if ("periodDays" in report.input.shape) yield* oneWindowOnly(rawInput);
		const input = yield* parseInput(report.input, rawInput);
		const timeoutMs = yield* ReportTimeoutMs;
		// The registry is a union of reports; each `run` accepts exactly its own parsed input.
		const run = report.run as (
			input: unknown,
			context: { accountId: string; timezone: string },
		) => Effect.Effect<unknown, ReportError, ReportServices>;
		return (yield* timeReport(
			id,
			run(input, { accountId: ctx.accountId, timezone }).pipe(
				Effect.timeoutOrElse({
					duration: timeoutMs,
					orElse: () => Effect.fail(new ReportTimeout({ reportId: id, timeoutMs })),
				}),
				Effect.withSpan("Reports.generate", { attributes: { reportId: id } }),
			),
		)) as OutputOf<Id>;
	});

interface CachedRequest {
	readonly cache: ResultCacheService;
	readonly version: string;
	readonly accountId: string;
}

/** The cache and the account's data version for this request, or nothing when there is no cache or no version. */
const cacheFor = (accountId: string): Effect.Effect<CachedRequest | undefined> =>
	Effect.gen(function* () {
		const cache = yield* ResultCache;
		if (cache === undefined) return undefined;
		const version = yield* cache.dataVersion(accountId).pipe(Effect.orElseSucceed(() => undefined));
		return version === undefined ? undefined : { cache, version, accountId };
	});

/**
 * The key of a whole request: account, data version, today's dates in the zones it uses, and the request itself.
 * None (so the request is computed) for a body JSON cannot render, e.g. nested deeper than its recursion allows.
 */
const requestKey = (
	kind: string,
	version: string,
	ctx: GenerateContext,
	inputs: ReadonlyArray<unknown>,
	body: unknown,
): Effect.Effect<string | undefined> =>
	Effect.map(Clock.currentTimeMillis, (now) => {
		let text: string | undefined;
		try {
			text = JSON.stringify(body);
		} catch {
			return undefined;
		}
		return `${kind}\u0000${ctx.accountId}\u0000${version}\u0000${calendarKey(inputs, ctx.timezone ?? "UTC", now)}\u0000${ctx.timezone ?? ""}\u0000${text ?? ""}`;
	});

/** A failure that may not happen again: such a result is never kept. */
const isTransient = (failure: ReportFailure) => failure.tag === "ReportTimeout" || failure.tag === "StorageError";

/**
 * Runs one report: parses the input (unknown keys ignored) and runs the program under the `ReportTimeoutMs` limit.
 * Period reports use the input's `timezone`, else `ctx.timezone`, else UTC, and reject an unknown zone (field
 * `timezone`); reports without a period ignore the header. With a `ResultCache`, a repeated request at an unchanged
 * data version (and calendar day) is answered from the stored result. All of it reads where `ReportReads` places it.
 */
export const generateReport = <const Id extends string>(
	id: Id,
	rawInput: unknown,
	ctx: GenerateContext,
): Effect.Effect<OutputOf<Id>, ReportError, ReportServices> =>
	pinReads(
		ctx.accountId,
		Effect.gen(function* () {
			const cached = yield* cacheFor(ctx.accountId);
			if (cached === undefined) return yield* runReport(id, rawInput, ctx);
			const key = yield* requestKey(`report:${id}`, cached.version, ctx, [rawInput], rawInput);
			const hit = key === undefined ? undefined : cached.cache.requests.get(key);
			yield* countCacheLookup("request", hit !== undefined);
			if (hit !== undefined) return hit as OutputOf<Id>;
			const repositories = yield* Layer.build(memoizedRepositories(cached)).pipe(Effect.scoped);
			const value = yield* runReport(id, rawInput, ctx).pipe(Effect.provideContext(repositories));
			if (key !== undefined) cached.cache.requests.set(key, value);
			return value;
		}),
	);

/**
 * Runs a batch concurrently; each report fails alone. Within the batch identical repository calls (same method,
 * same arguments) run once and share their result; with a `ResultCache`, across requests too (see `cache.ts`).
 * All of it reads where `ReportReads` places it.
 */
export const generateBatch = <const Requests extends Record<string, unknown>>(
	requests: Requests,
	ctx: GenerateContext,
): Effect.Effect<BatchResults<Requests>, never, ReportServices> =>
	pinReads(
		ctx.accountId,
		Effect.gen(function* () {
			const cached = yield* cacheFor(ctx.accountId);
			const key =
				cached === undefined
					? undefined
					: yield* requestKey("batch", cached.version, ctx, Object.values(requests), requests);
			if (cached !== undefined && key !== undefined) {
				const hit = cached.cache.requests.get(key);
				yield* countCacheLookup("request", hit !== undefined);
				if (hit !== undefined) return hit as BatchResults<Requests>;
			}
			const memoized = yield* Layer.build(memoizedRepositories(cached)).pipe(Effect.scoped);
			const entries = yield* Effect.forEach(
				Object.entries(requests),
				([id, input]) =>
					runReport(id, input, ctx).pipe(
						Effect.map((data): BatchResult<unknown> => ({ ok: true, data })),
						Effect.catch((error: ReportError) =>
							Effect.succeed<BatchResult<unknown>>({ ok: false, error: failureOf(error) }),
						),
						Effect.provideContext(memoized),
						Effect.map((result) => [id, result] as const),
					),
				{ concurrency: "unbounded" },
			);
			const results = Object.fromEntries(entries) as BatchResults<Requests>;
			if (
				cached !== undefined &&
				key !== undefined &&
				entries.every(([, result]) => result.ok || !isTransient(result.error))
			) {
				cached.cache.requests.set(key, results);
			}
			return results;
		}),
	);

// ---------------------------------------------------------------------------------------------------------------
// Per-batch memoization of repository calls

/**
 * Repository arguments are plain data and `Date`s: their text is JSON's, with a `Date` written as `@` and its epoch
 * milliseconds (strings stay quoted, so no string reads the same). Several times faster than `JSON.stringify`, which
 * formats every boundary of a batch's calls as an ISO string.
 */
const argumentText = (value: unknown): string => {
	if (value instanceof Date) return `@${value.getTime()}`;
	if (Array.isArray(value)) {
		let text = "[";
		for (let index = 0; index < value.length; index++) text += `${index > 0 ? "," : ""}${argumentText(value[index])}`;
		return `${text}]`;
	}
	if (value !== null && typeof value === "object") {
		let text = "{";
		for (const [key, field] of Object.entries(value)) {
			if (field !== undefined) text += `${text.length > 1 ? "," : ""}${JSON.stringify(key)}:${argumentText(field)}`;
		}
		return `${text}}`;
	}
	return JSON.stringify(value) ?? "undefined";
};

const keyOf = (method: string, args: ReadonlyArray<unknown>): string => `${method}:${argumentText(args)}`;

/** The account a repository call reads: its first argument, an account ID or a scope naming one. */
const accountOf = (args: ReadonlyArray<unknown>): string | undefined => {
	const first = args[0];
	if (typeof first === "string") return first;
	if (first !== null && typeof first === "object" && "accountId" in first) {
		const accountId = (first as { accountId?: unknown }).accountId;
		return typeof accountId === "string" ? accountId : undefined;
	}
	return undefined;
};

/**
 * Wraps every method of a service so that identical calls share one execution; with a cache, a call reading the
 * account whose version was read is also looked up in (and stored to) the cache under that version, and shared with
 * the concurrent requests that make it at that version.
 */
const memoizeService = <S extends Record<string, (...args: Array<never>) => Effect.Effect<unknown, unknown>>>(
	name: string,
	service: S,
	memo: Memo,
	cached: CachedRequest | undefined,
): S =>
	Object.fromEntries(
		Object.entries(service).map(([method, fn]) => [
			method,
			(...args: Array<never>) => {
				const key = keyOf(`${name}.${method}`, args);
				if (cached === undefined || accountOf(args) !== cached.accountId) return memo(key, () => fn(...args));
				const cacheKey = `${cached.accountId}\u0000${cached.version}\u0000${key}`;
				return Effect.suspend(() => {
					const hit = cached.cache.calls.get(cacheKey);
					if (hit !== undefined) return Effect.as(countCacheLookup("call", true), hit);
					return Effect.andThen(
						countCacheLookup("call", false),
						memo(key, () =>
							cached.cache.running(cacheKey, () =>
								fn(...args).pipe(Effect.tap((value) => Effect.sync(() => cached.cache.calls.set(cacheKey, value)))),
							),
						),
					);
				});
			},
		]),
	) as S;

/**
 * A layer that replaces both repositories with per-instance memoizing wrappers of the ambient ones; given the
 * request's cache and data version (for `accountId`), the wrappers also share results across requests.
 */
export const memoizedRepositories = (cached?: CachedRequest) =>
	Layer.effectContext(
		Effect.gen(function* () {
			const activity = yield* ActivityRepository;
			const accounts = yield* AccountRepository;
			const memo = makeMemo({ keep: true });
			return Context.make(ActivityRepository, memoizeService("activity", activity, memo, cached)).pipe(
				Context.add(AccountRepository, memoizeService("accounts", accounts, memo, cached)),
			);
		}),
	);
