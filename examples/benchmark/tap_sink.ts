/**
 * Tap benchmark sink: latency of each 8-byte message on `fast` (arrival −
 * send timestamp); at the 1-byte sentinel prints one JSON line of
 * statistics and exits.
 */
import { Node } from "dora";
import { wallClockNs } from "./bench_plan.ts";

const node = await Node.init();
const samples: number[] = [];
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const size = event.value.length;
  const now = wallClockNs();
  if (size === 1) break;
  samples.push(Number(now - event.metadata.timestamp));
}
samples.sort((a, b) => a - b);
const pct = (p: number) =>
  samples[Math.round((p / 100) * (samples.length - 1))];
console.log(
  `TAP_RESULT ${
    JSON.stringify({ n: samples.length, p50: pct(50), p99: pct(99) })
  }`,
);
await node.close();
