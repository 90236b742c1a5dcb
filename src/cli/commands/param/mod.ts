/**
 * `dora param`: the runtime parameters of a running dataflow's nodes
 * (`list`, `get`, `set`, `delete`). See `docs/dynamic.md`.
 *
 * @module
 */
import { Command } from "commander";
import { paramDeleteCommand } from "./delete.ts";
import { paramGetCommand } from "./get.ts";
import { paramListCommand } from "./list.ts";
import { paramSetCommand } from "./set.ts";

/** Registers `dora param` and its subcommands. */
export function registerParam(program: Command): void {
  program.addCommand(
    new Command("param")
      .description("runtime parameters of the nodes of a running dataflow")
      .addCommand(paramListCommand())
      .addCommand(paramGetCommand())
      .addCommand(paramSetCommand())
      .addCommand(paramDeleteCommand()),
  );
}
