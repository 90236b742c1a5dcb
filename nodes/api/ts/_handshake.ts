/**
 * The handshake of a node with its daemon (docs/protocol.md, "Connection"):
 * the configuration (`DORA_NODE_CONFIG`, or a daemon's answer for a dynamic
 * node), the parent watchdog, the connection, `hello`, and the wait for
 * `ready`. The Python node API's counterpart is `_handshake.py`.
 *
 * @module
 */
import {
  asDaemonToNode,
  type DaemonToNode,
  type Frame,
  FrameReader,
  FrameWriter,
  type HelloHeader,
  PROTOCOL_VERSION,
} from "../../../src/message/mod.ts";
import { shmCalls } from "../../../src/shm/shm_calls.ts";
import { configFromEnv, type NodeConfig, NodeInitError } from "./config.ts";
import { discoverDynamicConfig } from "./dynamic.ts";
import { startWatchdog } from "./watchdog.ts";

/** Options of `Node.init`. */
export interface NodeInitOptions {
  /**
   * Connect as a dynamic node with this id (`path: dynamic` in the dataflow):
   * the configuration comes from a daemon on this machine, see
   * {@link resolveDynamicConfig}.
   */
  nodeId?: string;
  /** Use this configuration instead of `DORA_NODE_CONFIG` (tests). */
  config?: NodeConfig;
}

/** A connected node, before its first event: what the handshake hands over. */
export interface Connection {
  config: NodeConfig;
  conn: Deno.UnixConn;
  reader: FrameReader;
  writer: FrameWriter;
  /** Stops the parent watchdog. */
  stopWatchdog: () => void;
}

/**
 * The configuration of dynamic node `nodeId` (`path: dynamic`): from
 * `DORA_NODE_CONFIG` when it names this node, else asked from the daemons
 * on this machine (see docs/protocol.md, "Dynamic nodes").
 */
export function resolveDynamicConfig(nodeId: string): Promise<NodeConfig> {
  const raw = Deno.env.get("DORA_NODE_CONFIG");
  if (raw !== undefined) {
    const config = configFromEnv();
    if (config.node_id === nodeId) return Promise.resolve(config);
  }
  return discoverDynamicConfig(nodeId);
}

/**
 * Resolves the configuration, arms the watchdog and connects to the daemon.
 * Throws {@link NodeInitError} with a message saying what to fix; a missing
 * Deno permission is also printed to stderr.
 */
export async function connect(options: NodeInitOptions): Promise<Connection> {
  let config: NodeConfig;
  try {
    config = options.config ??
      (options.nodeId !== undefined
        ? await resolveDynamicConfig(options.nodeId)
        : configFromEnv());
  } catch (e) {
    throw initError(e);
  }
  // Armed first, so a daemon that dies during the handshake takes us along.
  const stopWatchdog = startWatchdog(config.parent_pid);
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: config.socket });
  } catch (e) {
    stopWatchdog();
    throw initError(e, config.socket);
  }
  return {
    config,
    conn,
    reader: new FrameReader(conn),
    writer: new FrameWriter(conn),
    stopWatchdog,
  };
}

/**
 * Says `hello` and waits for `hello_ok`, then `ready` (the ready barrier).
 * `hello_ok` and the frames that arrive meanwhile (`routes`, `release`) go
 * to `onFrame`.
 * `direct`: the node listens for its receivers (docs/protocol.md, "Direct
 * delivery").
 */
export async function handshake(
  c: Connection,
  direct: boolean,
  onFrame: (h: DaemonToNode, frame: Frame) => void,
): Promise<void> {
  const { config } = c;
  const hello: HelloHeader = {
    t: "hello",
    v: PROTOCOL_VERSION,
    node: config.node_id,
    df: config.dataflow_id,
    lang: "ts",
    pid: Deno.pid,
  };
  // Proves that this is the process dora started for the node.
  if (config.secret !== undefined) hello.secret = config.secret;
  // Allowed shared memory but cannot map it: tell the daemon to send inline.
  if (config.shm && !shmCalls()) hello.shm = false;
  // Listening for receivers, taking routes, linking to senders.
  if (direct) hello.direct = true;
  hello.binary = true;
  c.writer.push(hello);
  let helloOk = false;
  for (;;) {
    const frame = await c.reader.next();
    if (!frame) {
      throw new NodeInitError(
        helloOk
          ? "the dora daemon closed the connection before the dataflow was ready"
          : "the dora daemon closed the connection during the handshake",
      );
    }
    const h = asDaemonToNode(frame.header);
    if (h.t === "error") {
      throw new NodeInitError(
        `the dora daemon refused this node: ${h.message}`,
      );
    }
    if (h.t === "ready" && helloOk) return;
    // `hello_ok` carries the node's parameters: the event path keeps them.
    if (h.t === "hello_ok") helloOk = true;
    onFrame(h, frame);
  }
}

function describePermissionError(e: Error, socket?: string): string {
  const where = socket
    ? ` It needs --allow-read=${socket} --allow-write=${socket} --allow-net=unix:${socket} to reach the daemon (set \`permissions:\` on the node in the dataflow).`
    : "";
  return `dora node cannot start, a permission is missing: ${e.message}.${where}`;
}

function initError(e: unknown, socket?: string): Error {
  if (e instanceof Deno.errors.NotCapable) {
    const message = describePermissionError(e, socket);
    console.error(`error: ${message}`);
    return new NodeInitError(message);
  }
  if (e instanceof NodeInitError) return e;
  if (socket) {
    return new NodeInitError(
      `cannot connect to the dora daemon at ${socket}: ${(e as Error).message}`,
    );
  }
  return e as Error;
}
