/**
 * Dynamic nodes (`path: dynamic`): a node started by hand asks the daemons on
 * this machine for its configuration. Each daemon listens on
 * `<runtime base>/daemon-<machine id>-<pid>.sock` (runtime base:
 * `$XDG_RUNTIME_DIR/dora`, else `/tmp/dora-<uid>`), or `DORA_DAEMON_SOCKET`
 * names one. The node sends `hello` without `df`; the daemon answers
 * `dynamic_ok` with the `DORA_NODE_CONFIG` object, or `error`.
 *
 * @module
 */
import {
  encodeFrame,
  FrameReader,
  PROTOCOL_VERSION,
} from "../../../src/message/mod.ts";
import { type NodeConfig, NodeInitError, parseConfig } from "./config.ts";

function runtimeBase(): string {
  const xdg = Deno.env.get("XDG_RUNTIME_DIR");
  if (xdg) return `${xdg}/dora`;
  let uid: number | null = null;
  try {
    uid = Deno.uid();
  } catch {
    // no --allow-sys: fall back like the daemon does
  }
  return `/tmp/dora-${uid ?? "user"}`;
}

/** The discovery sockets to ask, in order. */
function discoverySockets(): string[] {
  const explicit = Deno.env.get("DORA_DAEMON_SOCKET");
  if (explicit) return [explicit];
  const base = runtimeBase();
  try {
    return [...Deno.readDirSync(base)]
      .filter((e) => /^daemon-.+\.sock$/.test(e.name))
      .map((e) => `${base}/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}

/** A daemon that does not answer (stopped, hung) is skipped like a stale one. */
const ASK_TIMEOUT_MS = 2000;

async function ask(
  path: string,
  nodeId: string,
): Promise<Record<string, unknown>> {
  const conn = await Deno.connect({ transport: "unix", path });
  // Closing the connection makes the pending read fail, so ask() rejects.
  const timer = setTimeout(() => conn.close(), ASK_TIMEOUT_MS);
  try {
    const hello = encodeFrame({
      t: "hello",
      v: PROTOCOL_VERSION,
      node: nodeId,
      lang: "ts",
      pid: Deno.pid,
    });
    let off = 0;
    while (off < hello.length) off += await conn.write(hello.subarray(off));
    const frame = await new FrameReader(conn, 64 * 1024).next();
    if (!frame) throw new Error("the daemon closed the connection");
    return frame.header;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed by the timeout
    }
  }
}

/** Asks the daemons on this machine for the configuration of dynamic node `nodeId`. */
export async function discoverDynamicConfig(
  nodeId: string,
): Promise<NodeConfig> {
  const sockets = discoverySockets();
  if (sockets.length === 0) {
    throw new NodeInitError(
      `dynamic node "${nodeId}": no dora daemon runs on this machine (no daemon-*.sock in ${runtimeBase()}); start one with \`dora up\` and a dataflow that declares the node with \`path: dynamic\``,
    );
  }
  const errors: string[] = [];
  for (const path of sockets) {
    let reply: Record<string, unknown>;
    try {
      reply = await ask(path, nodeId);
    } catch {
      continue; // a stale socket of a daemon that is gone
    }
    if (reply.t === "dynamic_ok") return parseConfig(reply.config);
    errors.push(String(reply.message ?? "unexpected reply"));
  }
  throw new NodeInitError(
    `dynamic node "${nodeId}": ${errors.join("; ") || "no daemon answered"}`,
  );
}
