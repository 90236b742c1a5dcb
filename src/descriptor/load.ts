/**
 * The pipeline behind every descriptor command: read, parse, check the
 * schema, expand modules, check wiring and paths, resolve.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { checkFlat } from "./checks.ts";
import { type Diagnostic, sortDiagnostics } from "./diagnostic.ts";
import { Expander, ModuleContext } from "./expand.ts";
import type { FlatNode } from "./flat.ts";
import { issuesToDiagnostics } from "./issues.ts";
import type { Dataflow } from "./model.ts";
import { resolveDataflow } from "./resolve.ts";
import {
  DataflowSchema,
  ModuleFileSchema,
  NodeSchema,
  type RawDataflow,
  type RawModuleFile,
  type RawNode,
} from "./schema.ts";
import { displayName, SourceFile, type YamlPath } from "./source.ts";
import { validNodes } from "./_valid_nodes.ts";
import { producersProblem } from "./_output_map.ts";
import {
  checkTypes,
  loadTypeLibrary,
  type TypeCheckResult,
  type TypeLibrary,
} from "./types/mod.ts";

/** Everything known about a descriptor after checking it. */
export interface Analysis {
  /** The main file. */
  src: SourceFile;
  /** Errors and warnings, sorted by position. */
  diagnostics: Diagnostic[];
  /** Notes (inferred input types), sorted by position; they never fail. */
  notes: Diagnostic[];
  /** The nodes after module expansion (the valid ones). */
  nodes: FlatNode[];
  /** The top-level data as written (for `dora expand`). */
  data: Record<string, unknown>;
  /** The resolved dataflow, when there are no errors. */
  dataflow?: Dataflow;
  /** The type library and what the type checks found (after expansion). */
  types?: { library: TypeLibrary; result: TypeCheckResult };
}

/**
 * Nodes written in another file that join the dataflow (`dora node add
 * --from-yaml`): checked with the dataflow's nodes, their problems pointing
 * into their own file.
 */
export interface ExtraNodes {
  src: SourceFile;
  /** The node values, unvalidated. */
  rawNodes: unknown[];
  /** Where node `i` is written in `src`. */
  pathOf: (i: number) => YamlPath;
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  /** Skip file-system checks (node paths). */
  skipPaths?: boolean;
  /** Skip the path checks of these nodes (they were checked before). */
  skipPathsOf?: Set<string>;
  /** Nodes from other files that join the dataflow's `nodes`. */
  extra?: ExtraNodes[];
  /** Type problems are errors (`--strict-types`); `strict_types: true` in the file does the same. */
  strictTypes?: boolean;
}

/** Whether any diagnostic is an error. */
export function hasErrors(list: Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}

/** Reads a descriptor file, or returns a diagnostic saying why it cannot. */
export async function readSource(
  path: string,
): Promise<SourceFile | Diagnostic> {
  const abs = resolve(path);
  const file = displayName(abs);
  const fail = (message: string): Diagnostic => ({
    file,
    line: 1,
    column: 1,
    message,
    severity: "error",
  });
  try {
    const info = await Deno.stat(abs);
    if (info.isDirectory) {
      return fail(`"${path}" is a directory, not a dataflow file`);
    }
    const text = await Deno.readTextFile(abs);
    return new SourceFile(file, await Deno.realPath(abs), text);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return fail(`file not found`);
    if (err instanceof TypeError) return fail(`file is not valid UTF-8 text`);
    return fail(
      `cannot read file: ${err instanceof Error ? err.message : err}`,
    );
  }
}

/** Checks the dataflow at `path` and resolves it when it has no errors. */
export async function analyze(
  path: string,
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const src = await readSource(path);
  if (!(src instanceof SourceFile)) return unreadable(path, src);
  return analyzeSource(src, options);
}

/**
 * Checks a dataflow held in memory (`src`: its text and the path it stands
 * for, whose folder is the working directory) and resolves it when it has no
 * errors, like {@link analyze}.
 */
export async function analyzeSource(
  src: SourceFile,
  options: AnalyzeOptions = {},
): Promise<Analysis> {
  const diagnostics: Diagnostic[] = [...src.syntax];
  const result = finisher(src, diagnostics);
  if (hasErrors(src.syntax)) return result();
  const data = src.data;
  if (data === null || data === undefined) {
    diagnostics.push(
      src.at([], `the dataflow file is empty (it needs a "nodes" list)`),
    );
    return result();
  }
  if (
    typeof data !== "object" || Array.isArray(data) ||
    Object.getPrototypeOf(data) !== Object.prototype
  ) {
    diagnostics.push(src.at(
      [],
      `the dataflow must be a mapping with a "nodes" list, got ${
        Array.isArray(data)
          ? "a list"
          : typeof data === "object"
          ? "a binary or tagged value"
          : JSON.stringify(data)
      }`,
    ));
    return result();
  }
  const root = data as Record<string, unknown>;
  if ("module" in root) {
    diagnostics.push(src.at(
      ["module"],
      `this is a module file, not a dataflow (check it with "dora expand --module")`,
      { key: true },
    ));
    return result([], root);
  }
  const parsed = DataflowSchema.safeParse(root);
  if (!parsed.success) {
    diagnostics.push(
      ...issuesToDiagnostics(src, DataflowSchema, parsed.error.issues),
    );
  }
  const rawNodes = Array.isArray(root.nodes) ? root.nodes : [];
  const nodes = validNodes(src, rawNodes, diagnostics);
  const baseDir = dirname(src.abs);
  const expander = new Expander(baseDir);
  const flat = expandTop(expander, src, rawNodes, nodes);
  for (const extra of options.extra ?? []) {
    flat.push(...expandExtra(expander, extra, diagnostics));
  }
  diagnostics.push(...expander.diagnostics);
  diagnostics.push(...checkFlat(flat, {
    baseDir,
    brokenIds: expander.brokenIds,
    skipPaths: options.skipPaths,
    skipPathsOf: options.skipPathsOf,
    badPaths: expander.badPaths,
  }));
  const complete = flat.filter((n) => !n.partial);
  const { library, diagnostics: typeFileProblems } = await loadTypeLibrary(
    baseDir,
  );
  diagnostics.push(...typeFileProblems);
  const typeResult = checkTypes(flat, {
    library,
    root,
    rootSrc: src,
    strict: options.strictTypes === true || root.strict_types === true,
  });
  diagnostics.push(...typeResult.diagnostics);
  const types = { library, result: typeResult };
  if (!hasErrors(diagnostics) && parsed.success) {
    const warnings: Diagnostic[] = [];
    const dataflow = resolveDataflow(
      src.abs,
      baseDir,
      parsed.data as RawDataflow,
      complete,
      warnings,
      typeResult.ports,
    );
    diagnostics.push(...warnings);
    return {
      ...result(complete, root, typeResult.notes),
      dataflow,
      types,
    };
  }
  return { ...result(complete, root, typeResult.notes), types };
}

/** A module file checked on its own (`dora expand --module`). */
export interface ModuleAnalysis {
  src: SourceFile;
  diagnostics: Diagnostic[];
  nodes: FlatNode[];
  data: Record<string, unknown>;
}

/** Checks a standalone module file: header, wiring, outputs, nested modules. */
export async function analyzeModule(path: string): Promise<ModuleAnalysis> {
  const src = await readSource(path);
  if (!(src instanceof SourceFile)) return unreadable(path, src);
  const diagnostics: Diagnostic[] = [...src.syntax];
  const done = finisher(src, diagnostics);
  if (hasErrors(src.syntax)) return done();
  const data = src.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    diagnostics.push(
      src.at([], `a module file must be a mapping with "module" and "nodes"`),
    );
    return done();
  }
  const parsed = ModuleFileSchema.safeParse(data);
  if (!parsed.success) {
    diagnostics.push(
      ...issuesToDiagnostics(src, ModuleFileSchema, parsed.error.issues),
    );
  }
  const root = data as Record<string, unknown>;
  const rawNodes = Array.isArray(root.nodes) ? root.nodes : [];
  const nodes = validNodes(src, rawNodes, diagnostics);
  const header = ModuleFileSchema.shape.module.safeParse(root.module);
  if (!header.success) return done([], root);
  const mod = header.data as RawModuleFile["module"];
  const ports = [...mod.inputs ?? [], ...mod.inputs_optional ?? []];
  const baseDir = dirname(src.abs);
  const expander = new Expander(baseDir);
  const context = new ModuleContext({
    name: mod.name,
    moduleId: mod.name,
    ports,
    optional: mod.inputs_optional ?? [],
    wired: Object.fromEntries(ports.map((p) => [p, `_mod/${p}`])),
    wiredOrigins: {},
    params: {},
    moduleDir: baseDir,
    baseDir,
  });
  const flat = expandTop(expander, src, rawNodes, nodes, context);
  diagnostics.push(...expander.diagnostics);
  // Declared outputs: exactly one direct producer each.
  const producers = new Map<string, string[]>();
  for (const n of flat) {
    for (const o of n.raw.outputs ?? []) {
      producers.set(o, [...producers.get(o) ?? [], n.id]);
    }
  }
  const consumed = new Set<string>();
  (mod.outputs ?? []).forEach((name, i) => {
    const ps = producers.get(name) ?? [];
    for (const p of ps) consumed.add(`${p}/${name}`);
    if (ps.length !== 1 && !flat.some((n) => n.modules.length)) {
      diagnostics.push(src.at(
        ["module", "outputs", i],
        producersProblem(mod.name, name, ps),
      ));
    }
  });
  diagnostics.push(...checkFlat(flat, {
    baseDir,
    brokenIds: expander.brokenIds,
    external: new Set(["_mod"]),
    consumedElsewhere: consumed,
    badPaths: expander.badPaths,
  }));
  return done(flat.filter((n) => !n.partial), root);
}

/** The analysis of a file that could not be read. */
function unreadable(path: string, problem: Diagnostic): Analysis {
  return {
    src: new SourceFile(problem.file, resolve(path), ""),
    diagnostics: [problem],
    notes: [],
    nodes: [],
    data: {},
  };
}

/** Builds the result of analysing `src`, its diagnostics sorted. */
function finisher(src: SourceFile, diagnostics: Diagnostic[]) {
  return (
    nodes: FlatNode[] = [],
    data: Record<string, unknown> = {},
    notes: Diagnostic[] = [],
  ): Analysis => ({
    src,
    diagnostics: sortDiagnostics(diagnostics),
    notes: sortDiagnostics(notes),
    nodes,
    data,
  });
}

const NodeListSchema = z.strictObject({ nodes: z.array(NodeSchema) });

/** Checks and expands nodes from another file (see {@link ExtraNodes}). */
function expandExtra(
  expander: Expander,
  extra: ExtraNodes,
  diagnostics: Diagnostic[],
): FlatNode[] {
  const { src, rawNodes, pathOf } = extra;
  rawNodes.forEach((raw, i) => {
    // Checked as `nodes: [raw]` so that messages name the node, as in a
    // dataflow; positions point into the node's own file.
    const parsed = NodeListSchema.safeParse({ nodes: [raw] });
    if (!parsed.success) {
      diagnostics.push(
        ...issuesToDiagnostics(
          src,
          NodeListSchema,
          parsed.error.issues,
          [],
          { nodes: [raw] },
          (p) => [...pathOf(i), ...p.slice(2)],
        ),
      );
    }
  });
  const nodes = validNodes(src, rawNodes, diagnostics, pathOf);
  return expander.expandLevel({
    src,
    basePath: [],
    pathOf,
    rawNodes,
    nodes,
    prefix: "",
    modules: [],
    depth: 0,
    seen: [src.abs],
  });
}

/** Expands the top level of `src` (a dataflow, or a module checked alone). */
function expandTop(
  expander: Expander,
  src: SourceFile,
  rawNodes: unknown[],
  nodes: (RawNode | undefined)[],
  module?: ModuleContext,
): FlatNode[] {
  return expander.expandLevel({
    src,
    basePath: ["nodes"],
    rawNodes,
    nodes,
    prefix: "",
    modules: [],
    depth: 0,
    seen: [src.abs],
    module,
  });
}
