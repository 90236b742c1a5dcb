/**
 * `dora node`: change the nodes of a running dataflow (`restart`, `stop`).
 * See `docs/dynamic.md`.
 *
 * @module
 */
import { Command } from "commander";
import { nodeRestartCommand, nodeStopCommand } from "./control.ts";

/** Registers `dora node` and its subcommands. */
export function registerNode(program: Command): void {
  program.addCommand(
    new Command("node")
      .description("manage the nodes of a running dataflow")
      .addCommand(nodeRestartCommand())
      .addCommand(nodeStopCommand()),
  );
}
