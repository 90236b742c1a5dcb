/**
 * Every subcommand, one file each. A command appears here only once it works.
 *
 * @module
 */
import type { Command } from "commander";
import { registerRun } from "./run.ts";
import { registerLogs } from "./logs.ts";

/** Adds one subcommand to the root program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
COMMANDS.push(registerRun);
COMMANDS.push(registerLogs);
