/**
 * Every subcommand, one file each, loaded lazily: `dora run …` imports only
 * `run.ts` (and what it needs), so a command starts without loading the
 * others. `dora --help`, `dora help`, completion and unknown commands load
 * them all. A command appears here only once it works.
 *
 * @module
 */
import type { Command } from "commander";

/** Adds one subcommand to the root program. */
export type RegisterCommand = (program: Command) => void;

/** A subcommand: its name and aliases, and how to load its register function. */
export interface CommandEntry {
  names: string[];
  load: () => Promise<RegisterCommand>;
}

/** Every subcommand, in the order of `dora --help`. */
export const COMMAND_TABLE: CommandEntry[] = [
  { names: ["run"], load: async () => (await import("./run.ts")).registerRun },
  {
    names: ["logs"],
    load: async () => (await import("./logs/mod.ts")).registerLogs,
  },
  {
    names: ["record"],
    load: async () => (await import("./record.ts")).registerRecord,
  },
  {
    names: ["replay"],
    load: async () => (await import("./replay.ts")).registerReplay,
  },
  {
    names: ["recording"],
    load: async () => (await import("./recording/mod.ts")).registerRecording,
  },
  {
    names: ["validate"],
    load: async () => (await import("./validate.ts")).registerValidate,
  },
  {
    names: ["expand"],
    load: async () => (await import("./expand.ts")).registerExpand,
  },
  {
    names: ["graph"],
    load: async () => (await import("./graph.ts")).registerGraph,
  },
  {
    names: ["types"],
    load: async () => (await import("./types.ts")).registerTypes,
  },
  {
    names: ["completion", "complete"],
    load: async () => (await import("./completion.ts")).registerCompletion,
  },
  { names: ["new"], load: async () => (await import("./new.ts")).registerNew },
  {
    names: ["doctor"],
    load: async () => (await import("./doctor.ts")).registerDoctor,
  },
  {
    names: ["system"],
    load: async () => (await import("./system/mod.ts")).registerSystem,
  },
  {
    names: ["self"],
    load: async () => (await import("./self/mod.ts")).registerSelf,
  },
  { names: ["up"], load: async () => (await import("./up.ts")).registerUp },
  {
    names: ["down", "destroy"],
    load: async () => (await import("./down.ts")).registerDown,
  },
  {
    names: ["start"],
    load: async () => (await import("./start.ts")).registerStart,
  },
  {
    names: ["stop"],
    load: async () => (await import("./stop.ts")).registerStop,
  },
  {
    names: ["restart"],
    load: async () => (await import("./restart.ts")).registerRestart,
  },
  {
    names: ["param"],
    load: async () => (await import("./param/mod.ts")).registerParam,
  },
  {
    names: ["list", "ps"],
    load: async () => (await import("./list.ts")).registerList,
  },
  {
    names: ["status", "check"],
    load: async () => (await import("./status.ts")).registerStatus,
  },
  {
    names: ["clean"],
    load: async () => (await import("./clean.ts")).registerClean,
  },
  {
    names: ["build"],
    load: async () => (await import("./build.ts")).registerBuild,
  },
  // Looking inside running dataflows (docs/inspect.md).
  {
    names: ["top", "inspect"],
    load: async () => (await import("./top.ts")).registerTop,
  },
  {
    names: ["node"],
    load: async () => (await import("./node/mod.ts")).registerNode,
  },
  {
    names: ["topic"],
    load: async () => (await import("./topic/mod.ts")).registerTopic,
  },
  {
    names: ["trace"],
    load: async () => (await import("./trace/mod.ts")).registerTrace,
  },
  // Views beyond the terminal (docs/views.md).
  { names: ["ui"], load: async () => (await import("./ui.ts")).registerUi },
  {
    names: ["foxglove"],
    load: async () => (await import("./foxglove.ts")).registerFoxglove,
  },
  {
    names: ["coordinator"],
    load: async () => (await import("./coordinator.ts")).registerCoordinator,
  },
  {
    names: ["daemon"],
    load: async () => (await import("./daemon.ts")).registerDaemon,
  },
  {
    names: ["mcp"],
    load: async () => (await import("./mcp.ts")).registerMcp,
  },
  {
    names: ["cluster"],
    load: async () => (await import("./cluster/mod.ts")).registerCluster,
  },
];

/** The entry of the command named (or aliased) `name`, if any. */
export function findCommand(
  name: string | undefined,
): CommandEntry | undefined {
  return name === undefined
    ? undefined
    : COMMAND_TABLE.find((c) => c.names.includes(name));
}

/** Loads the register functions of `entries` (default: every command). */
export function loadCommands(
  entries: CommandEntry[] = COMMAND_TABLE,
): Promise<RegisterCommand[]> {
  return Promise.all(entries.map((e) => e.load()));
}
