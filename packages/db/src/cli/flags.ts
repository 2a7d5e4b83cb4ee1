import type { AccountLimits, Scope } from "@convolens/core";
import * as CliError from "effect/cli/CliError";
import * as Flag from "effect/cli/Flag";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";

/** Flags shared by several commands, each parsed to the type its command uses. */

export const positiveInteger = (name: string, description: string) =>
	Flag.Int(name).pipe(
		Flag.withDescription(description),
		Flag.filter(
			(value) => value > 0,
			() => "a positive integer",
		),
	);

export const accountId = Flag.String("account").pipe(Flag.withMetavar("id"), Flag.withDescription("the account's id"));

export const json = Flag.Boolean("json").pipe(
	Flag.withDescription("print JSON instead of a table"),
	Flag.withDefault(false),
);

const limitNames = ["datasets", "records", "skillsets", "abilities", "files"] as const satisfies ReadonlyArray<
	keyof AccountLimits
>;
// Fails to compile when AccountLimits gains a limit this list does not name.
const everyLimitNamed: [Exclude<keyof AccountLimits, (typeof limitNames)[number]>] extends [never] ? true : never =
	true;
void everyLimitNamed;

const parseLimits = (value: string): Partial<AccountLimits> => {
	let limits: unknown;
	try {
		limits = JSON.parse(value);
	} catch {
		throw new Error(`JSON, e.g. '{"files": 10}'`);
	}
	if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
		throw new Error("a JSON object");
	}
	for (const [key, limit] of Object.entries(limits)) {
		if (!(limitNames as ReadonlyArray<string>).includes(key))
			throw new Error(`unknown limit '${key}' (known: ${limitNames.join(", ")})`);
		if (limit !== null && !(Number.isSafeInteger(limit) && (limit as number) >= 0)) {
			throw new Error(`'${key}' as a non-negative integer or null`);
		}
	}
	return limits as Partial<AccountLimits>;
};

export const limits = Flag.String("limits").pipe(
	Flag.withMetavar("json"),
	Flag.withDescription(`plan limits as JSON, e.g. '{"files": 10}' (${limitNames.join(", ")}; null: unlimited)`),
	Flag.mapTryCatch(parseLimits, (error) => (error instanceof Error ? error.message : String(error))),
	Flag.optional,
);

/** Comma-separated scopes, checked against the scopes of `@convolens/core` (loaded only when the flag is given). */
export const scopes = Flag.String("scopes").pipe(
	Flag.withMetavar("list"),
	Flag.withDescription("comma-separated scopes (default: all), e.g. reports:read,ingest:write,webhooks:write"),
	Flag.mapEffect((value) =>
		Effect.gen(function* () {
			const known: ReadonlyArray<string> = (yield* Effect.promise(() => import("@convolens/core"))).scopes;
			const list = value.split(",").map((scope) => scope.trim());
			const unknown = list.find((scope) => !known.includes(scope));
			if (unknown !== undefined) {
				return yield* new CliError.InvalidValue({
					option: "scopes",
					value,
					expected: `unknown scope '${unknown}' (known: ${known.join(", ")})`,
					kind: "flag",
				});
			}
			return list as Array<Scope>;
		}),
	),
	Flag.optional,
);

export const optionalString = (name: string, description: string) =>
	Flag.String(name).pipe(Flag.withDescription(description), Flag.optional);

export const orUndefined = Option.getOrUndefined;
