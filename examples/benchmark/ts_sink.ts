/** Benchmark sink: latency = arrival - metadata timestamp; throughput in msg/s. */
import { Node } from "dora";
import { label, wallClockNs } from "./bench_plan.ts";

const LABEL = Deno.env.get("BENCH_LABEL") ?? "ts";
const rows: string[] = [];

function stats(samples: bigint[]): bigint[] {
  const s = [...samples].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = s.length;
  const pct = (p: number) => s[Math.round((p / 100) * (n - 1))];
  const avg = s.reduce((a, b) => a + b, 0n) / BigInt(n);
  return [BigInt(n), avg, pct(50), pct(95), pct(99), pct(99.9), s[0], s[n - 1]];
}

let latSize = -1;
let samples: bigint[] = [];
function flushLatency(): void {
  if (samples.length === 0) return;
  const [n, avg, p50, p95, p99, p999, lo, hi] = stats(samples);
  rows.push(
    `latency,${latSize},${
      label(latSize)
    },${n},${avg},${p50},${p95},${p99},${p999},${lo},${hi}`,
  );
  console.log(
    `${LABEL} latency ${label(latSize).padStart(6)}: n=${n} p50=${
      Number(p50) / 1000
    }us p99=${Number(p99) / 1000}us`,
  );
  samples = [];
}

let tpSize = -1;
let tpCount = 0;
let tpFirst = 0n;
const node = await Node.init();
for await (const event of node) {
  if (event.type !== "INPUT") continue;
  // As the original's sink: the data's length, then the clock (so a lazily
  // decoded value is paid for inside the measured latency).
  const size = event.value.length;
  const now = wallClockNs();
  if (event.id === "latency") {
    if (size !== latSize) {
      flushLatency();
      latSize = size;
    }
    samples.push(now - event.metadata.timestamp);
  } else if (event.id === "throughput") {
    if (size === 1 && tpCount > 0) {
      const elapsed = now - tpFirst;
      const rate = tpCount / (Number(elapsed) / 1e9);
      rows.push(
        `throughput,${tpSize},${label(tpSize)},${tpCount},${
          rate.toFixed(0)
        },${elapsed},0,0,0,0,0`,
      );
      console.log(
        `${LABEL} throughput ${label(tpSize).padStart(6)}: ${
          rate.toFixed(0)
        } msg/s`,
      );
      tpCount = 0;
    } else if (size !== 1) {
      if (tpCount === 0) {
        tpFirst = now;
        tpSize = size;
      }
      tpCount++;
    }
  }
}
flushLatency();
const csv = Deno.env.get("BENCH_CSV");
if (csv) {
  Deno.writeTextFileSync(csv, rows.map((r) => r + "\n").join(""), {
    append: true,
  });
}
console.log(`${LABEL} sink done: ${rows.length} rows`);
