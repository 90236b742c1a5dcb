/**
 * `dora node`: inspect the nodes of a running dataflow (`list`, `info`) and
 * change them (`add`, `remove`, `replace`, `connect`, `disconnect`,
 * `restart`, `stop`; see `docs/dynamic.md`).
 *
 * @module
 */
import { Command } from "commander";
import { nodeInfoCommand } from "./info.ts";
import { nodeListCommand } from "./list.ts";
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
      .description("inspect and change the nodes of a running dataflow")
      .addCommand(nodeListCommand())
      .addCommand(nodeInfoCommand())
      .addCommand(nodeAddCommand())
      .addCommand(nodeRemoveCommand())
      .addCommand(nodeReplaceCommand())
      .addCommand(nodeConnectCommand())
      .addCommand(nodeDisconnectCommand())
      .addCommand(nodeRestartCommand())
      .addCommand(nodeStopCommand()),
  );
}
