/**
 * Header types for every message of docs/protocol.md, and their validation.
 *
 * @module
 */
import { ProtocolError } from "./errors.ts";
import type { DataLayout } from "./layout_types.ts";
import type { WireMetadata } from "./metadata.ts";

/** Protocol version spoken by this implementation. */
export const PROTOCOL_VERSION = 1;

/** A shared-memory reference carried by `output` / `input` headers. */
export interface ShmRef {
  /** POSIX shm name, e.g. `/dora-1a2b3c4d-camera-0`. */
  name: string;
  /** Size of the region in bytes. */
  size: number;
  /** Token identifying this use of the region; receivers send it back in `release`. */
  token: string;
}

// ---- node → daemon ----

/** `hello`: first frame of a connection. */
export interface HelloHeader {
  t: "hello";
  v: number;
  node: string;
  df: string;
  lang: string;
  pid: number;
  /** `false` when the config allows shared memory but the node cannot map it. */
  shm?: boolean;
}
/** `next`: ask for events (at most one outstanding). */
export interface NextHeader {
  t: "next";
  max?: number;
}
/** `output`: send a message on an output (fire-and-forget). */
export interface OutputHeader {
  t: "output";
  o: string;
  m: WireMetadata;
  d?: DataLayout;
  shm?: ShmRef;
}
/** `close_outputs`: these outputs will not send any more. */
export interface CloseOutputsHeader {
  t: "close_outputs";
  o: string[];
}
/** `release` (both directions): shared-memory tokens no longer in use. */
export interface ReleaseHeader {
  t: "release";
  tokens: string[];
}
/** `shm_new`: register a region the node created. */
export interface ShmNewHeader {
  t: "shm_new";
  name: string;
  size: number;
}

/** `stop_dataflow`: the node asks for the whole dataflow to stop (an operator's `STOP_ALL`). */
export interface StopDataflowHeader {
  t: "stop_dataflow";
}

/** Any node → daemon header. */
export type NodeToDaemon =
  | HelloHeader
  | NextHeader
  | OutputHeader
  | CloseOutputsHeader
  | ReleaseHeader
  | ShmNewHeader
  | StopDataflowHeader;

// ---- daemon → node ----

/** `hello_ok`: the daemon accepted `hello`. */
export interface HelloOkHeader {
  t: "hello_ok";
  v: number;
  daemon: string;
}
/** `ready`: every static node is connected (the ready barrier). */
export interface ReadyHeader {
  t: "ready";
}
/** `input`: a message on one of the node's inputs. */
export interface InputHeader {
  t: "input";
  id: string;
  m: WireMetadata;
  d?: DataLayout;
  shm?: ShmRef;
}
/** `input_closed` / `input_recovered`: an input changed state. */
export interface InputStateHeader {
  t: "input_closed" | "input_recovered";
  id: string;
}
/** `node_restarted`: an upstream node will restart. */
export interface NodeRestartedHeader {
  t: "node_restarted";
  id: string;
}
/** `node_failed`: an upstream node failed. */
export interface NodeFailedHeader {
  t: "node_failed";
  id: string;
  inputs: string[];
  error: string;
}
/** Why a node is asked to stop. */
export type StopCause = "MANUAL" | "ALL_INPUTS_CLOSED";
/** `stop`: the node should exit. */
export interface StopHeader {
  t: "stop";
  cause: StopCause;
}
/** `error`: the daemon reports an error (e.g. an undeclared output). */
export interface ErrorHeader {
  t: "error";
  message: string;
}
/** `batch_end`: ends the answer to one `next`. */
export interface BatchEndHeader {
  t: "batch_end";
}

/** Any daemon → node header. */
export type DaemonToNode =
  | HelloOkHeader
  | ReadyHeader
  | InputHeader
  | InputStateHeader
  | NodeRestartedHeader
  | NodeFailedHeader
  | StopHeader
  | ErrorHeader
  | ReleaseHeader
  | BatchEndHeader;

type Check =
  | "str"
  | "int"
  | "strs"
  | "obj"
  | "?int"
  | "?obj"
  | "?bool"
  | "cause";
const NODE_TO_DAEMON: Record<string, Record<string, Check>> = {
  hello: {
    v: "int",
    node: "str",
    df: "str",
    lang: "str",
    pid: "int",
    shm: "?bool",
  },
  next: { max: "?int" },
  output: { o: "str", m: "obj", d: "?obj", shm: "?obj" },
  close_outputs: { o: "strs" },
  release: { tokens: "strs" },
  shm_new: { name: "str", size: "int" },
  stop_dataflow: {},
};
const DAEMON_TO_NODE: Record<string, Record<string, Check>> = {
  hello_ok: { v: "int", daemon: "str" },
  ready: {},
  input: { id: "str", m: "obj", d: "?obj", shm: "?obj" },
  input_closed: { id: "str" },
  input_recovered: { id: "str" },
  node_restarted: { id: "str" },
  node_failed: { id: "str", inputs: "strs", error: "str" },
  stop: { cause: "cause" },
  error: { message: "str" },
  release: { tokens: "strs" },
  batch_end: {},
};

function ok(check: Check, v: unknown): boolean {
  switch (check) {
    case "str":
      return typeof v === "string";
    case "int":
      return Number.isSafeInteger(v);
    case "?int":
      return v === undefined || Number.isSafeInteger(v);
    case "strs":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "obj":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "?obj":
      return v === undefined ||
        (typeof v === "object" && v !== null && !Array.isArray(v));
    case "?bool":
      return v === undefined || typeof v === "boolean";
    case "cause":
      return v === "MANUAL" || v === "ALL_INPUTS_CLOSED";
  }
}

const DESCRIBE: Record<Check, string> = {
  str: "a string",
  int: "an integer",
  "?int": "an integer when present",
  strs: "a list of strings",
  obj: "an object",
  "?obj": "an object when present",
  "?bool": "a boolean when present",
  cause: '"MANUAL" or "ALL_INPUTS_CLOSED"',
};

/** The tables as maps of field lists (no per-frame allocation, no prototype keys). */
function compile(
  table: Record<string, Record<string, Check>>,
): Map<string, [string, Check][]> {
  return new Map(
    Object.entries(table).map(([t, fields]) => [t, Object.entries(fields)]),
  );
}
const NODE_TO_DAEMON_FIELDS = compile(NODE_TO_DAEMON);
const DAEMON_TO_NODE_FIELDS = compile(DAEMON_TO_NODE);

function validate(
  header: Record<string, unknown>,
  table: Map<string, [string, Check][]>,
  direction: string,
): void {
  const t = header.t as string;
  const fields = table.get(t);
  if (!fields) {
    throw new ProtocolError(
      `unknown message type "${t}" (${direction}; expected one of ${
        [...table.keys()].join(", ")
      })`,
    );
  }
  for (let i = 0; i < fields.length; i++) {
    const [name, check] = fields[i];
    if (!ok(check, header[name])) {
      throw new ProtocolError(
        `"${t}" header: field "${name}" must be ${DESCRIBE[check]} (got ${
          JSON.stringify(header[name]) ?? "nothing"
        })`,
      );
    }
  }
}

/** Checks a header received by the daemon; throws {@link ProtocolError} naming the problem. */
export function asNodeToDaemon(header: Record<string, unknown>): NodeToDaemon {
  validate(header, NODE_TO_DAEMON_FIELDS, "node to daemon");
  return header as unknown as NodeToDaemon;
}

/** Checks a header received by a node; throws {@link ProtocolError} naming the problem. */
export function asDaemonToNode(header: Record<string, unknown>): DaemonToNode {
  validate(header, DAEMON_TO_NODE_FIELDS, "daemon to node");
  return header as unknown as DaemonToNode;
}
