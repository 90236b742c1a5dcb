/**
 * `dora system …`: system management commands. `dora system status` is
 * `dora status`.
 *
 * @module
 */
import { Command } from "commander";
import type { RegisterCommand } from "../mod.ts";
import { statusCommand } from "../status.ts";

/** Registers `dora system` and its subcommands. */
export const registerSystem: RegisterCommand = (program) => {
  const system = new Command("system").description(
    "system management (system status = dora status)",
  );
  system.addCommand(statusCommand());
  program.addCommand(system);
};
