/**
 * `dora system …`: system management commands. `dora system status` is
 * `dora status`.
 *
 * @module
 */
import { Command } from "commander";
import { statusCommand } from "../status.ts";

/** Registers `dora system` and its subcommands. */
export function registerSystem(program: Command): void {
  const system = new Command("system").description(
    "system management (system status = dora status)",
  );
  system.addCommand(statusCommand());
  program.addCommand(system);
}
