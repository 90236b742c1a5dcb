/**
 * `deno task bench:tap`: what the inspection costs the data path
 * (docs/benchmark.md, "Inspection"):
 *
 * 1. debug inspection on (`--debug`) with no subscriber vs off: the
 *    TypeScript benchmark dataflow (8 B, 4 KB, 400 KB), alternating runs;
 * 2. a `topic hz` subscriber attached to an 8-byte 10 kHz topic vs not: the
 *    p50 latency the dataflow's own receiver of that topic measures
 *    (`dataflow-tap.yml`), attached and detached every 2 s within each run.
 *
 * Prints medians over TAP_ROUNDS rounds (default 3); targets are reported,
 * never asserted. Each run gets a private runtime folder, so no other
 * `dora run` of the machine is seen.
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import { parseCsv, type Row } from "./bench_report.ts";
import { connectCoordinator } from "../../src/control/connect.ts";
import { readAnnounces } from "../../src/control/local_endpoint.ts";
import {
  RateWindow,
  type TapBatch,
  timingEntries,
} from "../../src/inspect/mod.ts";

const here = new URL(".", import.meta.url).pathname;
const rounds = Number(Deno.env.get("TAP_ROUNDS") ?? "3");
const dora = doraCommand();

/** A private environment: its own runtime folder, no coordinator. */
async function privateEnv(): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir({ prefix: "dora-tap-bench-" });
  return {
    NO_COLOR: "1",
    XDG_RUNTIME_DIR: dir,
    DORA_COORDINATOR_PORT: "1", // nothing listens there
  };
}

function spawn(args: string[], env: Record<string, string>) {
  return new Deno.Command(dora.cmd, {
    args: [...dora.args, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function run(args: string[], env: Record<string, string>) {
  const out = await spawn(args, env).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** `--env K=V` arguments of `dora run`. */
function envArgs(vars: Record<string, string>): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
}

function median(values: number[]): number {
  const s = values.toSorted((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Part 1: one run of the TypeScript benchmark, `--debug` or not. */
async function benchRun(debug: boolean): Promise<Row[]> {
  const env = await privateEnv();
  const csv = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    const r = await run(
      [
        "run",
        `${here}dataflow-ts.yml`,
        ...(debug ? ["--debug"] : []),
        // Nodes get only what the descriptor or `--env` names.
        ...envArgs({
          BENCH_CSV: csv,
          BENCH_SIZES: "8,4096,409600",
          BENCH_THROUGHPUT_N: "20000",
          BENCH_PAUSE_MS: "200",
        }),
      ],
      env,
    );
    if (r.code !== 0) throw new Error(`benchmark run failed:\n${r.stderr}`);
    const rows: Row[] = [];
    parseCsv(debug ? "debug" : "plain", await Deno.readTextFile(csv), rows);
    return rows;
  } finally {
    await Deno.remove(csv).catch(() => {});
    await Deno.remove(env.XDG_RUNTIME_DIR, { recursive: true }).catch(() => {});
  }
}

/** Waits until `check` holds (polling every 100 ms, for at most 60 s). */
async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A window of the run, with the tap attached or not. */
interface Window {
  from: number;
  to: number;
  on: boolean;
  /** CPU seconds `dora run` (runtime and endpoint) used in the window. */
  cpu: number;
}

/** CPU seconds (user + system) process `pid` has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Part 2: one run of the 10 kHz topic in which a subscriber in timing mode
 * (what `topic hz` asks for, and its batches are read as hz reads them) is
 * attached and detached every TAP_TOGGLE_MS, so both conditions share the
 * machine's drifting load. Returns the receiver's samples and the windows.
 */
async function tapRun(
  seconds: number,
): Promise<{ samples: [number, number][]; windows: Window[]; copies: number }> {
  const env = await privateEnv();
  const samplesFile = await Deno.makeTempFile({ suffix: ".txt" });
  const toggleMs = Number(Deno.env.get("TAP_TOGGLE_MS") ?? "2000");
  try {
    const dataflow = spawn([
      "run",
      `${here}dataflow-tap.yml`,
      "--debug",
      ...envArgs({
        TAP_SAMPLES: samplesFile,
        TAP_SECONDS: String(seconds),
        ...(Deno.env.get("TAP_RATE")
          ? { TAP_RATE: Deno.env.get("TAP_RATE")! }
          : {}),
      }),
    ], env);
    const output = Promise.all([
      new Response(dataflow.stdout).text(),
      new Response(dataflow.stderr).text(),
    ]);
    const announce = await until("the dataflow's endpoint", () => {
      const [a] = readAnnounces(`${env.XDG_RUNTIME_DIR}/dora`);
      return a;
    });
    const { peer } = await connectCoordinator(
      { addr: announce.addr, port: announce.port },
      { token: announce.token },
    );
    let copies = 0;
    peer.setHandlers({
      onEvent: (event, payload) => {
        if (event !== "topic_data") return;
        const b = payload as TapBatch;
        // What hz does with a batch: one window entry per copy.
        for (const run of Object.values(b.timing ?? {})) {
          for (const { ts, size } of timingEntries(run)) {
            copies++;
            window.add(ts, performance.now(), size);
          }
        }
        for (const n of Object.values(b.lost ?? {})) copies += n;
      },
    });
    const window = new RateWindow(10_000);
    await peer.call("topic_publish", { ref: announce.uuid, topic: "sink/go" });
    const windows: Window[] = [];
    const ended = dataflow.status;
    let done = false;
    ended.then(() => done = true);
    let on = false;
    let sub: string | undefined;
    while (!done) {
      const from = Date.now();
      const cpuFrom = cpuSeconds(dataflow.pid);
      if (on) {
        const r = await peer.call<{ subscription: string }>("topic_subscribe", {
          ref: announce.uuid,
          topics: ["sender/fast"],
          mode: "timing",
          queueSize: 8192,
        }).catch(() => undefined);
        sub = r?.subscription;
      }
      await Promise.race([
        new Promise((r) => setTimeout(r, toggleMs)),
        ended,
      ]);
      if (sub) {
        await peer.call("topic_unsubscribe", { subscription: sub }).catch(
          () => {},
        );
        sub = undefined;
      }
      windows.push({
        from,
        to: Date.now(),
        on,
        cpu: cpuSeconds(dataflow.pid) - cpuFrom,
      });
      on = !on;
    }
    peer.close();
    const [stdout, stderr] = await output;
    if (!(await ended).success) {
      throw new Error(`the tap dataflow failed:\n${stdout}${stderr}`);
    }
    const samples = (await Deno.readTextFile(samplesFile)).trim().split("\n")
      .map((l) => l.split(" ").map(Number) as [number, number]);
    return { samples, windows, copies };
  } finally {
    await Deno.remove(samplesFile).catch(() => {});
    await Deno.remove(env.XDG_RUNTIME_DIR, { recursive: true }).catch(() => {});
  }
}

/** Latencies that arrived inside windows of one kind (200 ms margins). */
function inWindows(
  samples: [number, number][],
  windows: Window[],
  on: boolean,
): number[] {
  const out: number[] = [];
  const ws = windows.filter((w) => w.on === on);
  for (const [arrival, latency] of samples) {
    if (ws.some((w) => arrival >= w.from + 200 && arrival <= w.to - 200)) {
      out.push(latency);
    }
  }
  return out;
}

/** `dora run`'s CPU use in windows of one kind, percent of one core. */
function cpuPercent(windows: Window[], on: boolean): number {
  const ws = windows.filter((w) => w.on === on && !Number.isNaN(w.cpu));
  const seconds = ws.reduce((s, w) => s + (w.to - w.from) / 1000, 0);
  return seconds > 0 ? (ws.reduce((s, w) => s + w.cpu, 0) / seconds) * 100 : 0;
}

const us = (ns: number) => (ns / 1000).toFixed(1);
console.log(
  `load average: ${
    Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
  }, ${rounds} rounds`,
);

const parts = (Deno.env.get("TAP_PARTS") ?? "1,2").split(",");
const part1: Record<string, unknown>[] = [];
const part2: {
  p50Off: number;
  p50On: number;
  change: number;
  cpuOff: number;
  cpuOn: number;
}[] = [];
if (parts.includes("1")) {
  // Part 1
  const plain: Row[][] = [];
  const debug: Row[][] = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate the order: a drifting load hits both alike.
    for (const on of i % 2 ? [true, false] : [false, true]) {
      (on ? debug : plain).push(await benchRun(on));
    }
  }
  console.log(
    "\n1. debug inspection on, no subscriber, vs off (TypeScript; medians, [min–max] over the runs):",
  );
  for (const bytes of [8, 4096, 409600]) {
    const pick = (runs: Row[][]) =>
      runs.map((r) => r.find((x) => x.bytes === bytes)!);
    const p50s = (runs: Row[][]) => pick(runs).map((r) => r.latency!.p50);
    const tputs = (runs: Row[][]) =>
      pick(runs).map((r) => r.throughput?.msgPerSec ?? 0);
    const range = (v: number[], f: (x: number) => string) =>
      `${f(median(v))} [${f(Math.min(...v))}–${f(Math.max(...v))}]`;
    const row = {
      bytes,
      p50Off: p50s(plain),
      p50On: p50s(debug),
      msgPerSecOff: tputs(plain),
      msgPerSecOn: tputs(debug),
    };
    part1.push(row);
    console.log(
      `  ${String(bytes).padStart(6)} B: p50 off ${
        range(row.p50Off, us)
      } µs, on ${range(row.p50On, us)} µs; throughput off ${
        range(row.msgPerSecOff, (x) => x.toFixed(0))
      }, on ${range(row.msgPerSecOn, (x) => x.toFixed(0))} msg/s`,
    );
  }
}
if (parts.includes("2")) {
  // Part 2
  const seconds = Number(Deno.env.get("TAP_SECONDS") ?? "40");
  for (let i = 0; i < rounds; i++) {
    const r = await tapRun(seconds);
    const off = inWindows(r.samples, r.windows, false);
    const onS = inWindows(r.samples, r.windows, true);
    const p50Off = median(off);
    const p50On = median(onS);
    const cpuOff = cpuPercent(r.windows, false);
    const cpuOn = cpuPercent(r.windows, true);
    part2.push({ p50Off, p50On, change: p50On / p50Off - 1, cpuOff, cpuOn });
    console.log(
      `  run ${i + 1}: receiver p50 ${
        us(p50Off)
      } µs detached (${off.length} samples), ${
        us(p50On)
      } µs attached (${onS.length}); dora run's CPU ${
        cpuOff.toFixed(1)
      } % detached, ${
        cpuOn.toFixed(1)
      } % attached; ${r.samples.length} messages, ${r.copies} copies to the tap`,
    );
  }
  const change = median(part2.map((p) => p.change));
  console.log(
    `\n2. a topic hz subscriber on an 8-byte 10 kHz topic: the receiver's p50 moves by ${
      (change * 100).toFixed(1)
    } % (median over ${rounds} runs; goal < 10 %); dora run's CPU ${
      median(part2.map((p) => p.cpuOff)).toFixed(1)
    } % of a core detached, ${
      median(part2.map((p) => p.cpuOn)).toFixed(1)
    } % attached`,
  );
}
const out = Deno.env.get("BENCH_JSON") ?? `${here}tap-results.json`;
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      loadavg: Deno.loadavg(),
      rounds,
      debugVsOff: part1,
      hz: { runs: part2 },
    },
    null,
    2,
  ) + "\n",
);
console.log(`results written to ${out}`);
