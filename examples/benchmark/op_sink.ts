/**
 * Benchmark sink as an operator: the same measurements as ts_sink.ts
 * (latency = arrival − the message's timestamp; throughput in msg/s); the
 * CSV is written when its inputs close.
 */
import { DoraStatus, type OperatorEvent } from "dora";
import { label, wallClockNs } from "./bench_plan.ts";

const LABEL = Deno.env.get("BENCH_LABEL") ?? "op";

function stats(samples: bigint[]): bigint[] {
  const s = [...samples].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = s.length;
  const pct = (p: number) => s[Math.round((p / 100) * (n - 1))];
  const avg = s.reduce((a, b) => a + b, 0n) / BigInt(n);
  return [BigInt(n), avg, pct(50), pct(95), pct(99), pct(99.9), s[0], s[n - 1]];
}

export class Operator {
  rows: string[] = [];
  latSize = -1;
  samples: bigint[] = [];
  tpSize = -1;
  tpCount = 0;
  tpFirst = 0n;

  onEvent(event: OperatorEvent): DoraStatus {
    if (event.type === "STOP") {
      this.finish();
      return DoraStatus.STOP;
    }
    if (event.type !== "INPUT") return DoraStatus.CONTINUE;
    const size = event.value.length;
    const now = wallClockNs();
    if (event.id === "latency") {
      if (size !== this.latSize) {
        this.flushLatency();
        this.latSize = size;
      }
      this.samples.push(now - event.metadata.timestamp);
    } else if (event.id === "throughput") {
      if (size === 1 && this.tpCount > 0) {
        const elapsed = now - this.tpFirst;
        const rate = this.tpCount / (Number(elapsed) / 1e9);
        this.rows.push(
          `throughput,${this.tpSize},${label(this.tpSize)},${this.tpCount},${
            rate.toFixed(0)
          },${elapsed},0,0,0,0,0`,
        );
        console.log(
          `${LABEL} throughput ${label(this.tpSize).padStart(6)}: ${
            rate.toFixed(0)
          } msg/s`,
        );
        this.tpCount = 0;
      } else if (size !== 1) {
        if (this.tpCount === 0) {
          this.tpFirst = now;
          this.tpSize = size;
        }
        this.tpCount++;
      }
    }
    return DoraStatus.CONTINUE;
  }

  flushLatency(): void {
    if (this.samples.length === 0) return;
    const [n, avg, p50, p95, p99, p999, lo, hi] = stats(this.samples);
    this.rows.push(
      `latency,${this.latSize},${
        label(this.latSize)
      },${n},${avg},${p50},${p95},${p99},${p999},${lo},${hi}`,
    );
    console.log(
      `${LABEL} latency ${label(this.latSize).padStart(6)}: n=${n} p50=${
        Number(p50) / 1000
      }us p99=${Number(p99) / 1000}us`,
    );
    this.samples = [];
  }

  finish(): void {
    this.flushLatency();
    const csv = Deno.env.get("BENCH_CSV");
    if (csv) {
      Deno.writeTextFileSync(csv, this.rows.map((r) => r + "\n").join(""), {
        append: true,
      });
    }
    console.log(`${LABEL} sink done: ${this.rows.length} rows`);
  }
}
