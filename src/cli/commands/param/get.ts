/**
 * `dora param get NODE KEY`: one runtime parameter's value, as JSON.
 *
 * @module
 */
import { Command } from "commander";
import type { ParamGetResult } from "../../../control/changes.ts";
import {
  type ChangeFlags,
  jsonFormat,
  withChangeOptions,
  withChangeTarget,
} from "../_change_target.ts";

/** `dora param get`. */
export function paramGetCommand() {
  return withChangeOptions(
    new Command("get")
      .description("print one runtime parameter of a node (JSON)")
      .argument("<NODE>", "node id")
      .argument("<KEY>", "parameter key"),
  ).action(async (node: string, key: string, opts: ChangeFlags) => {
    const json = jsonFormat(opts);
    const r = await withChangeTarget(
      opts,
      (peer, ref) => peer.call<ParamGetResult>("param_get", { ref, node, key }),
    );
    if (json) {
      console.log(JSON.stringify({
        uuid: r.uuid,
        name: r.name ?? null,
        node: r.node,
        key: r.key,
        value: JSON.parse(r.json),
      }));
    } else console.log(JSON.stringify(JSON.parse(r.json), null, 2));
  });
}
