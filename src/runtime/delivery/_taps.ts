/**
 * The message tap and injection (`dora topic echo/hz/info/pub`), the
 * smallest adapter on the forwarding path: an output's routes carry the
 * taps attached to it (`undefined` when none: one property check per
 * message), and an injected message is routed as if its node had sent it.
 *
 * @module
 */
import type { WireMetadata, WireParam } from "../../message/mod.ts";
import type { DataLayout } from "../../message/mod.ts";
import {
  InjectError,
  type OutputTap,
  type TapOptions,
  TapQueue,
} from "../../inspect/tap.ts";
import type { Routes, RuntimeContext } from "../_context.ts";
import { layoutExtent } from "../shm/inline_copy.ts";
import { hlc, route, routesOf } from "./_forwarding.ts";

function declaredOutputs(
  rt: RuntimeContext,
  node: string,
): string[] | undefined {
  const spec = rt.nodes.get(node)?.spec;
  if (!spec) return undefined;
  return [spec.outputs, spec.sendStdoutAs, spec.sendLogsAs].flat().filter((
    o,
  ): o is string => !!o);
}

/** Attaches a tap to `node/output`. */
export function subscribeOutput(
  rt: RuntimeContext,
  node: string,
  output: string,
  opts: TapOptions,
): OutputTap {
  const outputs = declaredOutputs(rt, node);
  if (!outputs) throw new InjectError(`no node "${node}" in this dataflow`);
  if (!outputs.includes(output)) {
    throw new InjectError(`node "${node}" has no output "${output}"`);
  }
  const routes = routesOf(rt, node, output);
  const queue = new TapQueue(opts, () => {
    const taps = routes.taps?.filter((t) => t !== queue);
    routes.taps = taps?.length ? taps : undefined;
  });
  routes.taps = [...(routes.taps ?? []), queue];
  return queue;
}

/** Copies one routed message into each tap of its output. */
export function tapMessage(
  rt: RuntimeContext,
  taps: TapQueue[],
  m: WireMetadata,
  d: unknown,
  shm: { name: string; size: number; token: string } | undefined,
  payload: Uint8Array | null,
): void {
  const layout = d as DataLayout | undefined;
  const size = shm ? layoutExtent(layout) : payload?.byteLength ?? 0;
  for (let i = 0; i < taps.length; i++) {
    const q = taps[i]!;
    let bytes: Uint8Array | null = null;
    if (q.maxBytes > 0 && size > 0) {
      try {
        bytes = shm
          ? rt.inline.copy(shm, layout, q.maxBytes)
          : payload!.slice(0, q.maxBytes);
      } catch {
        // an unreadable region: this copy is lost, the message goes on
        q.lose();
        continue;
      }
    }
    q.push({ ts: m.ts, params: m.p, layout, bytes, size });
  }
}

/** Taps attached to an output's routes (for `topic list`). */
export function tapCount(routes: Routes | undefined): number {
  return routes?.taps?.length ?? 0;
}

/** Routes a message on `node/output` as if the node had sent it. */
export function injectOutput(
  rt: RuntimeContext,
  node: string,
  output: string,
  msg: {
    params?: Record<string, WireParam>;
    layout?: DataLayout;
    payload: Uint8Array | null;
  },
): void {
  const outputs = declaredOutputs(rt, node);
  if (!outputs) throw new InjectError(`no node "${node}" in this dataflow`);
  if (!outputs.includes(output)) {
    throw new InjectError(`node "${node}" has no output "${output}"`);
  }
  const n = rt.nodes.get(node)!;
  if (!n.local) {
    throw new InjectError(`node "${node}" runs on another machine`);
  }
  if (rt.state !== "running") {
    throw new InjectError("the dataflow is not running (it is stopping)");
  }
  if (!n.openOutputs.has(output)) {
    throw new InjectError(
      `output "${node}/${output}" is closed (its node exited or closed it)`,
    );
  }
  const m: WireMetadata = { ts: hlc(rt).now().toString() };
  if (msg.params && Object.keys(msg.params).length) m.p = msg.params;
  // Not pausable: a full backpressure input sheds (and counts) the copy.
  route(rt, node, output, m, msg.layout, undefined, msg.payload, true, false);
}
