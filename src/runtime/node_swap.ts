/**
 * `dora node replace` as an overlapping swap. The node's next process (its
 * new definition, the next restart count) starts while the old one still
 * runs; it connects and is held after `hello_ok`, before `ready` (no routes,
 * no inputs), like the ready barrier holds nodes at start. Only then are
 * the old process's links handed over (hand_over.ts) and does it run its
 * stop ladder; at its exit the waiting process takes
 * its place (ending/_exit.ts) and gets `ready`, its routes and the inputs
 * that waited in the node's queue. A new process that cannot start, exits or
 * does not connect in time is killed and the change fails before anything
 * changed: the old process keeps running.
 *
 * @module
 */
import type { NodeSpec } from "../descriptor/model.ts";
import type { NodeParams } from "../descriptor/node_params.ts";
import type { HelloHeader } from "../message/mod.ts";
import { newNodeSecret } from "../message/mod.ts";
import { errorMessage } from "../errors.ts";
import { describeExit } from "../fault/mod.ts";
import { message, type RuntimeContext } from "./_context.ts";
import { RuntimeChangeError } from "./change_error.ts";
import { onLine } from "./_logs.ts";
import { onExit } from "./ending/_exit.ts";
import type { NodeConnection } from "./delivery/connection.ts";
import type { RunningNode } from "./running_node.ts";
import { nodeConfig } from "./spawn/node_config.ts";
import { NodeProcess } from "./spawn/node_process.ts";
import { pinProcess } from "./spawn/cpu_affinity.ts";
import { planSpawn, type SpawnPlan } from "./spawn/spawn_plan.ts";
import { attachConnection, welcome } from "./spawn/_startup.ts";

/** How long the new process has to start and connect. */
export const SWAP_CONNECT_TIMEOUT_MS = 10_000;

/** The process that will take a node's place, until it does. */
export interface Successor {
  spec: NodeSpec;
  plan: SpawnPlan;
  process: NodeProcess;
  secret: string;
  listen?: string;
  linkSockets?: string[];
  /** Its connection, once it said `hello` (it then waits for `ready`). */
  conn?: NodeConnection;
  hello?: HelloHeader;
  /** The parameters its `hello_ok` carried. */
  params?: NodeParams;
  /** The change made the swap: the old process is being stopped. */
  committed: boolean;
  /** Ends the wait of {@link startSuccessor}: a problem, or none. */
  settle: (problem?: string) => void;
}

let swaps = 0;

/**
 * Starts the next process of local node `node` with definition `spec` and
 * waits until it connected (held before `ready`). Throws
 * {@linkcode RuntimeChangeError} naming the node when it could not start or
 * connect within {@link SWAP_CONNECT_TIMEOUT_MS}; the old process runs on.
 */
export async function startSuccessor(
  rt: RuntimeContext,
  node: RunningNode,
  spec: NodeSpec,
): Promise<void> {
  const id = node.spec.id;
  const fail = (why: string) =>
    new RuntimeChangeError(
      "replace_failed",
      `node "${id}" was not replaced: ${why}; its old process keeps running (nothing changed)`,
    );
  const fresh = structuredClone(spec);
  // Its own `listen` socket: the old process still listens on the node's.
  const listen = rt.direct && rt.runtimeDir
    ? `${rt.runtimeDir}/s${swaps++}.sock`
    : undefined;
  const sockets = linkSocketsOf(rt, fresh, listen);
  const plan = planSpawn(fresh, { ...rt.spawnCtx!, linkSockets: sockets });
  for (const w of plan.warnings) message(rt, "warn", w);
  const secret = newNodeSecret();
  let settle!: (problem?: string) => void;
  const settled = new Promise<string | undefined>((r) => settle = r);
  const proc = new NodeProcess(id, {
    onLine: (stream, line) => onLine(rt, node, stream, line),
    onExit: (status) => {
      if (node.successor?.process !== proc) {
        onExit(rt, node, proc, status);
        return;
      }
      const why = `its new process exited ${
        node.successor.conn ? "before taking over" : "before connecting"
      } (${describeExit(status)})${lastLines(proc.stderrTail)}`;
      if (node.successor.committed) {
        // The old process is stopping already: a plain restart follows.
        message(rt, "warn", `node "${id}": ${why}; starting it again`);
        node.successor = undefined;
      }
      settle(why);
    },
  });
  try {
    proc.start(plan, {
      DORA_NODE_CONFIG: JSON.stringify(nodeConfig(fresh, {
        secret,
        dataflowId: rt.id,
        socket: rt.socketPath,
        restarts: node.restarts + 1,
        shm: plan.shm ?? false,
        typeCheck: rt.dataflow.typeCheck,
        listen,
        descriptor: rt.dataflow.descriptor,
      })),
      DORA_RUN_PARENT_PID: String(Deno.pid),
    });
  } catch (err) {
    throw fail(`its new definition could not be started: ${errorMessage(err)}`);
  }
  const cores = fresh.cpuAffinity;
  if (cores?.length && proc.pid !== undefined) {
    for (const w of pinProcess(proc.pid, id, cores)) message(rt, "warn", w);
  }
  node.successor = {
    spec: fresh,
    plan,
    process: proc,
    secret,
    listen,
    linkSockets: plan.kind === "deno" ? sockets : undefined,
    committed: false,
    settle,
  };
  const timer = setTimeout(
    () =>
      settle(
        `its new process did not connect within ${
          SWAP_CONNECT_TIMEOUT_MS / 1000
        } s`,
      ),
    SWAP_CONNECT_TIMEOUT_MS,
  );
  let problem = await settled;
  clearTimeout(timer);
  if (!problem && (rt.state !== "running" || node.exited)) {
    problem = `the dataflow or the node ended meanwhile`;
  }
  if (problem) {
    dropSuccessor(node);
    throw fail(problem);
  }
}

/** The `hello` of a node's waiting successor: `hello_ok`, then it waits. */
export function acceptSuccessor(
  node: RunningNode,
  conn: NodeConnection,
  hello: HelloHeader,
): string | null {
  const s = node.successor!;
  if (s.conn) return `node "${node.spec.id}" is already connected`;
  s.conn = conn;
  s.hello = hello;
  s.params = structuredClone(node.params);
  welcome(node, conn, hello);
  s.settle();
  return null;
}

/**
 * The node's old process exited during a swap: the waiting successor takes
 * its place (`ready`, routes, queued inputs). False when there is none.
 */
export function adoptSuccessor(rt: RuntimeContext, node: RunningNode): boolean {
  const s = node.successor;
  if (!s?.committed || !s.conn || !s.hello) return false;
  node.successor = undefined;
  node.process = s.process;
  node.secret = s.secret;
  node.plan = s.plan;
  node.listen = s.listen ?? node.listen;
  node.linkSockets = s.linkSockets;
  node.linkKeys.clear();
  node.exited = false;
  node.helloSeen = false;
  node.manual = undefined;
  rt.trace?.spawned(node);
  // Parameters set since its `hello_ok` reach it as events.
  const sent = s.params ?? {};
  for (const key of Object.keys(sent)) {
    if (!Object.hasOwn(node.params, key)) {
      node.queue.pushControl({ t: "param_deleted", key });
    }
  }
  for (const [key, value] of Object.entries(node.params)) {
    if (JSON.stringify(sent[key]) !== JSON.stringify(value)) {
      node.queue.pushControl({ t: "param_update", key, value });
    }
  }
  // Sandboxed receivers were given the old socket: theirs go via the daemon.
  for (const r of rt.routing.downstream(node.spec.id, node.openOutputs)) {
    const to = rt.nodes.get(r);
    if (
      to?.linkSockets && node.listen && !to.linkSockets.includes(node.listen)
    ) {
      rt.relayPairs.add(`${node.spec.id}\0${r}`);
    }
  }
  // A process that went away meanwhile ends like any other (its exit follows).
  if (!s.conn.closed) attachConnection(rt, node, s.conn, s.hello);
  return true;
}

/** Kills a successor that will not take over and ends its wait. */
export function dropSuccessor(node: RunningNode, why = "the swap ended"): void {
  const s = node.successor;
  if (!s) return;
  node.successor = undefined;
  s.settle(why);
  s.conn?.close();
  if (!s.process.hasExited) s.process.kill("SIGKILL");
}

/** The link sockets of a process with `spec` listening on `listen`. */
function linkSocketsOf(
  rt: RuntimeContext,
  spec: NodeSpec,
  listen: string | undefined,
): string[] {
  if (!rt.direct) return [];
  const out = new Set<string>();
  if (listen) out.add(listen);
  for (const input of spec.inputs) {
    if (input.source.kind !== "node") continue;
    const from = rt.nodes.get(input.source.node);
    if (from?.listen) out.add(from.listen);
  }
  return [...out];
}

/** The last lines of a process's stderr, for the error. */
function lastLines(tail: string[]): string {
  const last = tail.slice(-3).join(" | ").trim();
  return last ? `: ${last}` : "";
}
