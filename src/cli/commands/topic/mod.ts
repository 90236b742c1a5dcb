/**
 * `dora topic`: the topics (outputs) of a running dataflow: `list`, and
 * through the message tap `echo`, `hz`, `info`, `pub`.
 *
 * @module
 */
import { Command } from "commander";
import { topicListCommand } from "./list.ts";
import { topicEchoCommand } from "./echo.ts";
import { topicHzCommand } from "./hz.ts";
import { topicInfoCommand } from "./info.ts";
import { topicPubCommand } from "./pub.ts";

/** Registers `dora topic` and its subcommands. */
export function registerTopic(program: Command): void {
  program.addCommand(
    new Command("topic")
      .description("look at the topics (outputs) of a running dataflow")
      .addCommand(topicListCommand())
      .addCommand(topicEchoCommand())
      .addCommand(topicHzCommand())
      .addCommand(topicInfoCommand())
      .addCommand(topicPubCommand()),
  );
}
