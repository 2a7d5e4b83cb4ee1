/**
 * The one phraser of input errors: a zod issue as the message every surface answers ("periodDays must be at most
 * 365", "botId is required"), naming the field.
 */
import { Effect } from "effect";
import type { z } from "zod";
import { InvalidInput } from "./errors.ts";

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
	path.reduce<unknown>(
		(value, key) =>
			value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined,
		input,
	);

/**
 * Whether the issue is about a missing value: looked up in `input` when the caller has it, else read from zod's
 * own message ("…, received undefined"), for errors that reach the API without their input.
 */
const isMissing = (issue: z.core.$ZodIssue, input: { readonly value: unknown } | undefined): boolean =>
	input === undefined ? issue.message.endsWith("received undefined") : valueAt(input.value, issue.path) === undefined;

const describeBound = (issue: z.core.$ZodIssue, input: { readonly value: unknown } | undefined): string => {
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
			if (isMissing(issue, input)) return `${field} is required`;
			return issue.expected === "int" ? `${field} must be an integer` : `${field} must be of type ${issue.expected}`;
		case "invalid_value":
			return `${field} must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
		case "invalid_format":
			return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
		default:
			return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
	}
};

/**
 * A zod failure as every surface words it: the first issue's message, naming the field and the bound, and the
 * field's dotted path. `input` is the parsed value, when the caller has it (it tells a missing field from a wrong one).
 */
export const describeZodIssues = (
	issues: ReadonlyArray<z.core.$ZodIssue>,
	input?: { readonly value: unknown },
): { readonly message: string; readonly field: string | undefined } => {
	const issue = issues[0];
	if (issue === undefined) return { message: "Invalid input", field: undefined };
	const field = issue.path.length === 0 ? undefined : issue.path.map(String).join(".");
	return { message: describeBound(issue, input), field };
};

/** Parses `rawInput` with `schema`; the first issue becomes an `InvalidInput` naming the field and the bound. */
export const parseInput = <S extends z.ZodType>(
	schema: S,
	rawInput: unknown,
): Effect.Effect<z.output<S>, InvalidInput> => {
	const candidate = rawInput === undefined || rawInput === null ? {} : rawInput;
	if (typeof candidate !== "object" || Array.isArray(candidate)) {
		return Effect.fail(new InvalidInput({ message: "The report input must be a JSON object" }));
	}
	const parsed = schema.safeParse(candidate);
	if (parsed.success) return Effect.succeed(parsed.data);
	if (parsed.error.issues.length === 0) return Effect.fail(new InvalidInput({ message: "Invalid report input" }));
	const { message, field } = describeZodIssues(parsed.error.issues, { value: candidate });
	return Effect.fail(new InvalidInput(field === undefined ? { message } : { message, field }));
};
