/**
 * The CLI side of the message tap: subscribe to topics of the chosen
 * dataflow (its coordinator or its `dora run`), receive batches of copies,
 * and end on Ctrl-C, after a while, when the dataflow ends (exit 0, said so),
 * or when the link is lost.
 *
 * @module
 */
import type {
  TopicEndEvent,
  TopicSubscribeParams,
  TopicSubscribeResult,
} from "../../../control/inspect.ts";
import type { Peer } from "../../../control/peer.ts";
import type { TapBatch } from "../../../inspect/mod.ts";
import { decodeParam, type ParamValue } from "../../../message/mod.ts";
import {
  describeDataflow,
  type InspectedDataflow,
} from "../../inspect_target.ts";
import { describeSource } from "../../inspect_target.ts";
import { CliError } from "../../errors.ts";

/** Why a subscription ended. */
export type TapEnd =
  | { kind: "stopped" } // by the command (Ctrl-C, --count, --duration, q)
  | { kind: "ended"; event: TopicEndEvent } // the dataflow ended
  | { kind: "lost" }; // the link closed without a word

/** An open subscription. */
export interface TapStream {
  result: TopicSubscribeResult;
  /** Resolves when the subscription ends, however it ends. */
  ended: Promise<TapEnd>;
  /** Ends it from this side (unsubscribes); idempotent. */
  stop(): void;
}

/**
 * Subscribes to `topics` of `dataflow` over `peer`; `onBatch` gets every
 * batch. Ctrl-C stops the stream (the command then exits 0).
 */
export async function openTap(
  peer: Peer,
  dataflow: InspectedDataflow,
  params: Omit<TopicSubscribeParams, "ref">,
  onBatch: (batch: TapBatch) => void,
): Promise<TapStream> {
  // The subscription's id, once the answer came (batches may come first).
  const sub: { id?: string } = {};
  const early: TapBatch[] = [];
  const { promise: ended, resolve } = Promise.withResolvers<TapEnd>();
  let done = false;
  const finish = (end: TapEnd) => {
    if (done) return;
    done = true;
    Deno.removeSignalListener("SIGINT", onInt);
    resolve(end);
  };
  const onInt = () => stop();
  peer.setHandlers({
    onEvent: (event, payload) => {
      if (done) return;
      const p = payload as Record<string, unknown>;
      if (event === "topic_data") {
        const batch = payload as TapBatch;
        if (sub.id === undefined) early.push(batch);
        else if (batch.subscription === sub.id) onBatch(batch);
      } else if (
        event === "topic_end" &&
        (sub.id === undefined || p.subscription === sub.id)
      ) {
        finish({ kind: "ended", event: payload as TopicEndEvent });
      } else if (event === "dataflow_finished" && p.uuid === dataflow.uuid) {
        finish({
          kind: "ended",
          event: {
            subscription: sub.id ?? "",
            uuid: dataflow.uuid,
            reason: "finished",
          },
        });
      }
    },
  });
  peer.closed.then(() => finish({ kind: "lost" }));
  Deno.addSignalListener("SIGINT", onInt);
  const stop = () => {
    if (done) return;
    finish({ kind: "stopped" });
    if (sub.id !== undefined) {
      peer.call("topic_unsubscribe", { subscription: sub.id }).catch(() => {});
    }
  };
  let result: TopicSubscribeResult;
  try {
    result = await peer.call<TopicSubscribeResult>("topic_subscribe", {
      ref: dataflow.uuid,
      ...params,
    });
  } catch (err) {
    finish({ kind: "stopped" });
    throw err;
  }
  sub.id = result.subscription;
  for (const b of early.splice(0)) if (b.subscription === sub.id) onBatch(b);
  return { result, ended, stop };
}

/** The line a command prints when its dataflow ended while attached. */
export function endedLine(dataflow: InspectedDataflow, end: TapEnd): string {
  if (end.kind === "ended") {
    return `dataflow ${describeDataflow(dataflow)} ended (${end.event.reason})`;
  }
  return "";
}

/** The error when the link dropped without the dataflow ending. */
export function lostError(dataflow: InspectedDataflow): CliError {
  return new CliError(
    `lost the connection to ${
      describeSource(dataflow.source)
    } while tapping dataflow ${describeDataflow(dataflow)}`,
  );
}

/** Decoded metadata parameters (bigints as numbers when safe). */
export function decodeParams(
  p: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p ?? {})) {
    let value: ParamValue | string;
    try {
      value = decodeParam(k, v);
    } catch {
      value = JSON.stringify(v);
    }
    out[k] = typeof value === "bigint"
      ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString())
      : value instanceof Date
      ? value.toISOString()
      : Array.isArray(value)
      ? value.map((x) => typeof x === "bigint" ? x.toString() : x)
      : value;
  }
  return out;
}

/** `12:00:01.123` (local time) of an HLC timestamp in ns. */
export function clockText(ts: string): string {
  const ms = Number(BigInt(ts) / 1_000_000n);
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${
    p(d.getMilliseconds(), 3)
  }`;
}
