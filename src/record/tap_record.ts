/**
 * Recording through the message tap (`dora record --proxy`): the batches of
 * copies a running dataflow's runtimes send a subscriber (whole payloads),
 * written by the same {@linkcode Recorder} as the recorder node. Copies the
 * tap dropped because the subscriber fell behind, and copies that arrived
 * without their whole payload, are counted per topic as not recorded.
 *
 * @module
 */
import type { TapBatch } from "../inspect/mod.ts";
import { decodeParam, decodeValue, type Params } from "../message/mod.ts";
import type { Recorder } from "./recorder.ts";

/** What one batch added to a recording. */
export interface BatchResult {
  recorded: number;
  /** Messages that could not be recorded (dropped by the tap or the recorder). */
  dropped: number;
}

/**
 * Writes the messages of one tap batch (mode `full`) into `recorder`.
 *
 * @example
 * ```ts
 * const r = recordBatch(recorder, batch);
 * if (r.dropped) console.warn(`${r.dropped} messages not recorded`);
 * ```
 */
export function recordBatch(recorder: Recorder, batch: TapBatch): BatchResult {
  let recorded = 0;
  let dropped = 0;
  for (const [topic, n] of Object.entries(batch.lost ?? {})) {
    recorder.countDropped(topic, n);
    dropped += n;
  }
  for (const m of batch.messages ?? []) {
    const bytes = m.b !== undefined ? Uint8Array.fromBase64(m.b) : null;
    if ((bytes?.length ?? 0) < m.size) {
      // The runtime could not copy it whole (e.g. its region was gone).
      recorder.countDropped(m.topic);
      dropped++;
      continue;
    }
    const params: Params = {};
    for (const [k, v] of Object.entries(m.p ?? {})) {
      params[k] = decodeParam(k, v);
    }
    if (recorder.push(m.topic, decodeValue(m.d, bytes), params, BigInt(m.ts))) {
      recorded++;
    } else dropped++;
  }
  return { recorded, dropped };
}
