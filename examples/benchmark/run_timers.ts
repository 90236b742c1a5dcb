/**
 * `deno task bench:timers`: how well `dora/timer/...` inputs hold their rate.
 * For each interval a Python node counts the ticks it receives for
 * DURATION seconds (default 5) and reports the rate and the p50/p99/max of
 * the period it sees; the runtime's summary says how many ticks it missed.
 * Prints one table; BENCH_TIMERS=millis/1,micros/100 picks the intervals;
 * BENCH_TIMERS_RT=1 runs `dora run --rt` and the counting node with
 * SCHED_FIFO (what a machine that permits it can hold under load).
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";

const here = new URL(".", import.meta.url).pathname;
const timers = (Deno.env.get("BENCH_TIMERS") ??
  "millis/10,millis/1,micros/500,micros/200,micros/100,micros/50,micros/10")
  .split(",").map((t) => t.trim()).filter((t) => t);
const duration = Deno.env.get("DURATION") ?? "5";
const rt = Deno.env.get("BENCH_TIMERS_RT") === "1";

interface Result {
  source: string;
  nominal: number;
  ticks: number;
  rate: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  missed: number;
}

function nominalRate(t: string): number {
  const [unit, n] = t.split("/");
  const v = Number(n);
  switch (unit) {
    case "secs":
      return 1 / v;
    case "millis":
      return 1e3 / v;
    case "micros":
      return 1e6 / v;
    case "nanos":
      return 1e9 / v;
    case "hz":
      return v;
  }
  return NaN;
}

const results: Result[] = [];
for (const t of timers) {
  const dir = await Deno.makeTempDir({ prefix: "dora-timer-bench-" });
  try {
    const yml = `${dir}/dataflow.yml`;
    await Deno.writeTextFile(
      yml,
      `nodes:
  - id: counter
    path: ${here}timer_counter.py
    inputs:
      tick: { source: dora/timer/${t}, queue_size: 1000 }
    env: { DURATION: ${duration}, SOURCE: "dora/timer/${t}", RT: "${
        rt ? 1 : 0
      }" }
`,
    );
    const { cmd, args } = doraCommand();
    const out = await new Deno.Command(cmd, {
      args: [
        ...args,
        "run",
        yml,
        "--log-format",
        "json",
        ...(rt ? ["--rt"] : []),
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    let row: Record<string, unknown> | undefined;
    let missed = 0;
    for (const line of text.split("\n")) {
      if (!line.startsWith("{")) continue;
      const rec = JSON.parse(line);
      if (typeof rec.msg === "string" && rec.msg.startsWith("TIMER ")) {
        row = JSON.parse(rec.msg.slice(6));
      }
      for (const s of rec.summary?.timers ?? []) missed += s.missed;
    }
    if (!row) throw new Error(`the ${t} timer run failed:\n${text}`);
    results.push({
      ...(row as unknown as Result),
      nominal: nominalRate(t),
      missed,
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

console.log(
  "timer                    nominal/s   ticks/s   ratio   p50 ms   p99 ms   max ms  missed",
);
for (const r of results) {
  console.log(
    `${r.source.padEnd(24)} ${r.nominal.toFixed(0).padStart(9)} ${
      r.rate.toFixed(0).padStart(9)
    } ${(r.rate / r.nominal).toFixed(3).padStart(7)} ${
      r.p50_ms.toFixed(3).padStart(8)
    } ${r.p99_ms.toFixed(3).padStart(8)} ${r.max_ms.toFixed(2).padStart(8)} ${
      String(r.missed).padStart(7)
    }`,
  );
}
const json = Deno.env.get("BENCH_JSON");
if (json) await Deno.writeTextFile(json, JSON.stringify(results, null, 2));
