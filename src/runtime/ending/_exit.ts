/**
 * Node exits: the restart decision (respawn after the delay) and, for a node
 * that stays down, its outcome; what ends with it is in _after_exit.ts.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { spawnNode } from "../spawn/_startup.ts";
import { deliver } from "../delivery/_delivery.ts";
import { afterExit } from "./_after_exit.ts";
import { failStart } from "./stop_ladder.ts";
import { retireRegions } from "../shm/_node_regions.ts";
import {
  type NodeExitStatus,
  type NodeProcess,
} from "../spawn/node_process.ts";
import { type RunningNode } from "../running_node.ts";
import { foldStats } from "../delivery/_link_stats.ts";
import { type RestartDecision } from "../options.ts";
import { describeExit } from "../../fault/mod.ts";
import { adoptSuccessor, dropSuccessor } from "../node_swap.ts";
import { cancelHandOver, senderGone } from "../hand_over.ts";

/** The single exit-handling point: outcome, restart decision, cleanup. */
export async function onExit(
  rt: RuntimeContext,
  node: RunningNode,
  proc: NodeProcess,
  status: NodeExitStatus,
): Promise<void> {
  if (node.process !== proc) return;
  // Nothing more comes from its links, nor is awaited by its hand-over.
  cancelHandOver(node);
  senderGone(rt, node.spec.id);
  node.exitStatus = status;
  node.stderrTail = proc.stderrTail;
  const beforeReady = !node.helloSeen && !rt.barrierReleased;
  const decide = rt.opts.decideRestart ??
    rt.fault?.decide.bind(rt.fault);
  let decision: RestartDecision = { restart: false };
  if (node.manual === "restart" && rt.state === "running") {
    // `dora node restart`: back at once, counted like a fault restart.
    decision = { restart: true, delayMs: 0 };
    rt.fault?.restartedByHand(node.spec.id);
  } else if (
    node.manual !== "stop" && rt.state === "running" && !beforeReady && decide
  ) {
    try {
      decision = await decide({
        node: node.spec,
        status,
        restarts: node.restarts,
      });
    } catch (err) {
      // A broken policy must not take the runtime down: no restart.
      message(
        rt,
        "error",
        `restart decision for node "${node.spec.id}" failed: ${
          errorMessage(err)
        }`,
      );
    }
  }
  if (decision.restart && rt.state === "running") {
    node.restarts++;
    // Detach the old connection first: its close must not close outputs.
    const old = node.conn;
    node.conn = undefined;
    old?.close();
    node.connected = false;
    node.readySent = false;
    node.pendingNext = undefined;
    rt.shm.release(node.spec.id, node.heldTokens.drain());
    foldStats(node);
    // The old process's regions go once their receivers are done with them.
    retireRegions(rt, node);
    // With fault tolerance the supervisor already said why and when.
    if (!rt.fault) {
      message(
        rt,
        "warn",
        `node "${node.spec.id}" ${
          describeExit(status)
        }; restarting (#${node.restarts})`,
      );
    }
    // The fault supervisor announces restarts itself.
    for (const r of rt.fault ? [] : downstream(rt, node)) {
      rt.nodes.get(r)!.queue.pushControl({
        t: "node_restarted",
        id: node.spec.id,
      });
      deliver(rt, rt.nodes.get(r)!);
    }
    rt.trace?.restarting(node, describeExit(status), decision.delayMs ?? 0);
    const t = setTimeout(() => {
      rt.ladderTimers.splice(rt.ladderTimers.indexOf(t), 1);
      // A `dora node replace`'s new process may be waiting: it takes over.
      if (rt.state === "running") {
        if (!adoptSuccessor(rt, node)) spawnNode(rt, node);
      } else finishNode(rt, node, proc, status, beforeReady);
    }, decision.delayMs ?? 0);
    rt.ladderTimers.push(t);
    return;
  }
  finishNode(rt, node, proc, status, beforeReady);
}

/** The node will not be restarted: its outcome and message. */
export function finishNode(
  rt: RuntimeContext,
  node: RunningNode,
  proc: NodeProcess,
  status: NodeExitStatus,
  beforeReady: boolean,
): void {
  node.exited = true;
  dropSuccessor(node, `node "${node.spec.id}" ended (${describeExit(status)})`);
  // Exiting before connecting fails the start, whatever the exit code.
  const startFailure = beforeReady && rt.state === "running";
  if (node.manual === "stop") {
    node.outcome = "stopped";
    node.message = `node "${node.spec.id}" was stopped by \`dora node stop\` (${
      describeExit(status)
    })`;
  } else if (status.success && !startFailure) node.outcome = "finished";
  else if (rt.error !== undefined && !startFailure) {
    // A casualty of the failed start (it was refused or stopped).
    node.outcome = "stopped";
    node.message =
      `node "${node.spec.id}" was stopped because the dataflow start failed (${
        describeExit(status)
      })`;
  } else if (node.signaledByLadder) {
    node.outcome = "stopped";
    node.message = rt.forced
      ? `node "${node.spec.id}" was killed by a forced stop`
      : `node "${node.spec.id}" did not stop within the grace period and was ${
        status.signal === "SIGKILL" ? "killed" : "terminated"
      } by the stop ladder`;
  } else {
    node.outcome = beforeReady ? "not_started" : "failed";
    const v = proc.violation;
    const what = beforeReady
      ? `exited before connecting to the daemon (${describeExit(status)})`
      : `failed: ${describeExit(status)}`;
    node.message = `node "${node.spec.id}" ${what}` +
      (v
        ? `: Deno denied ${v.permission} access${
          v.target ? ` to ${v.target}` : ""
        } (add \`permissions: { ${v.permission}: [...] }\` or \`${v.permission}: true\` to the node in the dataflow)`
        : "");
    if (beforeReady && rt.state === "running") {
      failStart(rt, node.message);
    }
  }
  afterExit(rt, node);
}

/** The nodes that receive an open output of `node`. */
export function downstream(rt: RuntimeContext, node: RunningNode): string[] {
  return rt.routing.downstream(node.spec.id, node.openOutputs);
}
