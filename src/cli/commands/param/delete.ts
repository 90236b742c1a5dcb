/**
 * `dora param delete NODE KEY`: deletes a runtime parameter; the running
 * node gets `PARAM_DELETED`.
 *
 * @module
 */
import { Command } from "commander";
import type { ParamChangeResult } from "../../../control/changes.ts";
import {
  type ChangeFlags,
  jsonFormat,
  withChangeOptions,
  withChangeTarget,
} from "../_change_target.ts";
import { reportParamChange } from "./_report.ts";

/** `dora param delete`. */
export function paramDeleteCommand() {
  return withChangeOptions(
    new Command("delete")
      .description(
        "delete a runtime parameter; the running node gets PARAM_DELETED",
      )
      .argument("<NODE>", "node id")
      .argument("<KEY>", "parameter key"),
  ).action(async (node: string, key: string, opts: ChangeFlags) => {
    const json = jsonFormat(opts);
    const r = await withChangeTarget(
      opts,
      (peer, ref) =>
        peer.call<ParamChangeResult>("param_delete", { ref, node, key }),
    );
    reportParamChange("deleted", r, json);
  });
}
