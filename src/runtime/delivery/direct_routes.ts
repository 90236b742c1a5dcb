/**
 * Direct delivery (docs/protocol.md, "Direct delivery"): which routes go
 * straight from sender to receiver over a link, and the `routes` frames that
 * tell each node where its outputs go and which inputs come over links. The
 * daemon relays only the other routes (timers, logs, other machines, taps,
 * inputs with an `input_timeout`, health-checked nodes, nodes started by
 * hand); every change (a node restarted or gone, a tap, a route added or
 * removed) sends each affected node its new table.
 *
 * @module
 */
import type { InputSpec } from "../../descriptor/model.ts";
import type {
  InputRoute,
  OutputRoute,
  RoutesHeader,
} from "../../message/mod.ts";
import type { RuntimeContext } from "../_context.ts";
import type { RunningNode } from "../running_node.ts";
import { linkKeyOf } from "../spawn/node_secret.ts";

/** Whether direct delivery is on (`DORA_DIRECT=0` turns it off, for comparisons). */
export function directEnabled(rt: RuntimeContext): boolean {
  if (rt.opts.direct !== undefined) return rt.opts.direct;
  try {
    return Deno.env.get("DORA_DIRECT") !== "0";
  } catch {
    return true;
  }
}

/** The `listen` socket of the node at `index` in the dataflow. */
export function linkSocketPath(runtimeDir: string, index: number): string {
  return `${runtimeDir}/n${index}.sock`;
}

/**
 * Whether messages of `from` to `input` of `to` go over a link: both nodes
 * run here and speak direct delivery, and nothing on the way needs the
 * daemon to see each message.
 */
export function isDirect(
  rt: RuntimeContext,
  from: RunningNode,
  to: RunningNode,
  input: InputSpec,
): boolean {
  if (!rt.direct || !from.local || !to.local) return false;
  if (!from.direct || !to.direct || to.dynamic) return false;
  // Each message must pass the circuit breaker / the health check.
  if (input.inputTimeout !== undefined) return false;
  if (
    from.spec.healthCheckTimeout !== undefined ||
    to.spec.healthCheckTimeout !== undefined
  ) return false;
  if (rt.relayPairs.has(`${from.spec.id}\0${to.spec.id}`)) return false;
  return true;
}

/** Outputs the runtime itself produces for a node (its stdout, its logs). */
function runtimeOutputs(node: RunningNode): Set<string> {
  const out = new Set<string>();
  if (node.spec.sendStdoutAs) out.add(node.spec.sendStdoutAs);
  if (node.spec.sendLogsAs) out.add(node.spec.sendLogsAs);
  return out;
}

/** The input spec of `to`'s `input`, if it has one. */
function inputSpec(to: RunningNode, input: string): InputSpec | undefined {
  return to.spec.inputs.find((i) => i.id === input);
}

/** Whether a route of `from/output` to `to/input` is direct. */
export function routeIsDirect(
  rt: RuntimeContext,
  from: RunningNode,
  output: string,
  to: RunningNode,
  input: string,
): boolean {
  if (runtimeOutputs(from).has(output)) return false;
  const spec = inputSpec(to, input);
  return spec !== undefined && isDirect(rt, from, to, spec);
}

/** The `routes` table of `node`. */
export function routesFor(rt: RuntimeContext, node: RunningNode): RoutesHeader {
  const id = node.spec.id;
  const out: Record<string, OutputRoute> = {};
  const own = runtimeOutputs(node);
  for (const output of node.spec.outputs) {
    if (own.has(output)) continue;
    const route: OutputRoute = {
      daemon: rt.routing.hasRemote(id, output) ||
        (rt.taps.get(`${id}/${output}`)?.size ?? 0) > 0,
      to: [],
    };
    for (const r of rt.routing.receivers(id, output)) {
      const to = rt.nodes.get(r.node);
      if (!to || !to.alive) continue;
      const spec = inputSpec(to, r.input);
      if (spec && !own.has(output) && isDirect(rt, node, to, spec)) {
        route.to.push({
          node: to.spec.id,
          input: r.input,
          queue_size: spec.queueSize,
          queue_policy: spec.queuePolicy,
          shm: to.shm,
        });
      } else route.daemon = true;
    }
    out[output] = route;
  }
  const inputs: Record<string, InputRoute> = {};
  for (const input of node.spec.inputs) {
    const s = input.source;
    if (s.kind !== "node") continue;
    const from = rt.nodes.get(s.node);
    if (!from || runtimeOutputs(from).has(s.output)) continue;
    if (!isDirect(rt, from, node, input)) continue;
    const route: InputRoute = {
      node: from.spec.id,
      sock: from.connected && from.listen ? from.listen : null,
      gen: from.gen,
      queue_size: input.queueSize,
      queue_policy: input.queuePolicy,
    };
    // Only this node gets the key that lets it link to the sender.
    const key = linkKeyOf(from, id);
    if (key !== undefined) route.key = key;
    inputs[input.id] = route;
  }
  return { t: "routes", out, in: inputs };
}

/**
 * Sends `routes` to `node` if its table changed since the last one (only to
 * nodes that speak direct delivery).
 */
export function sendRoutes(rt: RuntimeContext, node: RunningNode): void {
  if (!node.conn || !node.direct || !node.alive) return;
  const routes = routesFor(rt, node);
  const json = JSON.stringify(routes);
  if (json === node.routesJson) return;
  node.routesJson = json;
  node.conn.sendJson(json);
  node.conn.kick();
}

/**
 * The routing changed (a node came, went or restarted; a tap or a route was
 * added or removed): the relay's resolved routes are recomputed and every
 * connected node gets its new table.
 */
export function updateRoutes(rt: RuntimeContext): void {
  rt.routes.clear();
  if (!rt.barrierReleased) return;
  for (const n of rt.nodes.values()) sendRoutes(rt, n);
}
