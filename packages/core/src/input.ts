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
