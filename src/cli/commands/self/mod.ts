/**
 * `dora self …`: managing the dora program itself (`update`, `uninstall`).
 *
 * @module
 */
import { Command } from "commander";
import { updateCommand } from "./update.ts";
import { uninstallCommand } from "./uninstall.ts";

/** Registers `dora self` and its subcommands. */
export function registerSelf(program: Command): void {
  program.addCommand(
    new Command("self")
      .description("update or uninstall dora itself")
      .addCommand(updateCommand())
      .addCommand(uninstallCommand()),
  );
}
