/**
 * Benchmark sender as an operator: the plan of ts_sender.ts (the payload a
 * Vector, shared with the sink without a copy), driven by a
 * 5 ms timer as operators are — one latency message per tick, sent from
 * `onEvent` (the receiving operator runs once `onEvent` returned), then the
 * throughput burst, waiting whenever the sink's backpressure queue is full
 * (the promise `sendOutput` returns); STOP once every size is done.
 */
import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";
import { makeVector, type Vector } from "apache-arrow";
import { plan } from "./bench_plan.ts";

let state = 42;
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

const p = plan();
const sentinel = new Uint8Array([1]);

export class Operator {
  size = 0; // index into p.sizes
  /**
   * The payload as a Vector: operators of one node share it without a copy
   * (the in-process counterpart of the node senders' shared-memory samples).
   */
  data: Vector = makeVector(randomBytes(p.sizes[0] ?? 0));
  sent = 0;
  /** `latency`, then `pause` until `until`, `burst` (async), `pause` again. */
  phase: "latency" | "pause" | "burst" = "latency";
  next: "burst" | "size" = "burst";
  until = 0;

  onEvent(event: OperatorEvent, send: SendOutput): DoraStatus {
    if (event.type !== "INPUT") return DoraStatus.CONTINUE;
    if (this.size >= p.sizes.length) return DoraStatus.STOP;
    if (this.phase === "latency") {
      send("latency", this.data);
      if (++this.sent === p.latencyN) this.pause("burst");
    } else if (this.phase === "pause" && performance.now() >= this.until) {
      if (this.next === "burst") this.burst(send);
      else this.nextSize();
    }
    return DoraStatus.CONTINUE;
  }

  pause(next: "burst" | "size"): void {
    this.phase = "pause";
    this.next = next;
    this.until = performance.now() + p.pauseMs;
  }

  async burst(send: SendOutput): Promise<void> {
    this.phase = "burst";
    const n = p.throughputN(p.sizes[this.size]!);
    for (let i = 0; i < n; i++) {
      const room = send("throughput", this.data);
      if (room) await room;
    }
    send("throughput", sentinel); // ends the size's bracket
    this.pause("size");
  }

  nextSize(): void {
    this.size++;
    this.sent = 0;
    this.phase = "latency";
    if (this.size < p.sizes.length) {
      this.data = makeVector(randomBytes(p.sizes[this.size]!));
    } else console.info(`benchmark sender done (${p.sizes.length} sizes)`);
  }
}
