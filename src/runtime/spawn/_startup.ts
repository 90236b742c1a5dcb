/**
 * Start-up: plan every node (errors before anything runs), open the socket
 * and log files, spawn the local nodes, and accept their `hello`.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import { sourceRoot } from "../../dora_command.ts";
import { DORA_VERSION } from "../../version.ts";
import { doraStateDir } from "../../state_dir.ts";
import { LogFileWriter } from "../../logs/mod.ts";
import {
  type HelloHeader,
  newNodeSecret,
  PROTOCOL_VERSION,
  sameSecret,
} from "../../message/mod.ts";
import { checkBarrier, sendReady } from "../_ready_barrier.ts";
import { message, type RuntimeContext } from "../_context.ts";
import { afterExit } from "../ending/_after_exit.ts";
import { onExit } from "../ending/_exit.ts";
import { cleanupDirs, maybeFinish } from "../ending/_finish.ts";
import { onLine } from "../_logs.ts";
import { failStart } from "../ending/stop_ladder.ts";
import { NodeConnection } from "../delivery/connection.ts";
import { findSetpriv, importMap, nodeConfig } from "./node_config.ts";
import { NodeProcess } from "./node_process.ts";
import { pinProcess } from "./cpu_affinity.ts";
import { type RunningNode } from "../running_node.ts";
import { createRuntimeDir, regionsPrefix, sweepStale } from "./runtime_dir.ts";
import { treeWatchdog } from "./tree_watchdog.ts";
import { linkSocketPath, updateRoutes } from "../delivery/direct_routes.ts";
import { planSpawn, type SpawnContext, SpawnError } from "./spawn_plan.ts";
import { shmLibraryForRun } from "./shm_library.ts";
import { watchOperators } from "../_hot_reload.ts";
import { acceptSuccessor } from "../node_swap.ts";

/**
 * Checks every node, creates the socket and log folder, and spawns the local
 * nodes. Throws {@linkcode SpawnError} (naming the node) before anything
 * starts when a node cannot be started.
 */
export async function start(rt: RuntimeContext): Promise<void> {
  if (rt.state !== "created") throw new Error("runtime already started");
  rt.state = "starting";
  rt.trace?.started(rt.dataflow.path);
  const allowShell = rt.opts.allowShellNodes ??
    ["1", "true", "yes"].includes(
      (Deno.env.get("DORA_ALLOW_SHELL_NODES") ?? "").toLowerCase(),
    );
  const root = sourceRoot();
  for (const removed of sweepStale()) {
    message(rt, "debug", `removed stale ${removed}`);
  }
  rt.runtimeDir = createRuntimeDir(rt.id);
  rt.socketPath = `${rt.runtimeDir}/daemon.sock`;
  // Removed by the watchdog if this process dies without cleaning up.
  treeWatchdog().watchDir(rt.runtimeDir);
  treeWatchdog().watchRegions(regionsPrefix(rt.id));
  const importMapPath = `${rt.runtimeDir}/import_map.json`;
  try {
    const ctx: SpawnContext = rt.spawnCtx = {
      workingDir: rt.dataflow.workingDir,
      socketPath: rt.socketPath,
      importMapPath,
      apiDirs: [`${root}/nodes/api/ts`, `${root}/src/message`],
      pythonPath: `${root}/nodes/api/python`,
      dataflow: rt.dataflow,
      operatorRuntime: `${root}/nodes/runtime/ts/main.ts`,
      zenohEndpoint: rt.opts.zenohEndpoint,
      allowShell,
      uv: rt.opts.uv,
      setpriv: findSetpriv(),
      python: new Map(),
      pythonStore: `${doraStateDir()}/python-shims.json`,
      shmLibrary: shmLibraryForRun(),
    };
    let index = 0;
    for (const node of rt.nodes.values()) {
      if (node.local) node.listen = linkSocketPath(rt.runtimeDir, index);
      index++;
    }
    for (const node of rt.nodes.values()) {
      if (!node.local || node.dynamic) continue;
      const sockets = linkSockets(rt, node);
      node.plan = planSpawn(node.spec, { ...ctx, linkSockets: sockets });
      if (node.plan.kind === "deno") node.linkSockets = sockets;
      for (const w of node.plan.warnings) message(rt, "warn", w);
    }
  } catch (err) {
    cleanupDirs(rt);
    rt.state = "finished";
    throw err;
  }
  try {
    await Deno.writeTextFile(importMapPath, importMap(root));
    rt.listener = Deno.listen({
      transport: "unix",
      path: rt.socketPath,
    });
    acceptLoop(rt, rt.listener);
    try {
      Deno.mkdirSync(rt.logDir, { recursive: true });
      for (const node of rt.nodes.values()) {
        if (!node.local) continue;
        node.log = new LogFileWriter(rt.logDir, node.spec.id, {
          maxSize: node.spec.maxLogSize,
          maxRotated: node.spec.maxRotatedFiles,
        });
      }
    } catch (err) {
      throw new SpawnError(
        `cannot write the node logs to ${rt.logDir}: ${errorMessage(err)}`,
      );
    }
  } catch (err) {
    try {
      rt.listener?.close();
    } catch {
      // not open
    }
    for (const n of rt.nodes.values()) n.log?.close();
    cleanupDirs(rt);
    rt.state = "finished";
    throw err;
  }
  rt.state = "running";
  for (const node of rt.nodes.values()) {
    if (node.local && !node.dynamic && rt.state === "running") {
      spawnNode(rt, node);
    }
  }
  if (rt.state === "running") rt.fault?.start();
  if (rt.state === "running") watchOperators(rt);
  if (![...rt.nodes.values()].some((n) => n.local)) maybeFinish(rt);
}

/**
 * Plans a local node that joins a running dataflow (`dora node add` /
 * `replace`): its link socket, spawn plan and log file. Throws
 * {@linkcode SpawnError} naming the node when it cannot be started.
 */
export function planJoining(
  rt: RuntimeContext,
  node: RunningNode,
  index: number,
): void {
  if (!rt.spawnCtx || !rt.runtimeDir) throw new Error("runtime not started");
  node.listen ??= linkSocketPath(rt.runtimeDir, index);
  if (node.dynamic) return;
  const sockets = linkSockets(rt, node);
  node.plan = planSpawn(node.spec, { ...rt.spawnCtx, linkSockets: sockets });
  node.linkSockets = node.plan.kind === "deno" ? sockets : undefined;
  for (const w of node.plan.warnings) message(rt, "warn", w);
}

/** Opens the log file of a node that joins a running dataflow. */
export function openLog(rt: RuntimeContext, node: RunningNode): void {
  node.log ??= new LogFileWriter(rt.logDir, node.spec.id, {
    maxSize: node.spec.maxLogSize,
    maxRotated: node.spec.maxRotatedFiles,
  });
}

/**
 * Spawns (or respawns) a local node's process. A process that cannot be
 * started fails the dataflow's start, or with `joining` (a node added at run
 * time) is thrown for the graph change to fail.
 */
export function spawnNode(
  rt: RuntimeContext,
  node: RunningNode,
  joining = false,
): void {
  const proc = new NodeProcess(node.spec.id, {
    onLine: (stream, line) => onLine(rt, node, stream, line),
    onExit: (status) => onExit(rt, node, proc, status),
  });
  // A fresh secret per process: an earlier one cannot connect again.
  node.secret = newNodeSecret();
  node.linkKeys.clear();
  try {
    proc.start(node.plan!, {
      DORA_NODE_CONFIG: JSON.stringify(nodeConfig(node.spec, {
        secret: node.secret,
        dataflowId: rt.id,
        socket: rt.socketPath,
        restarts: node.restarts,
        shm: node.plan?.shm ?? false,
        typeCheck: rt.dataflow.typeCheck,
        listen: rt.direct ? node.listen : undefined,
        descriptor: rt.dataflow.descriptor,
      })),
      DORA_RUN_PARENT_PID: String(Deno.pid),
    });
  } catch (err) {
    node.exited = true;
    node.outcome = "not_started";
    node.message = `node "${node.spec.id}" could not be started: ${
      errorMessage(err)
    }`;
    rt.trace?.spawnFailed(node, node.message);
    if (joining) {
      afterExit(rt, node);
      throw new SpawnError(node.message);
    }
    failStart(rt, node.message);
    afterExit(rt, node);
    return;
  }
  node.process = proc;
  node.exited = false;
  node.helloSeen = false;
  node.manual = undefined;
  const cores = node.spec.cpuAffinity;
  if (cores?.length && proc.pid !== undefined) {
    for (const w of pinProcess(proc.pid, node.spec.id, cores)) {
      message(rt, "warn", w);
    }
  }
  rt.trace?.spawned(node);
}

/** Serves every node connection until the listener closes. */
export async function acceptLoop(
  rt: RuntimeContext,
  listener: Deno.Listener,
): Promise<void> {
  try {
    for await (const conn of listener) {
      new NodeConnection(conn).serve(rt.handler).catch((err) =>
        message(rt, "error", `internal error on a node connection: ${err}`)
      );
    }
  } catch {
    // listener closed at the end of the run
  }
}

/** The `ConnectionHandler` side (see connection.ts). */
export function onHello(
  rt: RuntimeContext,
  conn: NodeConnection,
  hello: HelloHeader,
): string | null {
  if (hello.v !== PROTOCOL_VERSION) {
    return `protocol version mismatch: node speaks ${hello.v}, daemon speaks ${PROTOCOL_VERSION} (${
      hello.v > PROTOCOL_VERSION ? "upgrade dora" : "upgrade the dora node API"
    })`;
  }
  if (hello.df !== rt.id) {
    return `node "${hello.node}" belongs to dataflow ${hello.df}, not ${rt.id}`;
  }
  const node = rt.nodes.get(hello.node);
  if (!node || !node.local) {
    return `unknown node "${hello.node}" in dataflow ${rt.id}`;
  }
  // The new process of a `dora node replace` waits for the old one's end.
  if (
    node.successor && !node.dynamic &&
    sameSecret(hello.secret, node.successor.secret)
  ) return acceptSuccessor(node, conn, hello);
  // Only the process dora started for the node may speak for it.
  if (!node.dynamic && !sameSecret(hello.secret, node.secret ?? "")) {
    return `node "${hello.node}" refused: the connection did not come from the process dora started for it (its \`hello\` lacks that process's secret)`;
  }
  if (node.connected) return `node "${hello.node}" is already connected`;
  if (node.exited) return `node "${hello.node}" has already exited`;
  welcome(node, conn, hello);
  attachConnection(rt, node, conn, hello);
  return null;
}

/** `hello_ok` to a node's new connection, with its current parameters. */
export function welcome(
  node: RunningNode,
  conn: NodeConnection,
  hello: HelloHeader,
): void {
  conn.binary = hello.binary === true;
  // The parameters as they are now; later changes follow as events.
  const params = Object.keys(node.params).length > 0
    ? { params: node.params }
    : {};
  conn.send({
    t: "hello_ok",
    v: PROTOCOL_VERSION,
    daemon: DORA_VERSION,
    ...params,
  });
}

/**
 * The node's process speaks through `conn` from now on: `ready` (once the
 * barrier is released) and its routes; its receivers link to it.
 */
export function attachConnection(
  rt: RuntimeContext,
  node: RunningNode,
  conn: NodeConnection,
  hello: HelloHeader,
): void {
  node.conn = conn;
  node.connected = true;
  node.helloSeen = true;
  node.helloPid = hello.pid;
  // Spawned with FFI (or Python/executables), and the node did not say it
  // cannot map regions; dynamic nodes always get data inline.
  node.shm = (node.plan?.shm ?? false) && hello.shm !== false;
  // Listening for receivers and linking to senders (docs/protocol.md).
  node.direct = hello.direct === true && node.listen !== undefined;
  node.gen++;
  node.routesJson = undefined;
  conn.nodeId = node.spec.id;
  rt.fault?.connected(node.spec.id);
  rt.trace?.connected(node);
  if (rt.barrierReleased) {
    sendReady(rt, node);
    // Its receivers link to the new process, its senders learn about it.
    updateRoutes(rt);
  } else checkBarrier(rt);
}

/**
 * The link sockets a node uses: its own `listen` socket and those of the
 * nodes it reads from (a sandboxed TypeScript node gets access to exactly
 * these).
 */
export function linkSockets(rt: RuntimeContext, node: RunningNode): string[] {
  if (!rt.direct) return [];
  const out = new Set<string>();
  if (node.listen) out.add(node.listen);
  for (const input of node.spec.inputs) {
    if (input.source.kind !== "node") continue;
    const from = rt.nodes.get(input.source.node);
    if (from?.listen) out.add(from.listen);
  }
  return [...out];
}
