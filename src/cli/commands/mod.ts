/**
 * Every subcommand, one file each. A command appears here only once it works.
 *
 * @module
 */
import type { Command } from "commander";
import { registerValidate } from "./validate.ts";
import { registerExpand } from "./expand.ts";
import { registerGraph } from "./graph.ts";
import { registerCompletion } from "./completion.ts";
import { registerRun } from "./run.ts";
import { registerLogs } from "./logs.ts";

/** Adds one subcommand to the root program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
COMMANDS.push(registerRun);
COMMANDS.push(registerLogs);
COMMANDS.push(registerValidate, registerExpand, registerGraph);
COMMANDS.push(registerCompletion);
