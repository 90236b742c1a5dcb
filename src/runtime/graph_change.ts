/**
 * Changing the graph of a running dataflow on this machine (`dora node
 * add`, `remove`, `replace`, `connect`, `disconnect`): the edited dataflow
 * (already checked like `dora validate`) is compared with the running one,
 * and only what differs changes. Nodes that join get their routes, timers,
 * restart policy and logs like any other node; nodes that leave run their
 * stop ladder; a node whose definition changed is swapped for a process of
 * the new one, started and connected before the old one stops (see
 * node_swap.ts; its receivers get NODE_RESTARTED, messages to it wait for
 * the new process); inputs that appear or disappear become routes added or
 * removed (a removed one gets INPUT_CLOSED after what was sent on it before).
 *
 * @module
 */
import type { Dataflow, InputSpec, NodeSpec } from "../descriptor/model.ts";
import type { RuntimeContext } from "./_context.ts";
import { RuntimeChangeError } from "./change_error.ts";
import { wakeSenders } from "./delivery/_backpressure.ts";
import { onDrop } from "./delivery/_delivery.ts";
import { updateRoutes } from "./delivery/direct_routes.ts";
import { ReceiverQueue } from "./delivery/receiver_queue.ts";
import { addRoute, removeRoute } from "./delivery/route_changes.ts";
import { DEFAULT_GRACE_MS, stopOneNode } from "./ending/stop_ladder.ts";
import { RunningNode } from "./running_node.ts";
import { openLog, planJoining, spawnNode } from "./spawn/_startup.ts";
import { SpawnError } from "./spawn/spawn_plan.ts";
import { errorMessage } from "../errors.ts";
import { cancelHandOver, handOver } from "./hand_over.ts";
import { dropSuccessor, startSuccessor } from "./node_swap.ts";

/** What a graph change did on this machine. */
export interface GraphChangeSummary {
  /** Nodes that joined (local and remote). */
  added: string[];
  /** Nodes that left. */
  removed: string[];
  /** Local nodes restarted with a new definition. */
  replaced: string[];
  /** Inputs (`node/input`) that now read a source. */
  connected: string[];
  /** Inputs (`node/input`) that no longer read one. */
  disconnected: string[];
}

/** Options of a graph change. */
export interface GraphChangeOptions {
  /** Grace period of the stop ladders it runs (default: the dataflow's). */
  graceMs?: number;
}

/** The node definition without its wiring and parameters (what `replace` swaps). */
function definition(spec: NodeSpec): string {
  const { inputs: _i, params: _p, ...rest } = spec;
  return JSON.stringify(rest);
}

function sameInput(a: InputSpec, b: InputSpec): boolean {
  return a.sourceText === b.sourceText && a.queueSize === b.queueSize &&
    a.queuePolicy === b.queuePolicy;
}

/**
 * Checks that the local nodes `next` brings or redefines can be started
 * here (their programs exist, their settings fit), without changing
 * anything. Throws {@linkcode SpawnError} naming the node, or
 * {@linkcode RuntimeChangeError} when the dataflow is not running.
 */
export function checkGraph(
  rt: RuntimeContext,
  next: Dataflow,
  isLocal: (node: string) => boolean,
): void {
  if (rt.state !== "running") {
    throw new RuntimeChangeError(
      "not_running",
      `dataflow ${rt.id} is ${rt.state}: its graph cannot change now`,
    );
  }
  for (const spec of next.nodes) {
    if (!isLocal(spec.id) || spec.path === "dynamic") continue;
    const old = rt.nodes.get(spec.id);
    if (old && !old.exited && definition(old.spec) === definition(spec)) {
      continue;
    }
    if (old && !old.exited && !rt.dataflow.nodes.includes(old.spec)) {
      throw new RuntimeChangeError(
        "not_running",
        `node "${spec.id}" is still leaving the dataflow; add it again once it exited`,
      );
    }
    const probe = new RunningNode(spec, true);
    probe.queue = new ReceiverQueue([], { onDrop: () => {} });
    planJoining(rt, probe, 0);
  }
}

/**
 * Makes the running graph equal to `next` (see the module doc). The local
 * nodes are those `isLocal` names. Call {@link checkGraph} first.
 */
export function applyGraph(
  rt: RuntimeContext,
  next: Dataflow,
  isLocal: (node: string) => boolean,
  options: GraphChangeOptions = {},
): GraphChangeSummary {
  checkGraph(rt, next, isLocal);
  const graceMs = options.graceMs ?? rt.opts.graceMs ?? DEFAULT_GRACE_MS;
  const summary: GraphChangeSummary = {
    added: [],
    removed: [],
    replaced: [],
    connected: [],
    disconnected: [],
  };
  const nextIds = new Set(next.nodes.map((n) => n.id));
  const current = rt.dataflow.nodes;

  // 1. Nodes that leave: their stop ladder, no restart; routes to them go.
  for (const spec of [...current]) {
    if (nextIds.has(spec.id)) continue;
    const node = rt.nodes.get(spec.id)!;
    current.splice(current.indexOf(spec), 1);
    rt.routing.removeNode(spec.id);
    summary.removed.push(spec.id);
    if (node.local && !node.exited) {
      if (!node.dynamic) rt.fault?.stopRequested(spec.id);
      stopOneNode(rt, node, graceMs, "stop");
    }
  }

  // 2. Nodes that join: state, routes, timers, then their process.
  const joining: RunningNode[] = [];
  for (const spec of next.nodes) {
    const old = rt.nodes.get(spec.id);
    if (old && current.includes(old.spec)) continue;
    const local = isLocal(spec.id);
    const node = new RunningNode(structuredClone(spec), local);
    node.queue = new ReceiverQueue(node.spec.inputs, {
      onDrop: (input, msg, total) =>
        onDrop(rt, node, input, msg.token, msg.from, total),
      // Credits of senders on other machines (delivery/remote_credits.ts).
      onLeave: (input, msg) => rt.credits.leave(rt, node, input, msg),
    });
    rt.nodes.set(spec.id, node);
    current.push(node.spec);
    summary.added.push(spec.id);
    if (local) joining.push(node);
  }
  for (const id of summary.added) {
    const node = rt.nodes.get(id)!;
    for (const interval of rt.routing.addNode(node.spec, node.local)) {
      rt.timers.add(interval);
    }
    // Outputs of a joining node that others (already) read elsewhere.
    addRemoteReaders(rt, next, id, isLocal);
  }

  // 3. Kept nodes: a changed definition restarts them with the new one;
  //    inputs that appear or disappear are routes added or removed.
  for (const spec of next.nodes) {
    const node = rt.nodes.get(spec.id)!;
    if (summary.added.includes(spec.id)) continue;
    if (definition(node.spec) !== definition(spec)) {
      redefine(rt, node, spec, graceMs);
      summary.replaced.push(spec.id);
    }
    rewire(rt, node, spec, isLocal, summary);
  }
  rt.fault?.supervisor.graphChanged(
    rt.dataflow,
    summary.added.filter((id) => rt.nodes.get(id)!.local),
  );
  // Remote backpressure inputs that came get credits; gone ones hold no
  // sender back any more.
  rt.credits.graphChanged(rt);
  wakeSenders(rt);

  // 4. Start the joining processes (they get `ready` when they connect).
  let index = rt.nodes.size;
  for (const node of joining) {
    planJoining(rt, node, 1000 + index++);
    openLog(rt, node);
  }
  updateRoutes(rt);
  const failed: string[] = [];
  for (const node of joining) {
    if (node.dynamic || rt.state !== "running") continue;
    try {
      spawnNode(rt, node, true);
    } catch (err) {
      failed.push(errorMessage(err));
    }
  }
  if (failed.length) throw new SpawnError(failed.join("; "));
  return summary;
}

/**
 * Starts, for every running local node `next` redefines, the process that
 * will take its place, and waits until each connected (node_swap.ts).
 * Throws naming the node when one cannot; then none is left running and
 * nothing changed. Call {@link applyGraph} next: it makes the swaps.
 */
export async function startReplacements(
  rt: RuntimeContext,
  next: Dataflow,
  isLocal: (node: string) => boolean,
): Promise<void> {
  const swapped: RunningNode[] = [];
  for (const spec of next.nodes) {
    const node = rt.nodes.get(spec.id);
    if (
      !node || !isLocal(spec.id) || node.dynamic || node.exited ||
      node.manual || node.successor || !node.process ||
      node.process.hasExited || !rt.dataflow.nodes.includes(node.spec) ||
      definition(node.spec) === definition(spec)
    ) continue;
    swapped.push(node);
  }
  const results = await Promise.allSettled(
    swapped.map((node) =>
      startSuccessor(rt, node, next.nodes.find((n) => n.id === node.spec.id)!)
    ),
  );
  const failed = results.flatMap((r) =>
    r.status === "rejected" ? [r.reason as Error] : []
  );
  if (failed.length === 0) return;
  for (const node of swapped) dropSuccessor(node);
  if (failed.length === 1) throw failed[0];
  throw new RuntimeChangeError(
    "replace_failed",
    failed.map((e) => e.message).join("; "),
  );
}

/** A node's definition (program, args, env, …) becomes `spec`'s; it restarts. */
function redefine(
  rt: RuntimeContext,
  node: RunningNode,
  spec: NodeSpec,
  graceMs: number,
): void {
  const inputs = node.spec.inputs;
  const fresh = structuredClone(spec);
  for (const key of Object.keys(node.spec) as (keyof NodeSpec)[]) {
    if (key !== "inputs" && key !== "params") delete node.spec[key];
  }
  Object.assign(node.spec, { ...fresh, inputs, params: node.spec.params });
  for (const o of [...spec.outputs, spec.sendStdoutAs, spec.sendLogsAs]) {
    if (o) node.openOutputs.add(o);
  }
  if (!node.local || node.exited) return;
  if (node.successor && !node.successor.committed) {
    // Its new process is connected and waits for the old one's exit; the
    // old one gets STOP once its direct senders' links are handed over.
    node.successor.committed = true;
    node.plan = node.successor.plan;
    node.manual = "restart";
    const proc = node.process;
    handOver(rt, node, () => {
      if (rt.state === "running" && node.process === proc && !node.exited) {
        stopOneNode(rt, node, graceMs, "restart");
      }
    });
    return;
  } else {
    // Redefined again while a swap is under way (a change rolled back).
    cancelHandOver(node);
    dropSuccessor(node);
    planJoining(rt, node, 0);
  }
  stopOneNode(rt, node, graceMs, "restart");
}

/** Adds and removes the routes of `node` so that its inputs are `spec`'s. */
function rewire(
  rt: RuntimeContext,
  node: RunningNode,
  spec: NodeSpec,
  isLocal: (node: string) => boolean,
  summary: GraphChangeSummary,
): void {
  const before = node.spec.inputs;
  // Same input, same source, other queue settings: retuned in place (a
  // close and reopen would end the stream for the process that reads it).
  const retuned = spec.inputs.filter((n) =>
    before.some((o) =>
      o.id === n.id && o.sourceText === n.sourceText && !sameInput(o, n)
    )
  );
  for (const input of retuned) {
    const old = before.find((o) => o.id === input.id)!;
    old.queueSize = input.queueSize;
    old.queuePolicy = input.queuePolicy;
    node.queue.retune(input.id, input.queueSize, input.queuePolicy);
  }
  if (retuned.length > 0 && node.local) updateRoutes(rt);
  const gone = before.filter((i) =>
    !spec.inputs.some((n) => n.id === i.id && sameInput(n, i))
  );
  const come = spec.inputs.filter((i) =>
    !before.some((o) => o.id === i.id && sameInput(o, i))
  );
  for (const input of gone) {
    summary.disconnected.push(`${spec.id}/${input.id}`);
    const s = input.source;
    node.spec.inputs.splice(node.spec.inputs.indexOf(input), 1);
    if (!node.local || s.kind !== "node") continue;
    try {
      removeRoute(rt, {
        from: { node: s.node, output: s.output },
        to: { node: spec.id, input: input.id },
      });
    } catch {
      // Its sender left the dataflow in this change (routes already gone).
      node.queue.closeInput(input.id);
    }
  }
  for (const input of come) {
    summary.connected.push(`${spec.id}/${input.id}`);
    const s = input.source;
    if (s.kind !== "node") continue; // timers and logs: set at start only
    if (!node.local) {
      if (isLocal(s.node)) rt.routing.addRemote(s.node, s.output);
      node.spec.inputs.push(structuredClone(input));
      continue;
    }
    node.queue.reopenInput(input.id);
    addRoute(rt, {
      from: { node: s.node, output: s.output },
      to: { node: spec.id, input: input.id },
    }, { queueSize: input.queueSize, queuePolicy: input.queuePolicy });
  }
}

/** Marks the outputs of `id` that nodes on other machines read. */
function addRemoteReaders(
  rt: RuntimeContext,
  next: Dataflow,
  id: string,
  isLocal: (node: string) => boolean,
): void {
  if (!isLocal(id)) return;
  for (const reader of next.nodes) {
    if (isLocal(reader.id)) continue;
    for (const input of reader.inputs) {
      const s = input.source;
      if (s.kind === "node" && s.node === id) {
        rt.routing.addRemote(id, s.output);
      }
    }
  }
}
