/**
 * Checks across the flat node list: duplicate ids, wiring of every input,
 * unused outputs, source paths on disk, args quoting and env names.
 *
 * @module
 */
import { isReservedEnv } from "./reserved_env.ts";
import { isAbsolute, join } from "node:path";
import type { Diagnostic } from "./diagnostic.ts";
import { isSpecialPath } from "./expand.ts";
import {
  addressableOutputs,
  fieldOrigin,
  type FlatNode,
  inputOrigin,
  nodeKind,
  type Origin,
  sourceText,
} from "./flat.ts";
import { parseInputSource, timerIntervalWarning } from "./input_source.ts";
import type { RawInput } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { valueAt } from "./issues.ts";
import { sharedLibraryFile, sharedLibraryNameProblem } from "./operators.ts";

/** Options of {@link checkFlat}. */
export interface CheckOptions {
  baseDir: string;
  /** Nodes that failed earlier checks: wiring to them is not reported again. */
  brokenIds: Set<string>;
  /** Source node names that are outside this file (e.g. `_mod`). */
  external?: Set<string>;
  /** Outputs read from outside (e.g. a module's declared outputs). */
  consumedElsewhere?: Set<string>;
  /** Skip file-system checks. */
  skipPaths?: boolean;
  /** Skip the path checks of these nodes. */
  skipPathsOf?: Set<string>;
  /** Nodes whose path was already reported. */
  badPaths?: Set<string>;
}

/** Runs every cross-node check. */
export function checkFlat(nodes: FlatNode[], opts: CheckOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (o: Origin, message: string, key = false) =>
    out.push(o.src.at(o.path, message, { key }));
  const warn = (o: Origin, message: string) =>
    out.push(o.src.at(o.path, message, { severity: "warning" }));

  const byId = new Map<string, FlatNode>();
  for (const node of nodes) {
    const first = byId.get(node.id);
    if (first) {
      const p = first.origin.src.locate([...first.origin.path, "id"]);
      at(
        fieldOrigin(node, "id"),
        `duplicate node id "${node.id}" (first defined ${
          first.origin.src === node.origin.src
            ? `on line ${p.line}`
            : `at ${first.origin.src.file}:${p.line}:${p.column}`
        })`,
      );
      continue;
    }
    byId.set(node.id, node);
  }
  const allIds = [...byId.keys(), ...opts.brokenIds];
  const consumed = new Set(opts.consumedElsewhere ?? []);

  const checkInputs = (
    node: FlatNode,
    inputs: Record<string, RawInput> | undefined,
    field: (string | number)[],
    origins: boolean,
  ) => {
    for (const [id, value] of Object.entries(inputs ?? {})) {
      if (origins && node.brokenInputs.has(id)) continue;
      const o = origins
        ? inputOrigin(node, id)
        : fieldOrigin(node, ...field, id);
      const text = sourceText(value)!;
      const parsed = parseInputSource(text);
      if (!parsed.ok) continue; // already reported by the schema
      const src = parsed.source;
      const what = `input "${id}" of node "${node.id}"`;
      if (src.kind === "logs") {
        if (src.node !== undefined && !allIds.includes(src.node)) {
          at(
            o,
            `${what} reads logs of "${src.node}", but there is no such node${
              didYouMean(src.node, allIds)
            }`,
          );
        }
        continue;
      }
      if (src.kind === "timer") {
        const problem = timerIntervalWarning(src.intervalNs);
        if (problem) warn(o, `${what} reads "${text}": ${problem}`);
        continue;
      }
      if (src.kind !== "node") continue;
      if (opts.external?.has(src.node)) continue;
      const target = byId.get(src.node);
      if (!target) {
        if (opts.brokenIds.has(src.node)) continue;
        at(
          o,
          `${what} reads "${text}", but there is no node "${src.node}"${
            didYouMean(src.node, allIds)
          }`,
        );
        continue;
      }
      if (target.partial) continue;
      const outputs = addressableOutputs(target.raw);
      let output = src.output;
      if (target.raw.operator && !outputs.includes(output)) {
        const alias = `${target.raw.operator.id ?? "op"}/${output}`;
        if (outputs.includes(alias)) output = alias;
      }
      consumed.add(`${target.id}/${output}`);
      if (outputs.includes(output)) continue;
      if (target.raw.operators && !output.includes("/")) {
        at(
          o,
          `${what} reads "${text}", but node "${target.id}" runs operators: write ${target.id}/<operator id>/<output>`,
        );
        continue;
      }
      const shown = target.raw.operator
        ? outputs.map((x) => x.slice(x.indexOf("/") + 1))
        : outputs;
      const hint = didYouMean(src.output, shown) ||
        (shown.length
          ? ` (its outputs: ${shown.join(", ")})`
          : " (it declares no outputs)");
      at(
        o,
        `${what} reads "${text}", but node "${target.id}" has no output "${src.output}"${hint}`,
      );
    }
  };

  for (const node of byId.values()) {
    const raw = node.raw;
    checkInputs(node, raw.inputs, ["inputs"], true);
    raw.operators?.forEach((op, i) =>
      checkInputs(node, op.inputs, ["operators", i, "inputs"], false)
    );
    if (raw.operator) {
      checkInputs(node, raw.operator.inputs, ["operator", "inputs"], false);
    }
    if (node.partial) continue;
    checkArgs(node, at);
    checkEnv(node, at, warn);
    const denoOps = [
      ...raw.operators ?? [],
      ...raw.operator ? [raw.operator] : [],
    ]
      .some((op) =>
        op.typescript !== undefined || op["shared-library"] !== undefined
      );
    if (
      raw.permissions && !denoOps && !/\.(m?[jt]sx?)$/.test(raw.path ?? "")
    ) {
      warn(
        fieldOrigin(node, "permissions"),
        `"permissions" of node "${node.id}" only applies to TypeScript/JavaScript nodes and operators`,
      );
    }
    if (
      !opts.skipPaths && !opts.badPaths?.has(node.id) &&
      !opts.skipPathsOf?.has(node.id)
    ) {
      checkPaths(node, opts.baseDir, at);
    }
  }

  for (const node of byId.values()) {
    if (node.partial) continue;
    const raw = node.raw;
    const declared = raw.operators
      ? raw.operators.flatMap((op, i) =>
        (op.outputs ?? []).map((name, j) => ({
          ref: `${op.id}/${name}`,
          name: `${op.id}/${name}`,
          o: fieldOrigin(node, "operators", i, "outputs", j),
        }))
      )
      : raw.operator
      ? (raw.operator.outputs ?? []).map((name, j) => ({
        ref: `${raw.operator!.id ?? "op"}/${name}`,
        name,
        o: fieldOrigin(node, "operator", "outputs", j),
      }))
      : (raw.outputs ?? []).map((name, j) => ({
        ref: name,
        name,
        o: fieldOrigin(node, "outputs", j),
      }));
    const seen = new Set<string>();
    for (const { ref, name, o } of declared) {
      if (seen.has(ref)) {
        warn(o, `output "${name}" of node "${node.id}" is listed twice`);
        continue;
      }
      seen.add(ref);
      if (raw.path === "dynamic") continue;
      if (!consumed.has(`${node.id}/${ref}`)) {
        warn(
          o,
          `output "${name}" of node "${node.id}" is not read by any node`,
        );
      }
    }
  }
  return out;
}

function checkArgs(
  node: FlatNode,
  at: (o: Origin, m: string) => void,
): void {
  const args = node.raw.args;
  if (args === undefined) return;
  let quote: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "\\") i++;
  }
  if (quote) {
    at(
      fieldOrigin(node, "args"),
      `"args" of node "${node.id}" has an unterminated ${quote} quote`,
    );
  }
}

function checkEnv(
  node: FlatNode,
  at: (o: Origin, m: string, key?: boolean) => void,
  warn: (o: Origin, m: string) => void,
): void {
  for (const name of Object.keys(node.raw.env ?? {})) {
    const o = fieldOrigin(node, "env", name);
    if (name === "" || /[=\s\0]/.test(name)) {
      at(
        o,
        `env variable name "${name}" of node "${node.id}" is not valid`,
        true,
      );
    } else if (isReservedEnv(name)) {
      warn(
        o,
        `env variable "${name}" of node "${node.id}" is reserved by dora and will be ignored`,
      );
    }
  }
}

function checkPaths(
  node: FlatNode,
  baseDir: string,
  at: (o: Origin, m: string) => void,
): void {
  const raw = node.raw;
  if (nodeKind(raw) === "path") {
    if (raw.build !== undefined || raw.git !== undefined) return;
    const p = raw.path!;
    if (isSpecialPath(p) || findPath(p, baseDir)) return;
    const o = fieldOrigin(node, "path");
    const written = valueAt(o.src.data, o.path);
    at(
      o,
      `path "${p}"${
        typeof written === "string" && written !== p
          ? ` (written "${written}")`
          : ""
      } of node "${node.id}" does not exist${
        p.includes("/") ? "" : " (looked in the dataflow's folder and $PATH)"
      }`,
    );
    return;
  }
  const ops = raw.operators?.map((op, i) => ({
    op,
    field: ["operators", i] as (string | number)[],
  })) ??
    (raw.operator
      ? [{ op: raw.operator, field: ["operator"] as (string | number)[] }]
      : []);
  for (const { op, field } of ops) {
    const opName = `operator "${op.id ?? "op"}" of node "${node.id}"`;
    const lib = op["shared-library"];
    if (lib !== undefined && !isSpecialPath(lib)) {
      const problem = sharedLibraryNameProblem(lib);
      if (problem) {
        at(
          fieldOrigin(node, ...field, "shared-library"),
          `shared-library "${lib}" of ${opName}: ${problem}`,
        );
        continue;
      }
    }
    if (op.build !== undefined) continue;
    const python = typeof op.python === "string"
      ? op.python
      : op.python?.source;
    const checks: [string | undefined, string][] = [
      [python, "python"],
      [op.typescript, "typescript"],
      [
        lib === undefined ? undefined : sharedLibraryFile(lib),
        "shared-library",
      ],
      [op.wasm, "wasm"],
    ];
    for (const [p, key] of checks) {
      if (p === undefined || isSpecialPath(p)) continue;
      if (exists(isAbsolute(p) ? p : join(baseDir, p))) continue;
      at(
        fieldOrigin(
          node,
          ...field,
          ...(key === "python" && typeof op.python !== "string"
            ? ["python", "source"]
            : [key]),
        ),
        `${key} source "${p}" of ${opName} does not exist`,
      );
    }
  }
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Finds a node's executable: in the dataflow folder, or on $PATH for bare names. */
export function findPath(p: string, baseDir: string): string | undefined {
  if (isAbsolute(p)) return exists(p) ? p : undefined;
  const local = join(baseDir, p);
  if (exists(local)) return local;
  if (p.includes("/")) return undefined;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir && exists(join(dir, p))) return join(dir, p);
  }
  return undefined;
}
