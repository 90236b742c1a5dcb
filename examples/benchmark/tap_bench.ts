/**
 * `deno task bench:tap`: what the inspection costs the data path
 * (docs/benchmark.md, "Inspection"):
 *
 * 1. debug inspection on (`--debug`) with no subscriber vs off: the
 *    TypeScript benchmark dataflow (8 B, 4 KB, 400 KB), alternating runs;
 * 2. `dora topic hz` attached to an 8-byte 10 kHz topic vs not attached: the
 *    p50 latency the dataflow's own receiver of that topic measures
 *    (`dataflow-tap.yml`), alternating runs.
 *
 * Prints medians over TAP_ROUNDS rounds (default 3); targets are reported,
 * never asserted. Each run gets a private runtime folder, so no other
 * `dora run` of the machine is seen.
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import { parseCsv, type Row } from "./bench_report.ts";

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
      ],
      {
        ...env,
        BENCH_CSV: csv,
        BENCH_SIZES: "8,4096,409600",
        BENCH_THROUGHPUT_N: "20000",
        BENCH_PAUSE_MS: "200",
      },
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
async function until(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Part 2: one run of the 10 kHz topic, with `topic hz` attached or not. */
async function tapRun(
  withHz: boolean,
): Promise<{ n: number; p50: number; p99: number; hzCount?: number }> {
  const env = await privateEnv();
  try {
    const dataflow = spawn(["run", `${here}dataflow-tap.yml`, "--debug"], env);
    const stderr = new Response(dataflow.stderr).text();
    const stdout = new Response(dataflow.stdout).text();
    const topics = async () => {
      const r = await run(["topic", "list", "-f", "json"], env);
      return r.code === 0
        ? JSON.parse(r.stdout) as { topic: string; taps: number }[]
        : undefined;
    };
    await until("the dataflow's endpoint", async () => !!(await topics()));
    let hz: ReturnType<typeof run> | undefined;
    if (withHz) {
      hz = run(
        ["topic", "hz", "sender/fast", "--window", "600", "-f", "json"],
        env,
      );
      await until(
        "hz attached",
        async () =>
          (await topics())?.find((t) => t.topic === "sender/fast")?.taps === 1,
      );
    }
    const go = await run(["topic", "pub", "sink/go", "true"], env);
    if (go.code !== 0) throw new Error(`topic pub failed:\n${go.stderr}`);
    const status = await dataflow.status;
    const text = (await stdout) + (await stderr);
    if (!status.success) throw new Error(`the tap dataflow failed:\n${text}`);
    const m = /TAP_RESULT (\{.*\})/.exec(text);
    if (!m) throw new Error(`no result from the sink:\n${text}`);
    const result = JSON.parse(m[1]!);
    if (hz) {
      const h = await hz;
      const rows = JSON.parse(h.stdout || "[]") as {
        count: number;
        lost: number;
      }[];
      result.hzCount = rows[0] ? rows[0].count + rows[0].lost : 0;
    }
    return result;
  } finally {
    await Deno.remove(env.XDG_RUNTIME_DIR, { recursive: true }).catch(() => {});
  }
}

const us = (ns: number) => (ns / 1000).toFixed(1);
console.log(
  `load average: ${
    Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
  }, ${rounds} rounds`,
);

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
  "\n1. debug inspection on, no subscriber, vs off (TypeScript, medians):",
);
console.log(
  "size      p50 off µs  p50 on µs  ratio   msg/s off  msg/s on  ratio",
);
const part1: Record<string, unknown>[] = [];
for (const bytes of [8, 4096, 409600]) {
  const pick = (runs: Row[][]) =>
    runs.map((r) => r.find((x) => x.bytes === bytes)!);
  const p50 = (runs: Row[][]) => median(pick(runs).map((r) => r.latency!.p50));
  const tput = (runs: Row[][]) =>
    median(pick(runs).map((r) => r.throughput?.msgPerSec ?? 0));
  const [a, b, c, d] = [p50(plain), p50(debug), tput(plain), tput(debug)];
  part1.push({ bytes, p50Off: a, p50On: b, msgPerSecOff: c, msgPerSecOn: d });
  console.log(
    `${String(bytes).padEnd(8)}  ${us(a).padStart(10)}  ${us(b).padStart(9)}  ${
      (b / a).toFixed(2).padStart(5)
    }  ${c.toFixed(0).padStart(9)}  ${d.toFixed(0).padStart(8)}  ${
      (d / c).toFixed(2).padStart(5)
    }`,
  );
}

// Part 2
const off: number[] = [];
const on: number[] = [];
const hzCounts: number[] = [];
for (let i = 0; i < rounds; i++) {
  for (const withHz of i % 2 ? [true, false] : [false, true]) {
    const r = await tapRun(withHz);
    (withHz ? on : off).push(r.p50);
    if (withHz) hzCounts.push(r.hzCount ?? 0);
    console.log(
      `  ${withHz ? "hz attached" : "no tap     "}: receiver p50 ${
        us(r.p50)
      } µs, p99 ${us(r.p99)} µs (${r.n} messages)${
        withHz ? `, hz saw ${r.hzCount}` : ""
      }`,
    );
  }
}
const change = median(on) / median(off) - 1;
console.log(
  `\n2. topic hz on an 8-byte 10 kHz topic: the receiver's p50 ${
    us(median(off))
  } µs without, ${us(median(on))} µs with (${
    (change * 100).toFixed(1)
  } %; goal < 10 %)`,
);
const out = Deno.env.get("BENCH_JSON") ?? `${here}tap-results.json`;
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      loadavg: Deno.loadavg(),
      rounds,
      debugVsOff: part1,
      hz: { p50Off: off, p50On: on, hzCounts, change },
    },
    null,
    2,
  ) + "\n",
);
console.log(`results written to ${out}`);
