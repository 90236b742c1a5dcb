/**
 * Module expansion: a node with `module: file.yml` becomes the module's nodes
 * (`<module-id>.<inner-id>`), wired through `_mod/<port>` and the module's
 * declared outputs, with params substituted.
 *
 * The pieces live beside it: reading a module file (`_module_file.ts`),
 * output maps (`_output_map.ts`), input rewriting (`_rewrite_inputs.ts`),
 * module-node checks (`_module_instance.ts`), what an instance imposes on its
 * inner nodes (`module_context.ts`), params (`params.ts`) and path rules
 * (`module_paths.ts`).
 *
 * @module
 */
import { isAbsolute, relative } from "node:path";
import type { Diagnostic } from "./diagnostic.ts";
import type { FlatNode, Origin } from "./flat.ts";
import { lenientNode } from "./_lenient_node.ts";
import {
  type LoadedModule,
  MAX_MODULE_DEPTH,
  readModuleFile,
} from "./_module_file.ts";
import { checkModuleNode, moduleContext } from "./_module_instance.ts";
import { outputMap, type OutputMapContext } from "./_output_map.ts";
import { rewriteInputs } from "./_rewrite_inputs.ts";
import type { ExpansionReport, ModuleContext } from "./module_context.ts";
import { isInside, realModulePath } from "./module_paths.ts";
import type { RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";

export { MAX_MODULE_BYTES, MAX_MODULE_DEPTH } from "./_module_file.ts";
export { ModuleContext } from "./module_context.ts";
export { isInside, isSpecialPath } from "./module_paths.ts";
export { substituteParams } from "./params.ts";

/** A module file found for a module node, by its real path. */
interface FoundModule {
  mod: LoadedModule;
  abs: string;
}

/** State shared by one expansion. */
export class Expander implements ExpansionReport {
  readonly diagnostics: Diagnostic[] = [];
  /** Ids of nodes that failed validation (so wiring to them is not re-reported). */
  readonly brokenIds = new Set<string>();
  /** Nodes whose path was already reported (not checked on disk). */
  readonly badPaths = new Set<string>();
  readonly #baseDir: string;
  readonly #cache = new Map<string, LoadedModule | undefined>();
  readonly #reported = new Set<string>();
  readonly #outputs: OutputMapContext;

  constructor(baseDir: string) {
    this.#baseDir = baseDir;
    this.#outputs = {
      baseDir,
      diagnostics: this.diagnostics,
      reported: this.#reported,
      readModule: (abs) => this.#readModule(abs),
    };
  }

  /**
   * Expands the nodes of one file level. `nodes[i]` is undefined when it failed
   * validation; `rawNodes` are the unvalidated values (for their ids).
   */
  expandLevel(level: {
    src: SourceFile;
    basePath: YamlPath;
    /** Where node `i` is written (default: `[...basePath, i]`). */
    pathOf?: (i: number) => YamlPath;
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
    const pathOf = level.pathOf ?? ((i: number) => [...level.basePath, i]);
    const siblings = new Map<string, RawNode | undefined>();
    level.rawNodes.forEach((r, i) => {
      const id = (r as { id?: unknown } | null)?.id;
      if (typeof id === "string") siblings.set(id, level.nodes[i]);
    });
    // Output maps of sibling modules (structure only).
    const loaded = new Map<string, FoundModule>();
    const outputMaps = new Map<string, Map<string, string> | undefined>();
    level.nodes.forEach((node, i) => {
      const path = pathOf(i);
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
        outputMap(this.#outputs, found.mod, prefix + node.id, level.depth + 1, [
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
      const path = pathOf(i);
      const inputOrigins: Record<string, Origin> = {};
      const brokenInputs = new Set<string>();
      const work: RawNode = { ...node };
      const inputs = rewriteInputs(this.diagnostics, {
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

  /** Finds, reads and validates the module file a module node points at. */
  #loadModuleFor(
    src: SourceFile,
    path: YamlPath,
    node: RawNode,
    depth: number,
    seen: string[],
  ): FoundModule | undefined {
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
    const real = realModulePath(src.abs, rel);
    if (real === undefined) {
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
      // The file's own errors are reported once, not per instance.
      if (!this.#reported.has(real)) {
        at(`module "${node.id}": module file "${rel}" has errors`);
      }
      this.#reported.add(real);
      return undefined;
    }
    return { mod, abs: real };
  }

  /** Reads each module file once per expansion. */
  #readModule(abs: string): LoadedModule | undefined {
    if (this.#cache.has(abs)) return this.#cache.get(abs);
    const mod = readModuleFile(abs, this.diagnostics);
    this.#cache.set(abs, mod);
    return mod;
  }

  /** Expands one module node into its inner nodes. */
  #instantiate(
    entry: FoundModule,
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
    checkModuleNode(mod, parent.raw, (field, message) =>
      this.diagnostics.push(
        parent.src.at([...parent.path, ...field], message),
      ));
    const data = mod.src.data as { nodes: unknown[] };
    return this.expandLevel({
      src: mod.src,
      basePath: ["nodes"],
      rawNodes: data.nodes,
      nodes: mod.nodes,
      prefix: parent.raw.id + ".",
      modules: parent.modules,
      depth: parent.depth,
      seen: parent.seen,
      module: moduleContext(mod, parent, this.#baseDir),
    });
  }
}
