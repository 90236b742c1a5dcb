/**
 * Receives one input and prints, at the end, its count and latency
 * percentiles (arrival minus the message's timestamp) as one JSON line:
 * `latency {"input":…,"n":…,"p50_us":…,"p99_us":…}`.
 */
import { Node } from "dora";

function wallClockNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n +
    BigInt(Math.floor((ms - whole) * 1_000_000));
}

const node = await Node.init();
const samples: number[] = [];
let id = "";
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const size = event.value.length;
  const now = wallClockNs();
  if (size > 0) samples.push(Number(now - event.metadata.timestamp) / 1000);
  id = event.id;
}
samples.sort((a, b) => a - b);
const pct = (p: number) =>
  samples.length ? samples[Math.round((p / 100) * (samples.length - 1))] : 0;
console.log(`latency ${
  JSON.stringify({
    input: id,
    n: samples.length,
    p50_us: Math.round(pct(50)!),
    p99_us: Math.round(pct(99)!),
  })
}`);
