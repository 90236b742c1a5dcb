/**
 * Benchmark sender as an operator: the same plan as ts_sender.ts, driven by
 * its own loop (started on the first tick); STOP on a tick once it is done.
 */
import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";
import { plan } from "./bench_plan.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** The sink's throughput queue holds 10 000: let it drain this often. */
const YIELD_EVERY = 1000;

async function run(send: SendOutput): Promise<void> {
  const p = plan();
  const sentinel = new Uint8Array([1]);
  for (const size of p.sizes) {
    const data = randomBytes(size);
    for (let i = 0; i < p.latencyN; i++) {
      send("latency", data);
      await sleep(p.gapMs);
    }
    await sleep(p.pauseMs);
    const n = p.throughputN(size);
    for (let i = 0; i < n; i++) {
      send("throughput", data);
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await sleep(0);
    }
    send("throughput", sentinel); // ends the size's bracket
    await sleep(p.pauseMs);
  }
  console.info(`benchmark sender done (${p.sizes.length} sizes)`);
}

export class Operator {
  started = false;
  done = false;

  onEvent(event: OperatorEvent, send: SendOutput): DoraStatus {
    if (event.type !== "INPUT") return DoraStatus.CONTINUE;
    if (this.done) return DoraStatus.STOP;
    if (!this.started) {
      this.started = true;
      run(send).then(() => this.done = true);
    }
    return DoraStatus.CONTINUE;
  }
}
