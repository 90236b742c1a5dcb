/** Benchmark sender (no inputs): latency then throughput messages per size. */
import { Node } from "dora";
import { plan } from "./bench_plan.ts";

const node = await Node.init();
const p = plan();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Deterministic pseudo-random bytes (xorshift), like the original's seeded data.
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

/**
 * Writes `data` straight into the output's shared-memory sample (`allocate`),
 * like the original's `send_output_raw`, and sends it without another copy.
 */
function send(output: string, data: Uint8Array): Promise<void> {
  const sample = node.allocate(output, data.length);
  sample.set(data);
  return node.sendOutput(output, sample);
}

const sentinel = new Uint8Array([1]);
for (const size of p.sizes) {
  const data = randomBytes(size);
  for (let i = 0; i < p.latencyN; i++) {
    await send("latency", data);
    await node.flush();
    await sleep(p.gapMs);
  }
  await sleep(p.pauseMs);
  const n = p.throughputN(size);
  for (let i = 0; i < n; i++) {
    await send("throughput", data);
  }
  await send("throughput", sentinel); // ends the size's bracket
  await node.flush();
  await sleep(p.pauseMs);
}
node.log("info", `benchmark sender done (${p.sizes.length} sizes)`);
await node.close();
