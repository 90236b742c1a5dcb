/**
 * Module expansion: a node with `module: file.yml` becomes the module's nodes
 * (`<module-id>.<inner-id>`), wired through `_mod/<port>` and the module's
 * declared outputs, with params substituted.
 *
 * @module
 */
import { dirname, isAbsolute, join, normalize, relative } from "node:path";
import type { Diagnostic } from "./diagnostic.ts";
import {
  addressableOutputs,
  type FlatNode,
  nodeKind,
  type Origin,
  sourceText,
} from "./flat.ts";
import { issuesToDiagnostics } from "./issues.ts";
import { checkNodeShape } from "./node_shape.ts";
import {
  ModuleFileSchema,
  NodeSchema,
  type RawInput,
  type RawModuleFile,
  type RawNode,
} from "./schema.ts";
import { displayName, SourceFile, type YamlPath } from "./source.ts";
import { didYouMean } from "./suggest.ts";
import { parseInputSource } from "./input_source.ts";

/** How deep modules may nest. */
export const MAX_MODULE_DEPTH = 8;
/** Largest module file read. */
export const MAX_MODULE_BYTES = 1024 * 1024;

interface LoadedModule {
  src: SourceFile;
  /** Undefined when the file has errors in its header or structure. */
  file?: RawModuleFile;
  /** Valid inner nodes by index (invalid ones are undefined). */
  nodes: (RawNode | undefined)[];
}

/** State shared by one expansion. */
export class Expander {
  readonly diagnostics: Diagnostic[] = [];
  /** Ids of nodes that failed validation (so wiring to them is not re-reported). */
  readonly brokenIds = new Set<string>();
  /** Nodes whose path was already reported (not checked on disk). */
  readonly badPaths = new Set<string>();
  readonly #baseDir: string;
  readonly #cache = new Map<string, LoadedModule | undefined>();
  readonly #reported = new Set<string>();

  constructor(baseDir: string) {
    this.#baseDir = baseDir;
  }

  /**
   * Expands the nodes of one file level. `nodes[i]` is undefined when it failed
   * validation; `rawNodes` are the unvalidated values (for their ids).
   */
  expandLevel(level: {
    src: SourceFile;
    basePath: YamlPath;
    rawNodes: unknown[];
    nodes: (RawNode | undefined)[];
    prefix: string;
    modules: string[];
    depth: number;
    seen: string[];
    /** Inside a module: the module's ports and the parent's wiring. */
    module?: ModuleContext;
  }): FlatNode[] {
    const { src, prefix } = level;
    const siblings = new Map<string, RawNode | undefined>();
    level.rawNodes.forEach((r, i) => {
      const id = (r as { id?: unknown } | null)?.id;
      if (typeof id === "string") siblings.set(id, level.nodes[i]);
    });
    // Output maps of sibling modules (structure only).
    const loaded = new Map<string, { mod: LoadedModule; abs: string }>();
    const outputMaps = new Map<string, Map<string, string> | undefined>();
    level.nodes.forEach((node, i) => {
      const path = [...level.basePath, i];
      if (!node) {
        const id = (level.rawNodes[i] as { id?: unknown } | null)?.id;
        if (typeof id === "string") this.brokenIds.add(prefix + id);
        return;
      }
      if (node.module === undefined) return;
      const found = this.#loadModuleFor(
        src,
        path,
        node,
        level.depth,
        level.seen,
      );
      if (!found) {
        this.brokenIds.add(prefix + node.id);
        outputMaps.set(node.id, undefined);
        return;
      }
      loaded.set(node.id, found);
      outputMaps.set(
        node.id,
        this.#outputMap(found.mod, prefix + node.id, level.depth + 1, [
          ...level.seen,
          found.abs,
        ]),
      );
    });

    const flat: FlatNode[] = [];
    level.nodes.forEach((valid, i) => {
      const node = valid ?? lenientNode(level.rawNodes[i]);
      if (!node) return;
      const partial = valid === undefined;
      const path = [...level.basePath, i];
      const inputOrigins: Record<string, Origin> = {};
      const brokenInputs = new Set<string>();
      const work: RawNode = { ...node };
      const inputs = this.#rewriteInputs({
        src,
        path,
        node: work,
        prefix,
        siblings,
        outputMaps,
        module: level.module,
        inputOrigins,
        brokenInputs,
      });
      const raw: RawNode = { ...work, id: prefix + node.id };
      if (inputs) raw.inputs = inputs;
      if (level.module && !partial) level.module.apply(raw, src, path, this);
      const entry = loaded.get(node.id);
      if (node.module !== undefined) {
        // The module node's own wiring is checked (and counts as reads) once.
        flat.push({
          id: raw.id,
          raw: { id: raw.id, inputs: raw.inputs ?? {} },
          origin: { src, path },
          inputOrigins,
          brokenInputs,
          modules: level.modules,
          partial: true,
        });
        if (!entry) return;
        flat.push(...this.#instantiate(entry, {
          src,
          path,
          raw,
          inputOrigins,
          modules: [...level.modules, raw.id],
          depth: level.depth + 1,
          seen: [...level.seen, entry.abs],
        }));
        return;
      }
      flat.push({
        id: raw.id,
        raw,
        partial,
        origin: { src, path },
        inputOrigins,
        brokenInputs,
        modules: level.modules,
      });
    });
    return flat;
  }

  /** Reads, parses and validates the module file a module node points at. */
  #loadModuleFor(
    src: SourceFile,
    path: YamlPath,
    node: RawNode,
    depth: number,
    seen: string[],
  ): { mod: LoadedModule; abs: string } | undefined {
    const at = (message: string) =>
      this.diagnostics.push(src.at([...path, "module"], message));
    const rel = node.module!;
    if (depth + 1 > MAX_MODULE_DEPTH) {
      at(`module "${node.id}" nests deeper than ${MAX_MODULE_DEPTH} levels`);
      return undefined;
    }
    if (isAbsolute(rel)) {
      at(`module path "${rel}" of node "${node.id}" must be relative`);
      return undefined;
    }
    const abs = normalize(join(dirname(src.abs), rel));
    let real: string;
    try {
      real = Deno.realPathSync(abs);
    } catch {
      at(`module file "${rel}" of node "${node.id}" not found`);
      return undefined;
    }
    if (!isInside(this.#baseDir, real)) {
      at(
        `module path "${rel}" of node "${node.id}" escapes the dataflow's folder`,
      );
      return undefined;
    }
    if (seen.includes(real)) {
      at(
        `module "${node.id}" includes "${rel}" again: modules must not form a cycle (${
          [...seen.slice(seen.indexOf(real)), real].map((f) =>
            relative(this.#baseDir, f)
          ).join(" → ")
        })`,
      );
      return undefined;
    }
    const mod = this.#readModule(real);
    if (!mod) {
      at(`module file "${rel}" of node "${node.id}" cannot be read`);
      return undefined;
    }
    if (!mod.file) {
      if (!this.#reported.has(real)) {
        at(`module "${node.id}": module file "${rel}" has errors`);
      }
      this.#reported.add(real);
      return undefined;
    }
    return { mod, abs: real };
  }

  #readModule(abs: string): LoadedModule | undefined {
    if (this.#cache.has(abs)) return this.#cache.get(abs);
    let mod: LoadedModule | undefined;
    try {
      const info = Deno.statSync(abs);
      if (!info.isFile) throw new Error("not a file");
      const src = info.size > MAX_MODULE_BYTES
        ? new SourceFile(displayName(abs), abs, "")
        : new SourceFile(displayName(abs), abs, Deno.readTextFileSync(abs));
      mod = { src, nodes: [] };
      if (info.size > MAX_MODULE_BYTES) {
        this.diagnostics.push(
          src.at([], `module file is larger than ${MAX_MODULE_BYTES} bytes`),
        );
      } else if (src.syntax.length) {
        this.diagnostics.push(...src.syntax);
      } else {
        const parsed = ModuleFileSchema.safeParse(src.data);
        if (!parsed.success) {
          this.diagnostics.push(
            ...issuesToDiagnostics(src, ModuleFileSchema, parsed.error.issues),
          );
        }
        const data = src.data as { module?: unknown; nodes?: unknown };
        const rawNodes = Array.isArray(data?.nodes) ? data.nodes : [];
        mod.nodes = rawNodes.map((r, i) => {
          const p = NodeSchema.safeParse(r);
          if (!p.success) return undefined;
          const problems = checkNodeShape(src, ["nodes", i], p.data);
          this.diagnostics.push(...problems);
          return problems.some((d) => d.severity === "error")
            ? undefined
            : p.data;
        });
        const header = ModuleFileSchema.shape.module.safeParse(data?.module);
        if (header.success && Array.isArray(data?.nodes)) {
          mod.file = {
            module: header.data,
            build: typeof (data as { build?: unknown }).build === "string"
              ? (data as { build: string }).build
              : undefined,
            nodes: [],
          };
        }
        if (mod.file) this.#checkModuleHeader(mod, rawNodes);
      }
    } catch {
      mod = undefined;
    }
    this.#cache.set(abs, mod);
    return mod;
  }

  /** Declared ports must be unique and used; outputs need exactly one producer. */
  #checkModuleHeader(mod: LoadedModule, rawNodes: unknown[]): void {
    const { src, file } = mod;
    const header = file!.module;
    const seen = new Set<string>();
    for (const field of ["inputs", "inputs_optional", "outputs"] as const) {
      (header[field] ?? []).forEach((port, i) => {
        const key = `${field === "outputs" ? "o" : "i"}:${port}`;
        if (seen.has(key)) {
          this.diagnostics.push(src.at(
            ["module", field, i],
            `module "${header.name}" declares port "${port}" twice`,
          ));
        }
        seen.add(key);
      });
    }
    const ids = new Set<string>();
    rawNodes.forEach((r, i) => {
      const id = (r as { id?: unknown } | null)?.id;
      if (typeof id !== "string") return;
      if (ids.has(id)) {
        this.diagnostics.push(src.at(
          ["nodes", i, "id"],
          `duplicate node id "${id}" in module "${header.name}"`,
        ));
      }
      ids.add(id);
    });
  }

  /** Maps each declared output of a module to the inner output producing it. */
  #outputMap(
    mod: LoadedModule,
    fullId: string,
    depth: number,
    seen: string[],
  ): Map<string, string> | undefined {
    const producers = new Map<string, string[]>();
    const add = (name: string, ref: string) =>
      producers.set(name, [...producers.get(name) ?? [], ref]);
    for (const node of mod.nodes) {
      if (!node) continue;
      if (node.module !== undefined) {
        if (depth + 1 > MAX_MODULE_DEPTH) continue;
        const abs = normalize(join(dirname(mod.src.abs), node.module));
        let real: string;
        try {
          real = Deno.realPathSync(abs);
        } catch {
          continue;
        }
        if (seen.includes(real) || !isInside(this.#baseDir, real)) continue;
        const nested = this.#readModule(real);
        if (!nested?.file) continue;
        const map = this.#outputMap(nested, `${fullId}.${node.id}`, depth + 1, [
          ...seen,
          real,
        ]);
        for (const [name, ref] of map ?? []) add(name, ref);
        continue;
      }
      for (const out of addressableOutputs(node)) {
        const name = out.slice(out.lastIndexOf("/") + 1);
        add(name, `${fullId}.${node.id}/${out}`);
      }
    }
    const header = mod.file!.module;
    const map = new Map<string, string>();
    (header.outputs ?? []).forEach((name, i) => {
      const refs = producers.get(name) ?? [];
      if (refs.length === 1) map.set(name, refs[0]!);
      else map.set(name, "");
      if (refs.length === 1) return;
      if (!this.#reported.has(`${mod.src.abs}#out:${name}`)) {
        this.#reported.add(`${mod.src.abs}#out:${name}`);
        this.diagnostics.push(mod.src.at(
          ["module", "outputs", i],
          refs.length === 0
            ? `module "${header.name}" declares output "${name}" but no inner node produces it`
            : `module "${header.name}" declares output "${name}" but several inner nodes produce it: ${
              refs.map((r) => r.slice(fullId.length + 1)).join(", ")
            }`,
        ));
      }
    });
    return map;
  }

  /** Expands one module node into its inner nodes. */
  #instantiate(
    entry: { mod: LoadedModule; abs: string },
    parent: {
      src: SourceFile;
      path: YamlPath;
      raw: RawNode;
      inputOrigins: Record<string, Origin>;
      modules: string[];
      depth: number;
      seen: string[];
    },
  ): FlatNode[] {
    const { mod } = entry;
    const header = mod.file!.module;
    const moduleNode = parent.raw;
    const at = (field: (string | number)[], message: string) =>
      this.diagnostics.push(parent.src.at([...parent.path, ...field], message));
    const wired = moduleNode.inputs ?? {};
    const required = header.inputs ?? [];
    const optional = header.inputs_optional ?? [];
    for (const port of required) {
      if (!Object.hasOwn(wired, port)) {
        at(
          ["inputs"],
          `module node "${moduleNode.id}" does not wire required input "${port}" of module "${header.name}"`,
        );
      }
    }
    for (const port of Object.keys(wired)) {
      if (!required.includes(port) && !optional.includes(port)) {
        at(
          ["inputs", port],
          `module "${header.name}" has no input "${port}" (node "${moduleNode.id}")${
            didYouMean(port, [...required, ...optional])
          }`,
        );
      }
    }
    const params = moduleNode.params ?? {};
    const upper = new Map<string, string>();
    for (const key of Object.keys(params)) {
      if (!/^[A-Za-z0-9_]+$/.test(key)) {
        at(
          ["params", key],
          `invalid param key "${key}" in node "${moduleNode.id}": use only letters, digits and "_"`,
        );
      }
      const u = key.toUpperCase();
      if (upper.has(u)) {
        at(
          ["params", key],
          `param keys "${
            upper.get(u)
          }" and "${key}" in node "${moduleNode.id}" both become PARAM_${u}`,
        );
      }
      upper.set(u, key);
    }
    const context = new ModuleContext({
      name: header.name,
      moduleId: moduleNode.id,
      ports: [...required, ...optional],
      optional,
      wired,
      wiredOrigins: Object.fromEntries(
        Object.keys(wired).map((port) => [
          port,
          Object.hasOwn(parent.inputOrigins, port)
            ? parent.inputOrigins[port]!
            : { src: parent.src, path: [...parent.path, "inputs", port] },
        ]),
      ),
      params: Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, String(v)]),
      ),
      env: moduleNode.env,
      deploy: moduleNode.deploy ?? moduleNode._unstable_deploy,
      build: [mod.file!.build, moduleNode.build].filter((b) => b !== undefined)
        .join("\n") || undefined,
      moduleDir: dirname(mod.src.abs),
      baseDir: this.#baseDir,
    });
    const data = mod.src.data as { nodes: unknown[] };
    return this.expandLevel({
      src: mod.src,
      basePath: ["nodes"],
      rawNodes: data.nodes,
      nodes: mod.nodes,
      prefix: moduleNode.id + ".",
      modules: parent.modules,
      depth: parent.depth,
      seen: parent.seen,
      module: context,
    });
  }

  /** Rewrites the inputs of one node of a level into the flat namespace. */
  #rewriteInputs(args: {
    src: SourceFile;
    path: YamlPath;
    node: RawNode;
    prefix: string;
    siblings: Map<string, RawNode | undefined>;
    outputMaps: Map<string, Map<string, string> | undefined>;
    module?: ModuleContext;
    inputOrigins: Record<string, Origin>;
    brokenInputs: Set<string>;
  }): Record<string, RawInput> | undefined {
    const { src, path, node, prefix, siblings, outputMaps, module } = args;
    const rewrite = (
      inputs: Record<string, RawInput> | undefined,
      field: (string | number)[],
      origins: boolean,
    ) => {
      if (!inputs) return undefined;
      const out: Record<string, RawInput> = {};
      for (const [id, value] of Object.entries(inputs)) {
        const text = sourceText(value)!;
        const at = (message: string) => {
          this.diagnostics.push(src.at([...path, ...field, id], message));
          if (origins) args.brokenInputs.add(id);
        };
        const slash = text.indexOf("/");
        const head = text.slice(0, slash);
        const rest = text.slice(slash + 1);
        let next: RawInput | undefined = value;
        if (head === "dora") next = value;
        else if (head === "_mod") {
          if (!module) {
            at(
              `input "${id}" of node "${prefix}${node.id}" reads "${text}", but "_mod/" only works inside a module file`,
            );
          } else {
            const r = module.port(rest, value);
            if (r === "undeclared") {
              at(
                `input "${id}" of node "${prefix}${node.id}" reads "${text}", but module "${module.name}" declares no input "${rest}"${
                  didYouMean(rest, module.ports)
                }`,
              );
            } else if (r === "unwired") next = undefined;
            else {
              next = r.value;
              // Checked where the module node wires it, not again here.
              if (origins) args.brokenInputs.add(id);
            }
          }
        } else if (siblings.has(head)) {
          const map = outputMaps.get(head);
          if (outputMaps.has(head)) {
            const target = map?.get(rest);
            if (target) next = withSource(value, target);
            else if (target === "") {
              if (origins) args.brokenInputs.add(id); // reported in the module
            } else if (map !== undefined) {
              at(
                `input "${id}" of node "${prefix}${node.id}" reads "${text}", but module "${head}" has no output "${rest}"${
                  didYouMean(rest, [...map.keys()])
                }`,
              );
            } else if (origins) args.brokenInputs.add(id);
          } else next = withSource(value, prefix + text);
        } else if (module) {
          at(
            `input "${id}" of node "${prefix}${node.id}" reads "${text}", but module "${module.name}" has no node "${head}"${
              didYouMean(head, [...siblings.keys()])
            } (use _mod/<port> for the module's inputs)`,
          );
        }
        if (next !== undefined) out[id] = next;
      }
      return out;
    };
    if (node.operators) {
      node.operators = node.operators.map((op, i) => ({
        ...op,
        inputs: rewrite(op.inputs, ["operators", i, "inputs"], false),
      }));
    }
    if (node.operator) {
      node.operator = {
        ...node.operator,
        inputs: rewrite(node.operator.inputs, ["operator", "inputs"], false),
      };
    }
    return rewrite(node.inputs, ["inputs"], true);
  }
}

/**
 * The id, inputs and outputs of a node that failed validation, so that its
 * wiring is still checked (and its reads count) without cascading errors.
 */
function lenientNode(raw: unknown): RawNode | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== "string" || r.module !== undefined) return undefined;
  const inputs: Record<string, RawInput> = {};
  if (r.inputs && typeof r.inputs === "object" && !Array.isArray(r.inputs)) {
    for (const [k, v] of Object.entries(r.inputs)) {
      const text = sourceText(v);
      if (text === undefined || !parseInputSource(text).ok) continue;
      inputs[k] = text;
    }
  }
  const outputs = Array.isArray(r.outputs)
    ? r.outputs.filter((o): o is string => typeof o === "string")
    : [];
  return { id: r.id, inputs, outputs };
}

function withSource(value: RawInput, source: string): RawInput {
  return typeof value === "string" ? source : { ...value, source };
}

/** Whether `path` is `dir` or inside it. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The ports, wiring and params of one module instance. */
export class ModuleContext {
  readonly name: string;
  readonly ports: string[];
  readonly #o: ConstructorParameters<typeof ModuleContext>[0];

  constructor(o: {
    name: string;
    moduleId: string;
    ports: string[];
    optional: string[];
    wired: Record<string, RawInput>;
    wiredOrigins: Record<string, Origin>;
    params: Record<string, string>;
    env?: RawNode["env"];
    deploy?: RawNode["deploy"];
    build?: string;
    moduleDir: string;
    baseDir: string;
  }) {
    this.name = o.name;
    this.ports = o.ports;
    this.#o = o;
  }

  /** What `_mod/<port>` becomes for an inner input written as `value`. */
  port(
    port: string,
    value: RawInput,
  ): "undeclared" | "unwired" | { value: RawInput; origin: Origin } {
    if (!this.ports.includes(port)) return "undeclared";
    if (!Object.hasOwn(this.#o.wired, port)) return "unwired";
    const wired = this.#o.wired[port]!;
    const source = sourceText(wired)!;
    let merged: RawInput;
    if (typeof value === "string") merged = wired;
    else if (typeof wired === "string") merged = { ...value, source };
    else merged = { ...wired, ...value, source };
    return { value: merged, origin: this.#o.wiredOrigins[port]! };
  }

  /** Applies params, env, deploy, build and path rebasing to an inner node. */
  apply(
    raw: RawNode,
    src: SourceFile,
    path: YamlPath,
    expander: Expander,
  ): void {
    const o = this.#o;
    const params = o.params;
    const sub = (s: string) => substituteParams(s, params);
    if (raw.args !== undefined) raw.args = sub(raw.args);
    const env: NonNullable<RawNode["env"]> = { ...o.env ?? {} };
    for (const [k, v] of Object.entries(params)) {
      env[`PARAM_${k.toUpperCase()}`] = v;
    }
    for (const [k, v] of Object.entries(raw.env ?? {})) {
      env[k] = typeof v === "string" ? sub(v) : v;
    }
    if (Object.keys(env).length) raw.env = env;
    if (
      raw.deploy === undefined && raw._unstable_deploy === undefined && o.deploy
    ) {
      raw.deploy = o.deploy;
    }
    const kind = nodeKind(raw);
    if (o.build && (kind === "path" || kind === "module")) {
      raw.build = raw.build ? `${o.build}\n${raw.build}` : o.build;
    }
    const rebase = (p: string, field: (string | number)[]) => {
      if (isSpecialPath(p) || isAbsolute(p)) return p;
      const abs = normalize(join(o.moduleDir, p));
      if (!isInside(o.baseDir, abs)) {
        expander.diagnostics.push(src.at(
          [...path, ...field],
          `path "${p}" of node "${raw.id}" resolves outside the dataflow's folder`,
        ));
        expander.badPaths.add(raw.id);
        return p;
      }
      return relative(o.baseDir, abs) || ".";
    };
    if (raw.path !== undefined) raw.path = rebase(raw.path, ["path"]);
    const rebaseOp = (
      op: NonNullable<RawNode["operator"]>,
      field: (string | number)[],
    ) => {
      const copy = { ...op };
      if (typeof copy.python === "string") {
        copy.python = rebase(copy.python, [...field, "python"]);
      } else if (copy.python) {
        copy.python = {
          ...copy.python,
          source: rebase(copy.python.source, [...field, "python", "source"]),
        };
      }
      if (copy["shared-library"]) {
        copy["shared-library"] = rebase(copy["shared-library"], [
          ...field,
          "shared-library",
        ]);
      }
      if (copy.wasm) copy.wasm = rebase(copy.wasm, [...field, "wasm"]);
      if (o.build) {
        copy.build = copy.build ? `${o.build}\n${copy.build}` : o.build;
      }
      return copy;
    };
    if (raw.operator) raw.operator = rebaseOp(raw.operator, ["operator"]);
    if (raw.operators) {
      raw.operators = raw.operators.map((op, i) => ({
        ...rebaseOp(op, ["operators", i]),
        id: op.id,
      }));
    }
  }
}

/** `dynamic`, `shell` and URLs are not files. */
export function isSpecialPath(p: string): boolean {
  return p === "dynamic" || p === "shell" || /^[a-z][a-z0-9+.-]*:\/\//i.test(p);
}

/** Substitutes `${_param.key}` and `$PARAM_KEY` in `s`. */
export function substituteParams(
  s: string,
  params: Record<string, string>,
): string {
  const upper = new Map(
    Object.entries(params).map(([k, v]) => [k.toUpperCase(), v]),
  );
  return s
    .replace(
      /\$\{_param\.([A-Za-z0-9_]+)\}/g,
      (m, key: string) => Object.hasOwn(params, key) ? params[key]! : m,
    )
    .replace(
      /\$PARAM_([A-Za-z0-9_]+)/g,
      (m, key: string) => upper.get(key) ?? m,
    );
}
