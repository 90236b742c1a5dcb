/**
 * Every subcommand, one file each. A command appears here only once it works.
 *
 * @module
 */
import type { Command } from "commander";
import { registerCoordinator } from "./coordinator.ts";
import { registerDaemon } from "./daemon.ts";
import { registerUp } from "./up.ts";
import { registerDown } from "./down.ts";
import { registerStart } from "./start.ts";
import { registerStop } from "./stop.ts";
import { registerRestart } from "./restart.ts";
import { registerList } from "./list.ts";
import { registerStatus } from "./status.ts";
import { registerClean } from "./clean.ts";
import { registerBuild } from "./build.ts";
import { registerValidate } from "./validate.ts";
import { registerExpand } from "./expand.ts";
import { registerGraph } from "./graph.ts";
import { registerCompletion } from "./completion.ts";
import { registerRun } from "./run.ts";
import { registerLogs } from "./logs/mod.ts";
import { registerTypes } from "./types.ts";
import { registerRecord } from "./record.ts";
import { registerReplay } from "./replay.ts";
import { registerRecording } from "./recording/mod.ts";
import { registerNew } from "./new.ts";
import { registerDoctor } from "./doctor.ts";
import { registerSystem } from "./system/mod.ts";
import { registerSelf } from "./self/mod.ts";

/** Adds one subcommand to the root program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand's register function, in the order of `dora --help`. */
export const COMMANDS: RegisterCommand[] = [];
COMMANDS.push(registerRun);
COMMANDS.push(registerLogs);
COMMANDS.push(registerRecord, registerReplay, registerRecording);
COMMANDS.push(registerValidate, registerExpand, registerGraph);
COMMANDS.push(registerTypes);
COMMANDS.push(registerCompletion);
COMMANDS.push(registerNew, registerDoctor, registerSystem, registerSelf);
COMMANDS.push(
  registerUp,
  registerDown,
  registerStart,
  registerStop,
  registerRestart,
  registerList,
  registerStatus,
  registerClean,
  registerBuild,
  registerCoordinator,
  registerDaemon,
);
