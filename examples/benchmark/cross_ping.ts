/**
 * The sending side of the cross-daemon benchmark (machine A): for each size,
 * round trips to cross_pong.ts (latency = half the round trip), then a burst
 * whose last message pong acknowledges (throughput). Writes CSV rows
 * `ROW transport,size,p50_us,p90_us,msgs_per_s,mb_per_s` on stdout.
 */
import { Node } from "dora";

const SIZES = [8, 4096, 4 << 20];
const transport = Deno.env.get("BENCH_TRANSPORT") ?? "?";
const node = await Node.init();
const events = node[Symbol.asyncIterator]();

async function reply(): Promise<number> {
  while (true) {
    const { value: e, done } = await events.next();
    if (done) throw new Error("dataflow ended");
    if (e.type === "INPUT" && e.id === "pong") {
      return Number(e.metadata.parameters?.seq);
    }
  }
}

const rows: string[] = [];
let seq = 0;
for (const size of SIZES) {
  const data = new Uint8Array(size);
  const rounds = size >= 1 << 20 ? 20 : 300;
  const rtts: number[] = [];
  for (let i = 0; i < rounds + 10; i++) {
    const t0 = performance.now();
    await node.sendOutput("ping", data, { seq: ++seq, echo: 1 });
    while ((await reply()) !== seq) { /* an older ack */ }
    if (i >= 10) rtts.push((performance.now() - t0) * 1000 / 2);
  }
  rtts.sort((a, b) => a - b);
  const burst = size >= 1 << 20 ? 40 : 3000;
  const t0 = performance.now();
  for (let i = 1; i <= burst; i++) {
    await node.sendOutput("ping", data, {
      seq: ++seq,
      echo: i === burst ? 1 : 0,
    });
  }
  while ((await reply()) !== seq) { /* wait for the last */ }
  const secs = (performance.now() - t0) / 1000;
  rows.push([
    transport,
    size,
    rtts[Math.floor(rtts.length * 0.5)].toFixed(0),
    rtts[Math.floor(rtts.length * 0.9)].toFixed(0),
    (burst / secs).toFixed(0),
    (burst * size / secs / 1e6).toFixed(1),
  ].join(","));
  console.log(`ROW ${rows.at(-1)}`);
}
