/**
 * `dora trace`: spans of dora's own work (`list`, `view`).
 *
 * @module
 */
import { Command } from "commander";
import { traceListCommand } from "./list.ts";
import { traceViewCommand } from "./view.ts";

/** Registers `dora trace` and its subcommands. */
export function registerTrace(program: Command): void {
  program.addCommand(
    new Command("trace")
      .description(
        "traces of dora's own work (start, spawn, build, stop, restart)",
      )
      .addCommand(traceListCommand())
      .addCommand(traceViewCommand()),
  );
}
