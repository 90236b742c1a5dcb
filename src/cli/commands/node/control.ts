/**
 * `dora node restart NODE` and `dora node stop NODE`: the node's own stop
 * ladder (STOP, SIGTERM after `--grace`, SIGKILL), then a new process
 * (restart) or none (stop); the rest of the dataflow runs on.
 *
 * @module
 */
import { Command } from "commander";
import type { NodeControlResult } from "../../../control/changes.ts";
import { durationOption } from "../../_options.ts";
import {
  type ChangeFlags,
  dataflowLabel,
  jsonFormat,
  withChangeOptions,
  withChangeTarget,
} from "../_change_target.ts";

interface ControlFlags extends ChangeFlags {
  grace?: string;
}

/** `dora node restart`. */
export function nodeRestartCommand() {
  return controlCommand(
    "restart",
    "restart one node (its stop ladder, then a new process)",
  );
}

/** `dora node stop`. */
export function nodeStopCommand() {
  return controlCommand(
    "stop",
    "stop one node; the rest of the dataflow runs on",
  );
}

function controlCommand(verb: "restart" | "stop", description: string) {
  return withChangeOptions(
    new Command(verb)
      .description(description)
      .argument("<NODE>", "node id")
      .option(
        "--grace <DURATION>",
        "time the node gets after STOP before SIGTERM (default: the dataflow's, 10s)",
      ),
  ).action(async (node: string, opts: ControlFlags) => {
    const json = jsonFormat(opts);
    const graceMs = durationOption("--grace", opts.grace);
    const r = await withChangeTarget(
      opts,
      (peer, ref) =>
        peer.call<NodeControlResult>(`node_${verb}`, { ref, node, graceMs }),
    );
    if (json) {
      console.log(JSON.stringify({
        uuid: r.uuid,
        name: r.name ?? null,
        node: r.node,
        action: verb,
      }));
    } else {
      console.log(
        `${
          verb === "restart" ? "restarting" : "stopping"
        } node "${r.node}" of ${dataflowLabel(r)}`,
      );
    }
  });
}
