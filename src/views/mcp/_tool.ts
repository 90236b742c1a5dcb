/**
 * How every tool of `dora mcp` is declared: a strict zod input schema (an
 * unknown or ill-typed argument is a tool error naming it), whether it
 * changes anything (refused under `--read-only`), and an answer given both
 * as readable JSON text and as structured content.
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { DataflowControl } from "./control.ts";
import type { Targets } from "./targets.ts";

/** What the tools work with. */
export interface ToolContext {
  targets: Targets;
  control: DataflowControl;
  /** Tools that change anything are refused. */
  readOnly: boolean;
  /** The folder relative descriptor paths are read from. */
  cwd: string;
}

/** One tool's declaration. */
export interface ToolDef<T extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: T;
  /** It starts, stops or changes something (refused under `--read-only`). */
  changes: boolean;
  /** It may end or interrupt what runs (stop, restart). */
  destructive?: boolean;
}

/** A tool refused because `dora mcp` runs with `--read-only`. */
export class ReadOnlyError extends Error {
  /** A machine-readable kind for callers. */
  readonly code = "read_only";
  constructor(tool: string) {
    super(
      `"${tool}" changes a dataflow and \`dora mcp\` runs with --read-only: refused (nothing changed)`,
    );
    this.name = "ReadOnlyError";
  }
}

/** The optional `dataflow` argument most tools take. */
export const dataflowArg = z.string().min(1).max(200).optional().describe(
  "dataflow uuid, name, or a unique prefix of either (default: the only running dataflow)",
);

/** A node id argument. */
export const nodeArg = z.string().min(1).max(200).describe("node id");

/** Registers `def` on `server`; `run`'s answer becomes the tool result. */
export function addTool<T extends z.ZodObject>(
  server: McpServer,
  ctx: ToolContext,
  def: ToolDef<T>,
  run: (args: z.output<T>) => Promise<Record<string, unknown>>,
): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      annotations: {
        title: def.title,
        readOnlyHint: !def.changes,
        destructiveHint: Boolean(def.destructive),
        openWorldHint: false,
      },
    },
    async (args: z.output<T>): Promise<CallToolResult> => {
      if (def.changes && ctx.readOnly) throw new ReadOnlyError(def.name);
      const answer = await run(args);
      return {
        content: [{ type: "text", text: JSON.stringify(answer, null, 2) }],
        structuredContent: answer,
      };
    },
  );
}
