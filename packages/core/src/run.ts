import { Context, Deferred, Effect, Layer } from "effect";
import type { z } from "zod";
import { InvalidInput, type ReportError, ReportNotFound, ReportTimeout } from "./errors.ts";
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

export type BatchResult<A> =
	| { readonly ok: true; readonly value: A }
	| { readonly ok: false; readonly error: ReportError };

export type BatchResults<Requests> = { [Id in keyof Requests]: BatchResult<OutputOf<Id & string>> };

// ---------------------------------------------------------------------------------------------------------------
// Input validation

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
	path.reduce<unknown>(
		(value, key) =>
			value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined,
		input,
	);

const describeBound = (issue: z.core.$ZodIssue, input: unknown): string => {
	const field = issue.path.length === 0 ? "input" : issue.path.map(String).join(".");
	switch (issue.code) {
		case "too_small": {
			if (issue.origin === "array") return `${field} must contain at least ${issue.minimum} item(s)`;
			if (issue.origin === "string") return `${field} must be at least ${issue.minimum} character(s) long`;
			return `${field} must be ${issue.inclusive === false ? "greater than" : "at least"} ${issue.minimum}`;
		}
		case "too_big": {
			if (issue.origin === "array") return `${field} must contain at most ${issue.maximum} item(s)`;
			if (issue.origin === "string") return `${field} must be at most ${issue.maximum} character(s) long`;
			return `${field} must be ${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}`;
		}
		case "invalid_type":
			if (valueAt(input, issue.path) === undefined) return `${field} is required`;
			return issue.expected === "int" ? `${field} must be an integer` : `${field} must be of type ${issue.expected}`;
		case "invalid_value":
			return `${field} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
		case "invalid_format":
			return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
		default:
			return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
	}
};

const parseInput = <S extends z.ZodType>(schema: S, rawInput: unknown): Effect.Effect<z.output<S>, InvalidInput> => {
	const candidate = rawInput === undefined || rawInput === null ? {} : rawInput;
	if (typeof candidate !== "object" || Array.isArray(candidate)) {
		return Effect.fail(new InvalidInput({ message: "The report input must be a JSON object" }));
	}
	const parsed = schema.safeParse(candidate);
	if (parsed.success) return Effect.succeed(parsed.data);
	const issue = parsed.error.issues[0];
	if (issue === undefined) return Effect.fail(new InvalidInput({ message: "Invalid report input" }));
	const field = issue.path.length === 0 ? undefined : issue.path.map(String).join(".");
	return Effect.fail(
		new InvalidInput(
			field === undefined
				? { message: describeBound(issue, candidate) }
				: { message: describeBound(issue, candidate), field },
		),
	);
};

// ---------------------------------------------------------------------------------------------------------------
// Running

/**
 * Runs one report: parses the input (unknown keys ignored) and runs the program under the `ReportTimeoutMs` limit.
 * Period reports use the input's `timezone`, else `ctx.timezone`, else UTC, and reject an unknown zone (field
 * `timezone`); reports without a period ignore the header.
 */
export const generateReport = <const Id extends string>(
	id: Id,
	rawInput: unknown,
	ctx: GenerateContext,
): Effect.Effect<OutputOf<Id>, ReportError, ReportServices> =>
	Effect.gen(function* () {
		if (!isReportId(id)) return yield* new ReportNotFound({ reportId: id });
		const report = reportsById[id];
		const timezone = ctx.timezone ?? "UTC";
		const input = yield* parseInput(report.input, rawInput);
		const timeoutMs = yield* ReportTimeoutMs;
		// The registry is a union of reports; each `run` accepts exactly its own parsed input.
		const run = report.run as (
			input: unknown,
			context: { accountId: string; timezone: string },
		) => Effect.Effect<unknown, ReportError, ReportServices>;
		return (yield* run(input, { accountId: ctx.accountId, timezone }).pipe(
			Effect.timeoutOrElse({
				duration: timeoutMs,
				orElse: () => Effect.fail(new ReportTimeout({ reportId: id, timeoutMs })),
			}),
			Effect.withSpan("Reports.generate", { attributes: { reportId: id } }),
		)) as OutputOf<Id>;
	});

/**
 * Runs a batch concurrently; each report fails alone. Within the batch identical repository calls (same method,
 * same arguments) run once and share their result.
 */
export const generateBatch = <const Requests extends Record<string, unknown>>(
	requests: Requests,
	ctx: GenerateContext,
): Effect.Effect<BatchResults<Requests>, never, ReportServices> =>
	Effect.gen(function* () {
		const memoized = yield* Layer.build(memoizedRepositories).pipe(Effect.scoped);
		const entries = yield* Effect.forEach(
			Object.entries(requests),
			([id, input]) =>
				generateReport(id, input, ctx).pipe(
					Effect.map((value): BatchResult<unknown> => ({ ok: true, value })),
					Effect.catch((error: ReportError) => Effect.succeed<BatchResult<unknown>>({ ok: false, error })),
					Effect.provideContext(memoized),
					Effect.map((result) => [id, result] as const),
				),
			{ concurrency: "unbounded" },
		);
		return Object.fromEntries(entries) as BatchResults<Requests>;
	});

// ---------------------------------------------------------------------------------------------------------------
// Per-batch memoization of repository calls

/** Repository arguments are plain data and `Date`s, which JSON renders as ISO strings. */
const keyOf = (method: string, args: ReadonlyArray<unknown>): string => `${method}:${JSON.stringify(args)}`;

const makeMemo = () => {
	const cache = new Map<string, Deferred.Deferred<unknown, unknown>>();
	const memo = <A, E>(key: string, call: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
		Effect.suspend(() => {
			const existing = cache.get(key) as Deferred.Deferred<A, E> | undefined;
			if (existing !== undefined) return Deferred.await(existing);
			const deferred = Deferred.makeUnsafe<A, E>();
			cache.set(key, deferred as Deferred.Deferred<unknown, unknown>);
			return call().pipe(
				Effect.exit,
				Effect.flatMap((exit) => Deferred.done(deferred, exit)),
				Effect.onInterrupt(() =>
					Effect.sync(() => {
						// The first caller gave up (e.g. timed out): later callers retry instead of waiting forever.
						cache.delete(key);
						Deferred.doneUnsafe(deferred, memo(key, call));
					}),
				),
				Effect.andThen(Deferred.await(deferred)),
			);
		});
	return memo;
};

/** Wraps every method of a service so that identical calls share one execution. */
const memoizeService = <S extends Record<string, (...args: Array<never>) => Effect.Effect<unknown, unknown>>>(
	name: string,
	service: S,
	memo: ReturnType<typeof makeMemo>,
): S =>
	Object.fromEntries(
		Object.entries(service).map(([method, fn]) => [
			method,
			(...args: Array<never>) => memo(keyOf(`${name}.${method}`, args), () => fn(...args)),
		]),
	) as S;

/** A layer that replaces both repositories with per-instance memoizing wrappers of the ambient ones. */
export const memoizedRepositories = Layer.effectContext(
	Effect.gen(function* () {
		const activity = yield* ActivityRepository;
		const accounts = yield* AccountRepository;
		const memo = makeMemo();
		return Context.make(ActivityRepository, memoizeService("activity", activity, memo)).pipe(
			Context.add(AccountRepository, memoizeService("accounts", accounts, memo)),
		);
	}),
);
