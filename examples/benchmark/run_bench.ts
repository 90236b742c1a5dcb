/**
 * `deno task bench`: runs the benchmark dataflows (TypeScript and Python)
 * through `dora run`, prints one table, writes bench-results.json and reports
 * the targets (never fails because of them).
 *
 * Environment: BENCH_QUICK=1 (few sizes and messages), BENCH_VARIANTS=ts,py,op
 * BENCH_JSON=<file> (default examples/benchmark/bench-results.json).
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import {
  type Baseline,
  oneWayBaseline,
  relayBaseline,
  socketBaseline,
} from "./bench_baseline.ts";
import {
  languageTarget,
  OPERATORS,
  parseCsv,
  type Row,
  table,
  targets,
} from "./bench_report.ts";

const here = new URL(".", import.meta.url).pathname;
const quick = !["", "0"].includes(Deno.env.get("BENCH_QUICK") ?? "");
const variants = (Deno.env.get("BENCH_VARIANTS") ?? "ts,py,op").split(",")
  .map((v) => v.trim()).filter((v) => v);

/** Runs one variant's dataflow and returns its CSV text. */
async function runVariant(variant: string): Promise<string> {
  const csv = await Deno.makeTempFile({
    prefix: "dora-bench-",
    suffix: ".csv",
  });
  try {
    const { cmd, args } = doraCommand();
    // Nodes get only the environment they are given: the BENCH_* settings
    // of this shell, the CSV file and the mode.
    const bench = Object.entries(Deno.env.toObject())
      .filter(([k]) => k.startsWith("BENCH_"))
      .map(([k, v]) => `${k}=${v}`);
    const envFlags = [
      ...bench,
      `BENCH_CSV=${csv}`,
      `BENCH_QUICK=${quick ? 1 : 0}`,
    ]
      .flatMap((kv) => ["--env", kv]);
    const out = await new Deno.Command(cmd, {
      args: [...args, "run", `${here}dataflow-${variant}.yml`, ...envFlags],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = await Deno.readTextFile(csv);
    if (!out.success || text.trim() === "") {
      const dec = new TextDecoder();
      throw new Error(
        `the ${variant} benchmark failed (exit ${out.code}):\n${
          dec.decode(out.stdout)
        }${dec.decode(out.stderr)}`,
      );
    }
    return text;
  } finally {
    await Deno.remove(csv).catch(() => {});
  }
}

/** Runs one variant and folds its rows in (a failure is reported at the end). */
async function runOne(variant: string): Promise<void> {
  console.log(`running the ${variant} benchmark${quick ? " (quick)" : ""}…`);
  try {
    parseCsv(variant, await runVariant(variant), rows);
  } catch (e) {
    failures.push(variant);
    console.error(`error: ${e instanceof Error ? e.message : e}`);
  }
}

const rows: Row[] = [];
const baselines: Record<string, Baseline> = {};
const relays: Record<string, Baseline> = {};
const failures: string[] = [];
for (const variant of variants) {
  // Operators in one process cross no socket: their target compares with ts.
  if (variant === OPERATORS) {
    await runOne(variant);
    continue;
  }
  // The floor is measured right before each variant: the machine's load drifts.
  const baseline = await socketBaseline(quick ? 50 : 200);
  baselines[variant] = baseline;
  console.log(
    `bare Deno Unix-socket round trip (8 B, 5 ms apart): p50 ${
      (baseline.p50 / 1000).toFixed(1)
    } µs, p99 ${(baseline.p99 / 1000).toFixed(1)} µs`,
  );
  const relay = await relayBaseline(quick ? 50 : 200);
  relays[variant] = relay;
  console.log(
    `bare Deno relay, sender -> relay -> sink (8 B, 5 ms apart): p50 ${
      (relay.p50 / 1000).toFixed(1)
    } µs, p99 ${(relay.p99 / 1000).toFixed(1)} µs (the floor of a dora hop)`,
  );
  await runOne(variant);
}
// What each language's nodes start from: a bare one-way 8 B trip.
const floors: Partial<Record<"ts" | "py", Baseline>> = {};
for (const lang of ["ts", "py"] as const) {
  if (!variants.includes(lang)) continue;
  floors[lang] = await oneWayBaseline(lang, quick ? 50 : 200);
  console.log(
    `bare one-way ${
      lang === "ts" ? "Deno → Deno" : "Python → Python"
    } (8 B, 5 ms apart, arrival − stamp): p50 ${
      (floors[lang]!.p50 / 1000).toFixed(1)
    } µs, p99 ${(floors[lang]!.p99 / 1000).toFixed(1)} µs`,
  );
}
console.log(table(rows));
const verdicts = targets(rows, baselines);
if (variants.includes("ts") && variants.includes("py")) {
  verdicts.push(languageTarget(rows, floors));
}
console.log("\ntargets (reported, not asserted):");
for (const t of verdicts) {
  const mark = t.met === null ? "n/a " : t.met ? "MET " : "MISS";
  console.log(
    `  [${mark}] ${t.variant}: ${t.name}: ${t.value} (goal ${t.goal})`,
  );
}
const jsonPath = Deno.env.get("BENCH_JSON") ?? `${here}bench-results.json`;
await Deno.writeTextFile(
  jsonPath,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      quick,
      machine: { cpus: navigator.hardwareConcurrency, os: Deno.build.os },
      baselines,
      relays,
      floors,
      rows,
      targets: verdicts,
    },
    null,
    2,
  ) + "\n",
);
console.log(`results written to ${jsonPath}`);
if (failures.length) {
  console.error(`error: the ${failures.join(", ")} benchmark failed`);
  Deno.exit(1);
}
