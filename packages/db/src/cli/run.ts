/**
 * The operator's command line, on effect's CLI module (per-command `--help`, typed flags,
 * suggestions for mistyped commands and flags). Exit codes: 0 done, 1 the command failed, 2 the arguments were
 * wrong (nothing was done). Only the CLI modules load before the arguments are parsed; see `database.ts`. The CLI
 * files import effect's modules by path: the `effect` index loads every module, a quarter second more at start.
 */
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner";
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem";
import * as NodePath from "@effect/platform-node-shared/NodePath";
import { runMain } from "@effect/platform-node-shared/NodeRuntime";
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio";
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal";
import * as Cause from "effect/Cause";
import * as CliError from "effect/cli/CliError";
import * as Command from "effect/cli/Command";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Layer from "effect/Layer";
import { cli } from "./commands.ts";

const nodeServices = Layer.provideMerge(
	NodeChildProcessSpawner.layer,
	Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeStdio.layer, NodeTerminal.layer),
);

/** Parse errors (the CLI has already printed them with the command's help) are usage errors. */
const isUsageError = (error: unknown) => CliError.isCliError(error) && error._tag !== "UserError";

const describe = (error: unknown) => {
	if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
		return String((error as { message: unknown }).message);
	}
	return String(error);
};

runMain(cli.pipe(Command.run({ version: "0.1.0" }), Effect.provide(nodeServices)), {
	disableErrorReporting: true,
	teardown: (exit, onExit) => {
		if (Exit.isSuccess(exit)) return onExit(0);
		if (Cause.hasInterruptsOnly(exit.cause)) return onExit(130);
		const error = Cause.squash(exit.cause);
		if (isUsageError(error)) return onExit(2);
		process.stderr.write(`error: ${describe(error)}\n`);
		onExit(1);
	},
});
