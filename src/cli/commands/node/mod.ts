/**
 * `dora node`: change the nodes of a running dataflow (`add`, `remove`, `replace`,
 * `connect`, `disconnect`, `restart`, `stop`).
 * See `docs/dynamic.md`.
 *
 * @module
 */
import { Command } from "commander";
import { nodeRestartCommand, nodeStopCommand } from "./control.ts";
import {
  nodeAddCommand,
  nodeConnectCommand,
  nodeDisconnectCommand,
  nodeRemoveCommand,
  nodeReplaceCommand,
} from "./edit.ts";

/** Registers `dora node` and its subcommands. */
export function registerNode(program: Command): void {
  program.addCommand(
    new Command("node")
      .description("manage the nodes of a running dataflow")
      .addCommand(nodeAddCommand())
      .addCommand(nodeRemoveCommand())
      .addCommand(nodeReplaceCommand())
      .addCommand(nodeConnectCommand())
      .addCommand(nodeDisconnectCommand())
      .addCommand(nodeRestartCommand())
      .addCommand(nodeStopCommand()),
  );
}
