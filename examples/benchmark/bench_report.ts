/**
 * Parses the sinks' CSV rows, prints one table and checks the targets
 * (reported, never asserted).
 *
 * @module
 */
import type { Baseline } from "./bench_baseline.ts";

/** One size of one variant. */
export interface Row {
  variant: string;
  bytes: number;
  label: string;
  latency?: {
    n: number;
    avg: number;
    p50: number;
    p95: number;
    p99: number;
    p999: number;
    min: number;
    max: number;
  };
  throughput?: { n: number; msgPerSec: number; elapsedNs: number };
}

/** Folds CSV lines (the original's format) into rows of `variant`. */
export function parseCsv(variant: string, text: string, into: Row[]): void {
  for (const line of text.split("\n")) {
    const f = line.trim().split(",");
    if (f.length < 11) continue;
    const bytes = Number(f[1]);
    let row = into.find((r) => r.variant === variant && r.bytes === bytes);
    if (!row) into.push(row = { variant, bytes, label: f[2] });
    const v = f.slice(3).map(Number);
    if (f[0] === "latency") {
      const [n, avg, p50, p95, p99, p999, min, max] = v;
      row.latency = { n, avg, p50, p95, p99, p999, min, max };
    } else if (f[0] === "throughput") {
      row.throughput = { n: v[0], msgPerSec: v[1], elapsedNs: v[2] };
    }
  }
  into.sort((a, b) =>
    a.variant === b.variant ? a.bytes - b.bytes : a.variant < b.variant ? -1 : 1
  );
}

const us = (ns?: number) => ns === undefined ? "-" : (ns / 1000).toFixed(1);

/** A plain-text table of every row. */
export function table(rows: Row[]): string {
  const head = [
    "variant",
    "size",
    "n",
    "p50 µs",
    "p95 µs",
    "p99 µs",
    "p99.9 µs",
    "avg µs",
    "min µs",
    "max µs",
    "msg/s",
  ];
  const body = rows.map((r) => [
    r.variant,
    r.label,
    String(r.latency?.n ?? "-"),
    us(r.latency?.p50),
    us(r.latency?.p95),
    us(r.latency?.p99),
    us(r.latency?.p999),
    us(r.latency?.avg),
    us(r.latency?.min),
    us(r.latency?.max),
    r.throughput ? String(Math.round(r.throughput.msgPerSec)) : "-",
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((b) => b[i].length))
  );
  const fmt = (cells: string[]) =>
    cells.map((c, i) => i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))
      .join("  ");
  return [
    fmt(head),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(fmt),
  ]
    .join("\n");
}

/** One target's verdict. */
export interface Target {
  variant: string;
  name: string;
  value: string;
  goal: string;
  met: boolean | null;
}

/** The variant of operators in one runtime node (dataflow-op.yml). */
export const OPERATORS = "op";

/** Target 4: operator → operator in one runtime vs node → node (TypeScript). */
function operatorTarget(rows: Row[]): Target {
  const p50 = (variant: string) =>
    rows.find((r) => r.variant === variant && r.bytes === 8)?.latency?.p50;
  const op = p50(OPERATORS);
  const node = p50("ts");
  const measured = op !== undefined && node !== undefined;
  return {
    variant: OPERATORS,
    name: "p50 latency 8 B, operator → operator ≤ 1/5 of node → node (ts)",
    value: measured
      ? `${us(op)} µs vs ${us(node)} µs (${(node / op).toFixed(1)}× lower)`
      : "not measured (needs the ts and op variants)",
    goal: "≥ 5× lower",
    met: measured ? op * 5 <= node : null,
  };
}

/**
 * Target 8: TypeScript → TypeScript at least as fast as Python → Python at
 * every size (p50 latency), with each language's bare one-way floor (8 B
 * between two bare processes, oneway.ts / oneway.py) beside it.
 */
export function languageTarget(
  rows: Row[],
  floors: Partial<Record<"ts" | "py", Baseline>>,
): Target {
  const sizes = [...new Set(rows.map((r) => r.bytes))];
  const pairs = sizes.flatMap((bytes) => {
    const row = (v: string) =>
      rows.find((r) => r.variant === v && r.bytes === bytes);
    const ts = row("ts")?.latency?.p50;
    const py = row("py")?.latency?.p50;
    return ts !== undefined && py !== undefined
      ? [{ label: row("ts")!.label, ts, py }]
      : [];
  });
  const behind = pairs.filter((p) => p.ts > p.py);
  const floor = floors.ts && floors.py
    ? `; bare one-way floors: Deno → Deno ${
      us(floors.ts.p50)
    } µs, Python → Python ${us(floors.py.p50)} µs`
    : "";
  return {
    variant: "ts",
    name: "p50 latency TypeScript → TypeScript ≤ Python → Python, every size",
    value: pairs.length
      ? `behind at ${behind.length} of ${pairs.length} sizes${
        behind.length
          ? ` (${
            behind.map((p) => `${p.label} ${(p.ts / p.py).toFixed(2)}×`)
              .join(", ")
          })`
          : ""
      }${floor}`
      : "not measured (needs the ts and py variants)",
    goal: "≤ 1× at every size",
    met: pairs.length ? behind.length === 0 : null,
  };
}

/** The three targets of docs/benchmark.md for each node variant, and target 4. */
export function targets(
  rows: Row[],
  baselines: Record<string, Baseline>,
): Target[] {
  const out: Target[] = [];
  for (const variant of [...new Set(rows.map((r) => r.variant))]) {
    const at = (bytes: number) =>
      rows.find((r) => r.variant === variant && r.bytes === bytes);
    if (variant === OPERATORS) {
      out.push(operatorTarget(rows));
      continue;
    }
    const big = at(40960000)?.latency?.p50;
    const small4k = at(4096)?.latency?.p50;
    out.push({
      variant,
      name: "p50 latency 40 MB ≤ 2 × p50 4 KB",
      value: big !== undefined && small4k !== undefined
        ? `${us(big)} µs vs ${us(small4k)} µs (${(big / small4k).toFixed(2)}×)`
        : "not measured",
      goal: "≤ 2×",
      met: big !== undefined && small4k !== undefined
        ? big <= 2 * small4k
        : null,
    });
    const tp = at(8)?.throughput?.msgPerSec;
    out.push({
      variant,
      name: "throughput of 8-byte messages",
      value: tp !== undefined ? `${Math.round(tp)} msg/s` : "not measured",
      goal: "≥ 100000 msg/s",
      met: tp !== undefined ? tp >= 100_000 : null,
    });
    const lat8 = at(8)?.latency?.p50;
    const baseline = baselines[variant] ?? { n: 0, p50: NaN, p99: NaN };
    out.push({
      variant,
      name: "p50 latency 8 B ≤ 2 × bare Unix-socket RTT",
      value: lat8 !== undefined
        ? `${us(lat8)} µs vs RTT ${us(baseline.p50)} µs (${
          (lat8 / baseline.p50).toFixed(2)
        }×)`
        : "not measured",
      goal: "≤ 2×",
      met: lat8 !== undefined && baseline.n > 0
        ? lat8 <= 2 * baseline.p50
        : null,
    });
  }
  return out;
}
