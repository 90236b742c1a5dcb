/**
 * Helpers shared by the cluster commands (`start`, `stop`, `list`, …):
 * descriptor loading with diagnostics, durations, tables, dataflow choice.
 *
 * @module
 */
import Table from "cli-table3";
import { CliError, UsageError } from "../cli/errors.ts";
import { parseDuration } from "../daemon/duration.ts";
import {
  type Dataflow,
  DescriptorError,
  formatDiagnostic,
  loadDataflow,
} from "../descriptor/mod.ts";
import type { Peer } from "./peer.ts";
import { type FaultSummary, formatFaultSummary } from "../fault/counters.ts";

/**
 * Loads and validates a descriptor, turning problems into CLI errors;
 * `strictTypes` makes type problems errors (`--strict-types`).
 */
export async function loadForCli(
  path: string,
  options: { strictTypes?: boolean } = {},
): Promise<Dataflow> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`dataflow file not found: ${path}`);
    }
    throw e;
  }
  try {
    const loaded = await loadDataflow(path, options);
    for (const w of loaded.warnings) console.error(formatDiagnostic(w));
    return loaded.dataflow;
  } catch (e) {
    if (e instanceof DescriptorError) {
      throw new CliError(e.message, {
        details: e.diagnostics.map(formatDiagnostic),
      });
    }
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`dataflow file not found: ${path}`);
    }
    throw e;
  }
}

/** Parses a `--grace-duration`-style option into milliseconds. */
export function durationMs(name: string, text?: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(
      `invalid ${name} '${text}': expected e.g. 500ms, 10s, 1m`,
    );
  }
  return ms;
}

/** Parses repeated `--env K=V` values. */
export function parseEnvPairs(
  pairs: string[] | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--env expects K=V, got '${p}'`);
    env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return env;
}

/** A borderless table for terminals (like `docker ps`). */
export function renderTable(head: string[], rows: string[][]): string {
  const table = new Table({
    head,
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  table.push(...rows);
  return table.toString().split("\n").map((l) => l.trimEnd()).join("\n");
}

/** `12.3 MB`-style sizes. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** `3s`, `4m`, `2h` ago-style durations. */
export function formatAgo(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/**
 * The dataflow a command acts on: the given uuid/name, else the only running
 * one; several running ones is an error that lists them.
 */
export async function chooseDataflow(
  peer: Peer,
  ref: string | undefined,
): Promise<string> {
  if (ref) return ref;
  const { dataflows } = await peer.call<
    { dataflows: { uuid: string; name?: string }[] }
  >("running", {});
  if (dataflows.length === 1) return dataflows[0].uuid;
  if (dataflows.length === 0) throw new CliError("no dataflow is running");
  if (Deno.stdin.isTerminal() && Deno.stdout.isTerminal()) {
    // Interactive picker, like the original dora on a TTY.
    dataflows.forEach((d, i) =>
      console.log(`  ${i + 1}) ${d.name ? `${d.name} (${d.uuid})` : d.uuid}`)
    );
    const answer = prompt(`which dataflow? [1-${dataflows.length}]`);
    const pick = dataflows[Number(answer) - 1];
    if (pick) return pick.uuid;
    throw new UsageError(`no dataflow chosen (answer 1-${dataflows.length})`);
  }
  throw new UsageError(
    `${dataflows.length} dataflows are running; name one: ${
      dataflows.map((d) => d.name ? `${d.name} (${d.uuid})` : d.uuid).join(", ")
    }`,
  );
}

/**
 * Outcome lines for a finished dataflow (with dropped messages and what fault
 * tolerance did); `failed` when a node failed.
 */
export function describeOutcome(o: {
  uuid: string;
  name?: string;
  status: string;
  error?: string;
  results?: Record<string, { drops?: Record<string, number> }>;
  fault?: FaultSummary;
}): { line: string; failed: boolean } {
  const who = o.name ? `${o.name} (${o.uuid})` : o.uuid;
  // Drops are never silent: name every input that lost messages.
  const drops =
    Object.entries(o.results ?? {}).flatMap(([node, r]) =>
      Object.entries(r.drops ?? {}).map(([input, n]) =>
        `\nwarning: ${node}/${input} dropped ${n} message(s) (queue full, drop_oldest)`
      )
    ).join("") + (o.fault ? formatFaultSummary(o.fault) : []).map((l) =>
      `\n${l}`
    ).join("");
  if (o.status === "failed") {
    return {
      line: `dataflow ${who} failed: ${o.error ?? "unknown error"}${drops}`,
      failed: true,
    };
  }
  return { line: `dataflow ${who} ${o.status}${drops}`, failed: false };
}
