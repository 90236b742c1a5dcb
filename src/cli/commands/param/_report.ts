/**
 * How `param set` / `param delete` report: one line for people (stderr
 * when the node could not be told now), one JSON object for scripts.
 *
 * @module
 */
import type { ParamChangeResult } from "../../../control/changes.ts";
import { dataflowLabel } from "../_change_target.ts";

/** Prints the answer to a parameter change. */
export function reportParamChange(
  verb: "set" | "deleted",
  r: ParamChangeResult,
  json: boolean,
): void {
  if (json) {
    console.log(JSON.stringify({
      uuid: r.uuid,
      name: r.name ?? null,
      node: r.node,
      key: r.key,
      delivered: r.delivered,
      ...(r.note ? { note: r.note } : {}),
    }));
    return;
  }
  console.log(
    `${verb} "${r.key}" of node "${r.node}" in ${dataflowLabel(r)}${
      r.delivered ? "" : `; ${r.note ?? "the node gets it when it connects"}`
    }`,
  );
}
