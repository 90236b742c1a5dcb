/**
 * The runtime parameter tools: get (one key or all of a node), set (any
 * JSON value), delete. Values are stored by the coordinator and passed on to
 * the running node (`PARAM_UPDATE` / `PARAM_DELETED`).
 *
 * @module
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type {
  ParamChangeResult,
  ParamGetResult,
  ParamListResult,
} from "../../control/changes.ts";
import {
  paramKeyProblem,
  type ParamValue,
  paramValueProblem,
} from "../../descriptor/mod.ts";
import { addTool, dataflowArg, nodeArg, type ToolContext } from "./_tool.ts";

/** A parameter value refused before it was sent; nothing changed. */
export class ParamValueError extends Error {
  /** A machine-readable kind for callers. */
  readonly code = "bad_param";
  constructor(message: string) {
    super(message);
    this.name = "ParamValueError";
  }
}

const keyArg = z.string().min(1).max(256).describe("parameter name");

/** Registers get_params, set_param, delete_param. */
export function addParamTools(server: McpServer, ctx: ToolContext): void {
  addTool(server, ctx, {
    name: "get_params",
    title: "Get parameters",
    description:
      "The runtime parameters of a node (all of them, or the one `key` names) as JSON values.",
    input: z.strictObject({
      dataflow: dataflowArg,
      node: nodeArg,
      key: keyArg.optional(),
    }),
    changes: false,
  }, async ({ dataflow, node, key }) => {
    const d = await ctx.targets.any(dataflow);
    return await ctx.targets.withPeer(d, async (peer) => {
      if (key !== undefined) {
        const r = await peer.call<ParamGetResult>("param_get", {
          ref: d.uuid,
          node,
          key,
        });
        return { uuid: r.uuid, node, key, value: JSON.parse(r.json) };
      }
      const r = await peer.call<ParamListResult>("param_list", {
        ref: d.uuid,
        node,
      });
      return {
        uuid: r.uuid,
        node,
        params: Object.fromEntries(
          r.params.map((p) => [p.key, JSON.parse(p.json)]),
        ),
      };
    });
  });

  addTool(server, ctx, {
    name: "set_param",
    title: "Set a parameter",
    description:
      "Sets a runtime parameter of a running node to any JSON value (kept by the coordinator; the node gets PARAM_UPDATE). Says whether the node was told now.",
    input: z.strictObject({
      dataflow: dataflowArg,
      node: nodeArg,
      key: keyArg,
      value: z.json().describe("the new value: any JSON value"),
    }),
    changes: true,
  }, async ({ dataflow, node, key, value }) => {
    const problem = paramKeyProblem(key) ??
      paramValueProblem(value as ParamValue);
    if (problem) throw new ParamValueError(problem);
    const d = await ctx.targets.running(dataflow);
    const r = await ctx.targets.withPeer(
      d,
      (peer) =>
        peer.call<ParamChangeResult>("param_set", {
          ref: d.uuid,
          node,
          key,
          json: JSON.stringify(value),
        }),
    );
    return { ...r, value };
  });

  addTool(server, ctx, {
    name: "delete_param",
    title: "Delete a parameter",
    description:
      "Removes a runtime parameter of a running node (the node gets PARAM_DELETED).",
    input: z.strictObject({
      dataflow: dataflowArg,
      node: nodeArg,
      key: keyArg,
    }),
    changes: true,
  }, async ({ dataflow, node, key }) => {
    const d = await ctx.targets.running(dataflow);
    const r = await ctx.targets.withPeer(
      d,
      (peer) =>
        peer.call<ParamChangeResult>("param_delete", {
          ref: d.uuid,
          node,
          key,
        }),
    );
    return { ...r };
  });
}
