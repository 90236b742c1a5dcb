/**
 * Forwarding of outputs to the local receivers (queued per input) and to
 * other machines; output closing; timer ticks. The hot path: no awaits and
 * as few allocations per message as possible.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import {
  type DataLayout,
  type HybridLogicalClock,
  type WireMetadata,
} from "../../message/mod.ts";
import { message, type Routes, type RuntimeContext } from "../_context.ts";
import { deliver, deliverSoon } from "./_delivery.ts";
import { forwardBinary, inputHead } from "./input_header.ts";
import { type RunningNode } from "../running_node.ts";
import { routeIsDirect } from "./direct_routes.ts";
import { offerToTaps } from "./taps.ts";
import { creditsFor } from "./remote_credits.ts";

/** Queues one output for every local receiver and hands it to other machines. */
export function route(
  rt: RuntimeContext,
  from: string,
  output: string,
  m: WireMetadata,
  d: unknown,
  shm: { name: string; size: number; token: string } | undefined,
  payload: Uint8Array | null,
  forwardRemote: boolean,
  /** The producer can be paused (a node's socket), so it may exceed caps. */
  pausable = true,
  /** The received header's text after `o` (see forward.ts), if reusable. */
  tail?: string,
  /** The received binary header (the sender's reader's view: used now). */
  binary?: Uint8Array,
): void {
  // Applied to the clock later (`#hlc`), off the forwarding path.
  // (Decimal strings without leading zeros: longer is larger.)
  const ts = m.ts;
  const seen = rt.seenTs;
  if (
    typeof ts === "string" && /^[1-9]\d*$/.test(ts) &&
    (seen === undefined || ts.length > seen.length ||
      (ts.length === seen.length && ts > seen))
  ) rt.seenTs = ts;
  const routes = routesOf(rt, from, output);
  routes.sent.n++;
  /** The region's bytes for receivers without shared memory (copied once). */
  let inline: { payload: Uint8Array | null } | { error: string } | undefined;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i];
    const rn = r.node;
    if (
      !rn.alive ||
      (rt.fault !== undefined && !rt.fault.admit(rn.spec.id, r.input))
    ) {
      // Never queued: a sender on another machine gets its credit back.
      if (!forwardRemote && creditsFor(rt, from, rn, r.input)) {
        rt.credits.leave(rt, rn, r.input, { header: {}, payload: null, from });
      }
      continue;
    }
    if (shm && !rn.shm) {
      inline ??= copyInline(rt, shm, d as DataLayout | undefined);
      if ("error" in inline) {
        rn.queue.pushControl({
          t: "error",
          message:
            `input "${r.input}" from "${from}/${output}": ${inline.error}`,
        });
        deliver(rt, rn);
        continue;
      }
      const header: Record<string, unknown> = { t: "input", id: r.input, m };
      if (d !== undefined) header.d = d;
      const msg = { header, payload: inline.payload, from };
      if (pausable) rn.queue.pushInput(r.input, msg);
      else rn.queue.offerInput(r.input, msg);
      deliverSoon(rt, rn);
      continue;
    }
    const header: Record<string, unknown> = { t: "input", id: r.input, m };
    if (d !== undefined) header.d = d;
    if (shm) {
      header.shm = shm;
      rt.shm.hold(shm.token, from, rn.spec.id, shm.name);
    }
    const msg = {
      header,
      payload,
      from,
      token: shm?.token,
      raw: tail === undefined ? undefined : r.head + tail,
      rawBytes: binary === undefined
        ? undefined
        : forwardBinary(binary, r.idBytes),
      // From another machine: its credit goes back once it left the queue.
      credit: !forwardRemote && creditsFor(rt, from, rn, r.input),
    };
    if (pausable) rn.queue.pushInput(r.input, msg);
    else rn.queue.offerInput(r.input, msg);
    deliverSoon(rt, rn);
  }
  if (routes.taps) {
    offerToTaps(
      routes.taps,
      (ref, layout, max) => rt.inline.copy(ref, layout, max),
      from,
      output,
      m,
      d,
      shm,
      payload,
    );
  }
  if (forwardRemote && routes.remote) {
    // Other machines get the region's bytes, read now (as a file: see
    // inline_copy.ts), before the region can be released.
    if (shm) inline ??= copyInline(rt, shm, d as DataLayout | undefined);
    if (inline && "error" in inline) {
      message(
        rt,
        "error",
        `output "${output}" of node "${from}" was not sent to other machines: ${inline.error}`,
      );
    } else {
      rt.opts.onRemoteOutput?.({
        from,
        output,
        metadata: m,
        data: d,
        payload: inline ? inline.payload : payload,
      });
      rt.credits.sent(from, output);
    }
  }
  if (shm) rt.shm.releaseUnheld(shm.token, from);
}

/**
 * The relayed local receivers of `from/output` (those not reached over a
 * link), resolved once per routing change.
 */
export function routesOf(
  rt: RuntimeContext,
  from: string,
  output: string,
): Routes {
  let byOutput = rt.routes.get(from);
  if (!byOutput) rt.routes.set(from, byOutput = new Map());
  let routes = byOutput.get(output);
  if (!routes) {
    const sender = rt.nodes.get(from);
    const taps = rt.taps.get(`${from}/${output}`);
    routes = Object.assign(
      rt.routing.receivers(from, output).filter((r) =>
        !sender ||
        !routeIsDirect(rt, sender, output, rt.nodes.get(r.node)!, r.input)
      ).map((r) => ({
        node: rt.nodes.get(r.node)!,
        input: r.input,
        head: inputHead(r.input),
        idBytes: new TextEncoder().encode(r.input),
      })),
      {
        remote: rt.routing.hasRemote(from, output),
        sent: sentCounter(sender, output),
        taps: taps && taps.size > 0 ? taps : undefined,
      },
    );
    byOutput.set(output, routes);
  }
  return routes;
}

/** The count of `node/output` messages the runtime routed, kept across route changes. */
function sentCounter(
  node: RunningNode | undefined,
  output: string,
): { n: number } {
  if (!node) return { n: 0 };
  let c = node.routedSent.get(output);
  if (!c) node.routedSent.set(output, c = { n: 0 });
  return c;
}

/** The clock, with every timestamp received so far applied. */
export function hlc(rt: RuntimeContext): HybridLogicalClock {
  const seen = rt.seenTs;
  if (seen !== undefined) {
    rt.seenTs = undefined;
    try {
      rt.clock.update(BigInt(seen));
    } catch {
      // a bad ts is the sender's problem; the message still went through
    }
  }
  return rt.clock;
}

/** Copies a region's payload (see shm_inline.ts); errors name the region. */
export function copyInline(
  rt: RuntimeContext,
  shm: { name: string; size: number; token: string },
  d: DataLayout | undefined,
): { payload: Uint8Array | null } | { error: string } {
  try {
    return { payload: rt.inline.copy(shm, d) };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

/** Closes an output: `input_closed` to its receivers, and to other machines. */
export function closeOutput(
  rt: RuntimeContext,
  node: RunningNode,
  output: string,
): void {
  if (!node.openOutputs.delete(output)) return;
  for (const r of rt.routing.receivers(node.spec.id, output)) {
    const rn = rt.nodes.get(r.node)!;
    if (!rn.alive) continue;
    rn.queue.closeInput(r.input);
    deliver(rt, rn);
  }
  if (node.local && rt.routing.hasRemote(node.spec.id, output)) {
    rt.opts.onRemoteOutputsClosed?.(node.spec.id, [output]);
  }
}

/** One timer tick to the subscribers of `intervalNs`. */
export function tick(rt: RuntimeContext, intervalNs: bigint): void {
  const m = { ts: hlc(rt).now().toString(), p: {} };
  for (const r of rt.routing.timers.get(intervalNs) ?? []) {
    const rn = rt.nodes.get(r.node)!;
    // Ticks are periodic and missed ones are skipped: none pile up for a
    // node that is not connected (starting, or waiting to be restarted), and
    // a full backpressure timer input skips the tick, like a late timer.
    if (!rn.alive || !rn.connected || rn.queue.isFull(r.input)) continue;
    rn.queue.pushInput(r.input, {
      header: { t: "input", id: r.input, m },
      payload: null,
      from: "dora",
    });
    deliver(rt, rn);
  }
}
