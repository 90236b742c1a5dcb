/**
 * `dora topic`: the topics (outputs) of a running dataflow.
 *
 * @module
 */
import { Command } from "commander";
import { topicListCommand } from "./list.ts";

/** Registers `dora topic` and its subcommands. */
export function registerTopic(program: Command): void {
  program.addCommand(
    new Command("topic")
      .description("look at the topics (outputs) of a running dataflow")
      .addCommand(topicListCommand()),
  );
}
