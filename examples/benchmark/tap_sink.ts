/**
 * Tap benchmark sink: the latency of each 8-byte message on `fast` (arrival −
 * send timestamp). At the 1-byte sentinel it writes every sample as
 * `<arrival ms since the epoch> <latency ns>` lines to TAP_SAMPLES and exits.
 */
import { Node } from "dora";
import { wallClockNs } from "./bench_plan.ts";

const node = await Node.init();
const arrivals: number[] = [];
const latencies: number[] = [];
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  const size = event.value.length;
  const now = wallClockNs();
  if (size === 1) break;
  arrivals.push(Number(now / 1_000_000n));
  latencies.push(Number(now - event.metadata.timestamp));
}
const lines = arrivals.map((a, i) => `${a} ${latencies[i]}`);
await Deno.writeTextFile(Deno.env.get("TAP_SAMPLES")!, lines.join("\n") + "\n");
console.log(`tap sink: ${latencies.length} samples`);
await node.close();
