/**
 * What a node is given at start: its `DORA_NODE_CONFIG` (docs/protocol.md),
 * the import map of TypeScript nodes, and helpers for runtime-made messages.
 *
 * @module
 */
import type { NodeSpec } from "../../descriptor/model.ts";
import {
  nodeTypesConfig,
  TYPE_CHECK_ENV,
  type TypeCheckMode,
  typeCheckModeFor,
} from "../../descriptor/types/runtime_config.ts";
import {
  encodeValue,
  type HybridLogicalClock,
  PROTOCOL_VERSION,
  type WireMetadata,
} from "../../message/mod.ts";

/** Payloads of at least this many bytes go through shared memory. */
export const ZERO_COPY_THRESHOLD = 4096;

/** The `DORA_NODE_CONFIG` object of a node. */
export function nodeConfig(
  spec: NodeSpec,
  ctx: {
    dataflowId: string;
    socket: string;
    restarts: number;
    shm: boolean;
    /** The parent the node API watches; `null` for nodes started by hand. */
    parentPid?: number | null;
    /** The dataflow's runtime type check mode (`--type-check`). */
    typeCheck?: TypeCheckMode | "off";
    /** Where the node listens for its direct receivers (direct delivery). */
    listen?: string;
    /** The process's secret (its `hello` carries it; see message/node_identity.ts). */
    secret?: string;
    /** The flat descriptor, for the node API's `dataflow_descriptor()`. */
    descriptor?: Record<string, unknown>;
  },
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    protocol: PROTOCOL_VERSION,
    dataflow_id: ctx.dataflowId,
    node_id: spec.id,
    socket: ctx.socket,
    inputs: Object.fromEntries(
      spec.inputs.map((i) => [i.id, {
        source: i.sourceText,
        queue_size: i.queueSize,
        queue_policy: i.queuePolicy,
        ...(i.inputTimeout !== undefined
          ? { input_timeout: i.inputTimeout }
          : {}),
      }]),
    ),
    outputs: spec.outputs,
    restart_count: ctx.restarts,
    zero_copy_threshold: ZERO_COPY_THRESHOLD,
    shm: ctx.shm,
  };
  if (ctx.listen !== undefined) config.listen = ctx.listen;
  if (ctx.secret !== undefined) config.secret = ctx.secret;
  // Environment variables are limited to 128 KiB: a huge descriptor stays out.
  if (ctx.descriptor && JSON.stringify(ctx.descriptor).length < 64 * 1024) {
    config.dataflow_descriptor = ctx.descriptor;
  }
  const parent = ctx.parentPid === undefined ? Deno.pid : ctx.parentPid;
  if (parent !== null) config.parent_pid = parent;
  const types = nodeTypesConfig(
    spec,
    typeCheckModeFor(
      spec,
      { typeCheck: ctx.typeCheck },
      Deno.env.get(TYPE_CHECK_ENV),
    ),
  );
  if (types) config.types = types;
  return config;
}

/** The import map that resolves `dora` and `apache-arrow` for TypeScript nodes. */
export function importMap(sourceRoot: string): string {
  return JSON.stringify({
    imports: {
      "dora": `file://${sourceRoot}/nodes/api/ts/mod.ts`,
      "apache-arrow": "npm:apache-arrow@21.2.0",
      // The recorder and replay nodes (nodes/record/) write and read MCAP,
      // and encode Arrow IPC with apache-arrow's own message classes.
      "apache-arrow/": "npm:/apache-arrow@21.2.0/",
      "@mcap/core": "npm:@mcap/core@2.2.2",
      "lz4js": "npm:lz4js@0.2.0",
      // The built-in zenoh nodes (nodes/zenoh/) talk to the bridge.
      "@eclipse-zenoh/zenoh-ts": "npm:@eclipse-zenoh/zenoh-ts@1.10.1",
    },
  });
}

/** A message carrying one string as an Arrow utf8 array (logs, stdout lines). */
export function textMessage(
  text: string,
  clock: HybridLogicalClock,
): { m: WireMetadata; d: unknown; payload: Uint8Array } {
  const enc = encodeValue([text]);
  const payload = new Uint8Array(enc.size);
  enc.write(payload);
  return { m: { ts: clock.now().toString(), p: {} }, d: enc.layout, payload };
}

/** `setpriv` (util-linux) for PDEATHSIG, when installed. */
export function findSetpriv(): string | undefined {
  for (const p of ["/usr/bin/setpriv", "/bin/setpriv"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
