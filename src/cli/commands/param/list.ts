/**
 * `dora param list NODE`: every runtime parameter of a node, as a table of
 * keys and JSON values, or one JSON object with `--format json`.
 *
 * @module
 */
import { Command } from "commander";
import type { ParamListResult } from "../../../control/changes.ts";
import { renderTable } from "../../_output.ts";
import {
  type ChangeFlags,
  dataflowLabel,
  jsonFormat,
  withChangeOptions,
  withChangeTarget,
} from "../_change_target.ts";

/** `dora param list`. */
export function paramListCommand() {
  return withChangeOptions(
    new Command("list")
      .description("list the runtime parameters of a node")
      .argument("<NODE>", "node id"),
  ).action(async (node: string, opts: ChangeFlags) => {
    const json = jsonFormat(opts);
    const r = await withChangeTarget(
      opts,
      (peer, ref) => peer.call<ParamListResult>("param_list", { ref, node }),
    );
    if (json) {
      console.log(JSON.stringify({
        uuid: r.uuid,
        name: r.name ?? null,
        node: r.node,
        params: Object.fromEntries(
          r.params.map((p) => [p.key, JSON.parse(p.json)]),
        ),
      }));
      return;
    }
    if (!r.params.length) {
      console.error(
        `node "${r.node}" of ${dataflowLabel(r)} has no parameters`,
      );
      return;
    }
    console.log(
      renderTable(["KEY", "VALUE"], r.params.map((p) => [p.key, p.json])),
    );
  });
}
