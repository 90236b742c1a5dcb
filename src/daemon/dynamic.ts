/**
 * Discovery for `path: dynamic` nodes started by hand: each daemon listens on
 * `<runtime base>/daemon-<machine id or "default">-<pid>.sock` (several
 * daemons may share a machine). A node asks every such socket; it sends one
 * `hello` frame without `df`; the daemon answers `dynamic_ok` with the
 * node's `DORA_NODE_CONFIG` object (or `error`) and closes. The node then
 * connects to `config.socket` as usual. See docs/protocol.md.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { runtimeBase, sweepLeftovers } from "../runtime/spawn/runtime_dir.ts";
import { encodeFrame } from "../message/frame.ts";
import { FrameReader } from "../message/frame_reader.ts";

/** The discovery socket path of this daemon process. */
export function discoverySocketPath(machineId?: string): string {
  return `${runtimeBase()}/daemon-${machineId ?? "default"}-${Deno.pid}.sock`;
}

/** A bound discovery socket. */
export interface DiscoveryServer {
  path: string;
  close(): void;
}

/**
 * Binds the discovery socket (once per daemon process), after removing the
 * sockets of dead daemons.
 */
export function serveDiscovery(
  machineId: string | undefined,
  lookup: (nodeId: string, df?: string) => Record<string, unknown>,
): DiscoveryServer {
  const path = discoverySocketPath(machineId);
  Deno.mkdirSync(runtimeBase(), { recursive: true, mode: 0o700 });
  // Sockets, folders and regions of daemons and runs that died.
  sweepLeftovers();
  const listener = Deno.listen({ transport: "unix", path });
  (async () => {
    try {
      for await (const conn of listener) answer(conn, lookup);
    } catch {
      // closed
    }
  })();
  return {
    path,
    close() {
      try {
        listener.close();
      } catch {
        // closed
      }
      try {
        Deno.removeSync(path);
      } catch {
        // gone
      }
    },
  };
}

async function answer(
  conn: Deno.Conn,
  lookup: (nodeId: string, df?: string) => Record<string, unknown>,
): Promise<void> {
  try {
    const frame = await new FrameReader(conn, 64 * 1024).next();
    const h = frame?.header ?? {};
    let reply: object;
    if (h.t !== "hello" || typeof h.node !== "string") {
      reply = { t: "error", message: "expected a hello frame with a node id" };
    } else {
      try {
        reply = {
          t: "dynamic_ok",
          config: lookup(h.node, typeof h.df === "string" ? h.df : undefined),
        };
      } catch (err) {
        reply = {
          t: "error",
          message: errorMessage(err),
        };
      }
    }
    const bytes = encodeFrame(reply);
    let off = 0;
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
  } catch {
    // the node went away
  } finally {
    try {
      conn.close();
    } catch {
      // closed
    }
  }
}
