/**
 * Every subcommand, one file each. A command appears here only once it works.
 *
 * @module
 */
import type { Command } from "commander";

/** Adds one subcommand to the root program. */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
