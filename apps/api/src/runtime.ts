import type { AccountRepository, ActivityRepository, IngestRepository, TenantRepository } from "@convolens/core";
import type { Database } from "@convolens/db";
import { Cause, type Effect, Exit, type ManagedRuntime, Option } from "effect";
import { AppError, fromTaggedError } from "./errors.ts";
import { withinRequestSpan } from "./tracing.ts";

/** Every service the HTTP surfaces need; `packages/db` provides them all for PostgreSQL. */
export type AppServices = ActivityRepository | AccountRepository | TenantRepository | IngestRepository | Database;

/** The one runtime built at boot and carried in every request context. */
export type AppRuntime = ManagedRuntime.ManagedRuntime<AppServices, unknown>;

/**
 * Runs one core program and turns its typed failure into an `AppError` (code and status from core's
 * `errorTable`). Defects and interruptions become an internal error whose detail stays in the log.
 */
export const runProgram = async <A, E extends { readonly _tag: string; readonly message: string }>(
	runtime: AppRuntime,
	program: Effect.Effect<A, E, AppServices>,
	signal?: AbortSignal,
): Promise<A> => {
	const exit = await runtime.runPromiseExit(
		withinRequestSpan(program, signal),
		signal === undefined ? undefined : { signal },
	);
	if (Exit.isSuccess(exit)) return exit.value;
	const failure = Cause.findErrorOption(exit.cause);
	if (Option.isSome(failure)) {
		const error = failure.value;
		if (typeof error === "object" && error !== null && "_tag" in error) {
			return Promise.reject(fromTaggedError(error as { _tag: string; message: string }));
		}
	}
	if (Cause.hasInterruptsOnly(exit.cause)) {
		return Promise.reject(new AppError({ code: "TIMEOUT", message: "The request was cancelled before it finished" }));
	}
	return Promise.reject(new AppError({ code: "INTERNAL_SERVER_ERROR", cause: Cause.squash(exit.cause) }));
};
