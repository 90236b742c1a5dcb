/**
 * Changing who receives what while the dataflow runs: subscriptions (taps),
 * messages injected on an output as if its node had sent them, and routes
 * added or removed. Each change updates the route table and sends every
 * affected node its new `routes` (see direct_routes.ts); the public face is
 * on `DataflowRuntime`.
 *
 * @module
 */
import type { InputSpec, QueuePolicy } from "../../descriptor/model.ts";
import {
  type DataLayout,
  encodeMetadata,
  encodeValue,
  type Params,
  type SendableValue,
  type WireMetadata,
} from "../../message/mod.ts";
import { type RuntimeContext } from "../_context.ts";
import { deliver, deliverSoon } from "./_delivery.ts";
import { hlc } from "./_forwarding.ts";
import { routeIsDirect, updateRoutes } from "./direct_routes.ts";
import { offerToTaps, Tap, type TapOptions } from "./taps.ts";

/** A route of the table: one output to one input. */
export interface RouteSpec {
  /** The sending node and its output. */
  from: { node: string; output: string };
  /** The receiving node and its input. */
  to: { node: string; input: string };
}

/** Settings of an input that a new route creates. */
export interface NewInputSettings {
  /** Default 10. */
  queueSize?: number;
  /** Default `drop_oldest`. */
  queuePolicy?: QueuePolicy;
}

/** One route as the table reports it. */
export interface RouteInfo extends RouteSpec {
  /** Delivered over a link between the two nodes (else through the runtime). */
  direct: boolean;
  queueSize: number;
  queuePolicy: QueuePolicy;
}

/** A route change that does not fit the dataflow. */
export class RouteError extends Error {
  /** Creates the error; the message names the node, output or input. */
  constructor(message: string) {
    super(message);
    this.name = "RouteError";
  }
}

function checkOutput(rt: RuntimeContext, node: string, output: string): void {
  const n = rt.nodes.get(node);
  if (!n) throw new RouteError(`no node "${node}" in dataflow ${rt.id}`);
  const outputs = new Set([
    ...n.spec.outputs,
    ...[n.spec.sendStdoutAs, n.spec.sendLogsAs].filter((o) => !!o),
  ]);
  if (!outputs.has(output)) {
    throw new RouteError(
      `node "${node}" has no output "${output}" (outputs: ${
        [...outputs].map((o) => `"${o}"`).join(", ") || "none"
      })`,
    );
  }
}

/** Subscribes to `node/output` (see {@link Tap}). */
export function subscribe(
  rt: RuntimeContext,
  node: string,
  output: string,
  options: TapOptions = {},
): Tap {
  checkOutput(rt, node, output);
  const key = `${node}/${output}`;
  const tap = new Tap(node, output, options, (t) => {
    const set = rt.taps.get(key);
    if (!set?.delete(t)) return;
    if (set.size === 0) {
      rt.taps.delete(key);
      // The sender stops sending copies to the runtime.
      updateRoutes(rt);
    }
  });
  if (rt.state === "finished") {
    tap.close();
    return tap;
  }
  let set = rt.taps.get(key);
  if (!set) rt.taps.set(key, set = new Set());
  set.add(tap);
  if (set.size === 1) updateRoutes(rt);
  return tap;
}

/** Ends every subscription (the dataflow finished). */
export function closeTaps(rt: RuntimeContext): void {
  for (const set of [...rt.taps.values()]) {
    for (const tap of [...set]) tap.close();
  }
  rt.taps.clear();
}

/** A message to inject: a value, or raw metadata, layout and payload. */
export type InjectedMessage =
  | { value: SendableValue; params?: Params }
  | { metadata?: WireMetadata; layout?: DataLayout; payload?: Uint8Array };

/**
 * Delivers a message on `node/output` as if the node had sent it: to every
 * local receiver (through the runtime, never blocking: a full backpressure
 * input drops and counts it), to the subscribers and to other machines.
 * Returns the number of local receivers it was queued for.
 */
export function inject(
  rt: RuntimeContext,
  node: string,
  output: string,
  msg: InjectedMessage,
): number {
  checkOutput(rt, node, output);
  let m: WireMetadata;
  let d: DataLayout | undefined;
  let payload: Uint8Array | null = null;
  if ("value" in msg) {
    const enc = encodeValue(msg.value);
    d = enc.layout;
    if (enc.size > 0) {
      payload = new Uint8Array(enc.size);
      enc.write(payload);
    }
    m = encodeMetadata(hlc(rt).now(), msg.params);
  } else {
    d = msg.layout;
    payload = msg.payload ?? null;
    m = msg.metadata ?? { ts: hlc(rt).now().toString() };
  }
  let queued = 0;
  for (const r of rt.routing.receivers(node, output)) {
    const rn = rt.nodes.get(r.node)!;
    if (!rn.alive) continue;
    const header: Record<string, unknown> = { t: "input", id: r.input, m };
    if (d !== undefined) header.d = d;
    rn.queue.offerInput(r.input, { header, payload, from: node });
    deliverSoon(rt, rn);
    queued++;
  }
  const taps = rt.taps.get(`${node}/${output}`);
  if (taps) {
    offerToTaps(taps, () => null, node, output, m, d, undefined, payload);
  }
  if (rt.routing.hasRemote(node, output)) {
    rt.opts.onRemoteOutput?.({
      from: node,
      output,
      metadata: m,
      data: d,
      payload,
    });
  }
  return queued;
}

/**
 * Adds a route from `from.node/from.output` to `to.node/to.input`. An input
 * the receiver does not have yet is created with `settings`; an input fed
 * by another source is an error (an input has one source).
 */
export function addRoute(
  rt: RuntimeContext,
  route: RouteSpec,
  settings: NewInputSettings = {},
): void {
  const { from, to } = route;
  checkOutput(rt, from.node, from.output);
  const receiver = rt.nodes.get(to.node);
  if (!receiver) {
    throw new RouteError(`no node "${to.node}" in dataflow ${rt.id}`);
  }
  const sourceText = `${from.node}/${from.output}`;
  let input = receiver.spec.inputs.find((i) => i.id === to.input);
  if (input && input.sourceText !== sourceText) {
    throw new RouteError(
      `input "${to.input}" of node "${to.node}" already reads "${input.sourceText}"`,
    );
  }
  if (!input) {
    input = {
      id: to.input,
      sourceText,
      source: { kind: "node", node: from.node, output: from.output },
      queueSize: Math.max(1, settings.queueSize ?? 10),
      queuePolicy: settings.queuePolicy ?? "drop_oldest",
    } satisfies InputSpec;
    receiver.spec.inputs.push(input);
    receiver.queue.addInput(input);
  }
  // A sandboxed TypeScript node can reach only the sockets it was given.
  const sender = rt.nodes.get(from.node)!;
  if (
    receiver.linkSockets !== undefined && sender.listen !== undefined &&
    !receiver.linkSockets.includes(sender.listen)
  ) rt.relayPairs.add(`${from.node}\0${to.node}`);
  rt.routing.addRoute(from.node, from.output, {
    node: to.node,
    input: to.input,
  });
  updateRoutes(rt);
}

/**
 * Removes a route; the receiver's input gets INPUT_CLOSED (after what was
 * sent on it before). Throws {@link RouteError} when there is no such route.
 */
export function removeRoute(rt: RuntimeContext, route: RouteSpec): void {
  const { from, to } = route;
  if (
    !rt.routing.removeRoute(from.node, from.output, {
      node: to.node,
      input: to.input,
    })
  ) {
    throw new RouteError(
      `no route from "${from.node}/${from.output}" to "${to.node}/${to.input}"`,
    );
  }
  // The sender closes it on the link in order; the runtime tells the
  // receiver too (it waits for the link when there is one).
  updateRoutes(rt);
  const receiver = rt.nodes.get(to.node);
  if (receiver?.alive) {
    receiver.queue.closeInput(to.input);
    deliver(rt, receiver);
  }
}

/** Every local route, and whether it is direct. */
export function routeTable(rt: RuntimeContext): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const [node, output, r] of rt.routing.entries()) {
    const from = rt.nodes.get(node);
    const to = rt.nodes.get(r.node);
    const spec = to?.spec.inputs.find((i) => i.id === r.input);
    if (!from || !to || !spec) continue;
    out.push({
      from: { node, output },
      to: { node: r.node, input: r.input },
      direct: routeIsDirect(rt, from, output, to, r.input),
      queueSize: spec.queueSize,
      queuePolicy: spec.queuePolicy,
    });
  }
  return out;
}
