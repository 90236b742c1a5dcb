/**
 * `dora mcp`: a Model Context Protocol server on stdin/stdout for AI agents
 * (tools over the coordinator's dataflows; `--read-only` refuses every tool
 * that changes anything). See docs/views.md.
 *
 * @module
 */
import { Command } from "commander";
import { CliAccess } from "../views_access.ts";
import { type TargetFlags, withTargetOptions } from "../target.ts";

interface McpFlags extends TargetFlags {
  readOnly?: boolean;
}

/** Registers `dora mcp`. */
export function registerMcp(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("mcp")
        .description(
          "serve the Model Context Protocol on stdio for AI agents (dataflows, nodes, topics, logs, params)",
        )
        .option(
          "--read-only",
          "refuse the tools that start, stop or change anything",
        ),
    ).action(async (opts: McpFlags) => {
      const { serveMcpStdio } = await import("../../views/mod.ts");
      await serveMcpStdio({
        access: new CliAccess(opts),
        readOnly: Boolean(opts.readOnly),
      });
    }),
  );
}
