/**
 * `dora self …`: managing the dora program itself (`update`, `uninstall`).
 *
 * @module
 */
import { Command } from "commander";
import type { RegisterCommand } from "../mod.ts";
import { updateCommand } from "./update.ts";
import { uninstallCommand } from "./uninstall.ts";

/** Registers `dora self` and its subcommands. */
export const registerSelf: RegisterCommand = (program) => {
  program.addCommand(
    new Command("self")
      .description("update or uninstall dora itself")
      .addCommand(updateCommand())
      .addCommand(uninstallCommand()),
  );
};
