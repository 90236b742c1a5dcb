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
  /**
   * `true`: the node speaks direct delivery (it listens on the config's
   * `listen` socket, takes `routes` and links to its senders); `false` or
   * absent: everything goes through the daemon.
   */
  direct?: boolean;
  /**
   * `true`: the node reads message frames with binary headers; absent: it
   * gets their JSON form (node APIs in other languages, older nodes).
   */
  binary?: boolean;
  /**
   * The `secret` of the node's `DORA_NODE_CONFIG`: proves that the
   * connection comes from the process dora started for this node (nodes
   * started by hand, `path: dynamic`, have none).
   */
  secret?: string;
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
/**
 * `stats`: the node's own counters of direct delivery (cumulative for this
 * process), for the run summary and `dora list`.
 */
export interface StatsHeader {
  t: "stats";
  /** Messages sent only over links (the daemon counts what it sees). */
  sent: number;
  /** Of those, sent as shared-memory references, and their payload bytes. */
  shm_sent: number;
  shm_bytes: number;
  /** Payload bytes of those sent inline over links. */
  inline_sent: number;
  /** Of those, per output (absent from older nodes). */
  out?: Record<string, number>;
  /** Inputs received over links; as references; inline payload bytes. */
  received: number;
  shm_received: number;
  inline_received: number;
  /** Of those, per input (absent from older nodes). */
  in?: Record<string, number>;
  /** Messages this node's queues dropped, per input. */
  drops: Record<string, number>;
  /** Messages to receivers dropped at this sender: receiver → input → count. */
  lost: Record<string, Record<string, number>>;
  /** Messages still waiting for a receiver that went away: receiver → count. */
  undelivered: Record<string, number>;
  /**
   * Inputs waiting in this node's own queue, not yet taken by its code (a
   * snapshot; the last one of a process counts as undelivered). Absent: 0.
   */
  unread?: number;
}
/** `drained`: every link to that incarnation of `node` reached its end. */
export interface DrainedHeader {
  t: "drained";
  node: string;
  gen: number;
}
/** `link_handed`: the link from `node` reached its hand-over mark. */
export interface LinkHandedHeader {
  t: "link_handed";
  node: string;
}
/**
 * `relay`: link frames for receiver `to` that the node could not write
 * (it closes before that receiver connected); the payload is the frames as
 * they would have gone over the link, for the daemon to deliver in order.
 */
export interface RelayHeader {
  t: "relay";
  to: string;
}
/** `link_failed`: the node could not link to a sender (use the daemon). */
export interface LinkFailedHeader {
  t: "link_failed";
  node: string;
  error: string;
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
  | StopDataflowHeader
  | StatsHeader
  | DrainedHeader
  | LinkHandedHeader
  | LinkFailedHeader
  | RelayHeader;

// ---- daemon → node ----

/** `hello_ok`: the daemon accepted `hello`. */
export interface HelloOkHeader {
  t: "hello_ok";
  v: number;
  daemon: string;
  /** The node's runtime parameters at this moment (absent when none). */
  params?: Record<string, unknown>;
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
/** `param_update`: a runtime parameter of the node was set (`dora param set`). */
export interface ParamUpdateHeader {
  t: "param_update";
  key: string;
  /** Any JSON value. */
  value: unknown;
}
/** `param_deleted`: a runtime parameter of the node was deleted. */
export interface ParamDeletedHeader {
  t: "param_deleted";
  key: string;
}
/** `batch_end`: ends the answer to one `next`. */
export interface BatchEndHeader {
  t: "batch_end";
}
/** One direct receiver of an output (`routes.out`). */
export interface RouteTarget {
  /** The receiving node; its link to us carries this route. */
  node: string;
  /** Its input id. */
  input: string;
  queue_size: number;
  queue_policy: "drop_oldest" | "backpressure";
  /** It maps shared memory (else big payloads go inline). */
  shm: boolean;
}
/** Where one output goes (`routes.out`). */
export interface OutputRoute {
  /** Also send it to the daemon (relayed receivers, other machines, taps). */
  daemon: boolean;
  /** Direct receivers. */
  to: RouteTarget[];
}
/** A link-fed input (`routes.in`). */
export interface InputRoute {
  /** The sending node. */
  node: string;
  /** Its `listen` socket, `null` while it is not running. */
  sock: string | null;
  /** Its incarnation (1 + restarts): a new one means a new link. */
  gen: number;
  queue_size: number;
  queue_policy: "drop_oldest" | "backpressure";
  /** The key to say in `link` (see node_identity.ts); absent: none needed. */
  key?: string;
}
/**
 * `routes`: where this node's outputs go and which inputs come over links
 * (the whole table; it replaces the previous one).
 */
export interface RoutesHeader {
  t: "routes";
  out: Record<string, OutputRoute>;
  in: Record<string, InputRoute>;
}
/** `drain`: tell the daemon once the links to `node`'s incarnation `gen` ended. */
export interface DrainHeader {
  t: "drain";
  node: string;
  gen: number;
}

/**
 * `hand_over`: end the link to `node`'s process `pid` with `handed_over` and
 * keep what follows for its next process (a `dora node replace`).
 */
export interface HandOverHeader {
  t: "hand_over";
  node: string;
  pid: number;
}
/** `handed_over`: nothing more comes over this link (the receiver is replaced). */
export interface HandedOverHeader {
  t: "handed_over";
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
  | BatchEndHeader
  | RoutesHeader
  | DrainHeader
  | HandOverHeader
  | ParamUpdateHeader
  | ParamDeletedHeader;

// ---- links: receiver ⇄ sender ----

/** `link`: the first frame a receiver sends on its link to a sender. */
export interface LinkHeader {
  t: "link";
  v: number;
  df: string;
  node: string;
  pid: number;
  /**
   * The link key the daemon gave the receiver for this sender (its
   * `routes.in`): proves that the receiver is the node it names.
   */
  key?: string;
}
/** Any receiver → sender header of a link. */
export type ReceiverToSender = LinkHeader | ReleaseHeader;
/** Any sender → receiver header of a link. */
export type SenderToReceiver =
  | InputHeader
  | InputStateHeader
  | ErrorHeader
  | HandedOverHeader;

type Check =
  | "str"
  | "int"
  | "strs"
  | "obj"
  | "?int"
  | "?obj"
  | "?bool"
  | "?str"
  | "json"
  | "cause";
const NODE_TO_DAEMON: Record<string, Record<string, Check>> = {
  hello: {
    v: "int",
    node: "str",
    df: "str",
    lang: "str",
    pid: "int",
    shm: "?bool",
    direct: "?bool",
    secret: "?str",
  },
  next: { max: "?int" },
  output: { o: "str", m: "obj", d: "?obj", shm: "?obj" },
  close_outputs: { o: "strs" },
  release: { tokens: "strs" },
  shm_new: { name: "str", size: "int" },
  stop_dataflow: {},
  stats: {
    sent: "int",
    shm_sent: "int",
    shm_bytes: "int",
    inline_sent: "int",
    received: "int",
    shm_received: "int",
    inline_received: "int",
    drops: "obj",
    lost: "obj",
    undelivered: "obj",
  },
  drained: { node: "str", gen: "int" },
  link_handed: { node: "str" },
  relay: { to: "str" },
  link_failed: { node: "str", error: "str" },
};
const DAEMON_TO_NODE: Record<string, Record<string, Check>> = {
  hello_ok: { v: "int", daemon: "str", params: "?obj" },
  ready: {},
  input: { id: "str", m: "obj", d: "?obj", shm: "?obj" },
  input_closed: { id: "str" },
  input_recovered: { id: "str" },
  node_restarted: { id: "str" },
  node_failed: { id: "str", inputs: "strs", error: "str" },
  stop: { cause: "cause" },
  error: { message: "str" },
  release: { tokens: "strs" },
  param_update: { key: "str", value: "json" },
  param_deleted: { key: "str" },
  batch_end: {},
  routes: { out: "obj", in: "obj" },
  drain: { node: "str", gen: "int" },
  hand_over: { node: "str", pid: "int" },
};
const RECEIVER_TO_SENDER: Record<string, Record<string, Check>> = {
  link: { v: "int", df: "str", node: "str", pid: "int", key: "?str" },
  release: { tokens: "strs" },
};
const SENDER_TO_RECEIVER: Record<string, Record<string, Check>> = {
  input: { id: "str", m: "obj", d: "?obj", shm: "?obj" },
  input_closed: { id: "str" },
  error: { message: "str" },
  handed_over: {},
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
    case "?str":
      return v === undefined || typeof v === "string";
    case "json":
      return v !== undefined;
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
  "?str": "a string when present",
  json: "a JSON value",
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
const RECEIVER_TO_SENDER_FIELDS = compile(RECEIVER_TO_SENDER);
const SENDER_TO_RECEIVER_FIELDS = compile(SENDER_TO_RECEIVER);

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

/** Checks a header a sender received on a link; throws {@link ProtocolError}. */
export function asReceiverToSender(
  header: Record<string, unknown>,
): ReceiverToSender {
  validate(header, RECEIVER_TO_SENDER_FIELDS, "link, receiver to sender");
  return header as unknown as ReceiverToSender;
}

/** Checks a header a receiver got on a link; throws {@link ProtocolError}. */
export function asSenderToReceiver(
  header: Record<string, unknown>,
): SenderToReceiver {
  validate(header, SENDER_TO_RECEIVER_FIELDS, "link, sender to receiver");
  return header as unknown as SenderToReceiver;
}
