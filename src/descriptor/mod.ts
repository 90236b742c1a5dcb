/**
 * Loading a dataflow descriptor: parse, expand modules, validate, resolve.
 *
 * NOTE: provisional minimal loader; the full schema/validation replaces the
 * internals but keeps `loadDataflow`'s signature.
 *
 * @module
 */
import { parse } from "yaml";
import type { Dataflow, InputSpec, NodeSpec } from "./model.ts";
export type * from "./model.ts";

/** One problem found in a descriptor, with its position. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

/** The descriptor has errors; `diagnostics` lists every one. */
export class DescriptorError extends Error {
  diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(
      `invalid dataflow: ${
        diagnostics.filter((d) => d.severity === "error").length
      } error(s)`,
    );
    this.name = "DescriptorError";
    this.diagnostics = diagnostics;
  }
}

/** Formats a diagnostic as `file:line:column: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${
    d.severity === "warning" ? "warning: " : ""
  }${d.message}`;
}

/** Loads, expands and validates the dataflow at `path`. */
export async function loadDataflow(
  path: string,
): Promise<{ dataflow: Dataflow; warnings: Diagnostic[] }> {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const text = await Deno.readTextFile(abs);
  // deno-lint-ignore no-explicit-any
  const raw = parse(text) as any;
  const workingDir = abs.slice(0, abs.lastIndexOf("/")) || "/";
  const globalEnv = stringifyEnv(raw.env ?? {});
  // deno-lint-ignore no-explicit-any
  const nodes: NodeSpec[] = (raw.nodes ?? []).map((n: any) => ({
    id: n.id,
    name: n.name,
    description: n.description,
    path: n.path,
    args: n.args,
    env: { ...globalEnv, ...stringifyEnv(n.env ?? {}) },
    build: n.build,
    inputs: Object.entries(n.inputs ?? {}).map(([id, v]) => parseInput(id, v)),
    outputs: n.outputs ?? [],
    restartPolicy: n.restart_policy ?? "never",
    maxRestarts: n.max_restarts ?? 0,
    restartDelay: n.restart_delay,
    maxRestartDelay: n.max_restart_delay,
    restartWindow: n.restart_window,
    healthCheckTimeout: n.health_check_timeout,
    minLogLevel: n.min_log_level,
    sendStdoutAs: n.send_stdout_as,
    sendLogsAs: n.send_logs_as,
    maxLogSize: typeof n.max_log_size === "number" ? n.max_log_size : undefined,
    maxRotatedFiles: n.max_rotated_files ?? 5,
    deploy: n.deploy ?? n._unstable_deploy,
    permissions: n.permissions,
  }));
  return {
    dataflow: {
      path: abs,
      workingDir,
      nodes,
      healthCheckInterval: raw.health_check_interval ?? 5,
      debug: { publishAllMessages: false },
    },
    warnings: [],
  };
}

function stringifyEnv(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v)]),
  );
}

const UNIT_NS: Record<string, number> = {
  secs: 1e9,
  millis: 1e6,
  micros: 1e3,
  nanos: 1,
};

function parseInput(id: string, value: unknown): InputSpec {
  // deno-lint-ignore no-explicit-any
  const long = typeof value === "object" && value !== null ? value as any : {};
  const text = typeof value === "string" ? value : String(long.source);
  const parts = text.split("/");
  let source: InputSpec["source"];
  if (parts[0] === "dora" && parts[1] === "timer") {
    const n = Number(parts[3]);
    const ns = parts[2] === "hz" ? 1e9 / n : n * (UNIT_NS[parts[2]!] ?? 1e6);
    source = { kind: "timer", intervalNs: BigInt(Math.round(ns)), text };
  } else if (parts[0] === "dora" && parts[1] === "logs") {
    source = {
      kind: "logs",
      level: parts[2] as never,
      node: parts[3],
    };
  } else {
    source = {
      kind: "node",
      node: parts[0]!,
      output: parts.slice(1).join("/"),
    };
  }
  return {
    id,
    sourceText: text,
    source,
    queueSize: long.queue_size ?? 10,
    queuePolicy: long.queue_policy ?? "drop_oldest",
    inputTimeout: long.input_timeout,
  };
}
