/**
 * `dora node`: inspect the nodes of a running dataflow (`list`, `info`).
 *
 * @module
 */
import { Command } from "commander";
import { nodeInfoCommand } from "./info.ts";
import { nodeListCommand } from "./list.ts";

/** Registers `dora node` and its subcommands. */
export function registerNode(program: Command): void {
  program.addCommand(
    new Command("node")
      .description("inspect the nodes of a running dataflow")
      .addCommand(nodeListCommand())
      .addCommand(nodeInfoCommand()),
  );
}
