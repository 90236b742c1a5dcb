/**
 * Reading one module file: parsed, its header validated and each inner node
 * validated on its own (so one bad node does not hide the others).
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import { issuesToDiagnostics } from "./issues.ts";
import { validNodes } from "./_valid_nodes.ts";
import {
  ModuleFileSchema,
  type RawModuleFile,
  type RawNode,
} from "./schema.ts";
import { displayName, SourceFile } from "./source.ts";

/** How deep modules may nest. */
export const MAX_MODULE_DEPTH = 8;
/** Largest module file read. */
export const MAX_MODULE_BYTES = 1024 * 1024;

/** A module file as read from disk. */
export interface LoadedModule {
  src: SourceFile;
  /** Undefined when the file has errors in its header or structure. */
  file?: RawModuleFile;
  /** Valid inner nodes by index (invalid ones are undefined). */
  nodes: (RawNode | undefined)[];
}

/**
 * Reads module file `abs`, pushing its problems to `diagnostics`; undefined
 * when it cannot be read at all.
 */
export function readModuleFile(
  abs: string,
  diagnostics: Diagnostic[],
): LoadedModule | undefined {
  try {
    const info = Deno.statSync(abs);
    if (!info.isFile) throw new Error("not a file");
    const tooBig = info.size > MAX_MODULE_BYTES;
    const src = new SourceFile(
      displayName(abs),
      abs,
      tooBig ? "" : Deno.readTextFileSync(abs),
    );
    const mod: LoadedModule = { src, nodes: [] };
    if (tooBig) {
      diagnostics.push(
        src.at([], `module file is larger than ${MAX_MODULE_BYTES} bytes`),
      );
      return mod;
    }
    if (src.syntax.length) {
      diagnostics.push(...src.syntax);
      return mod;
    }
    const parsed = ModuleFileSchema.safeParse(src.data);
    if (!parsed.success) {
      diagnostics.push(
        ...issuesToDiagnostics(src, ModuleFileSchema, parsed.error.issues),
      );
    }
    const data = src.data as { module?: unknown; nodes?: unknown };
    const rawNodes = Array.isArray(data?.nodes) ? data.nodes : [];
    mod.nodes = validNodes(src, rawNodes, diagnostics);
    const header = ModuleFileSchema.shape.module.safeParse(data?.module);
    if (header.success && Array.isArray(data?.nodes)) {
      const build = (data as { build?: unknown }).build;
      mod.file = {
        module: header.data,
        build: typeof build === "string" ? build : undefined,
        nodes: [],
      };
      diagnostics.push(...checkModuleHeader(mod, rawNodes));
    }
    return mod;
  } catch {
    return undefined;
  }
}

/** Declared ports must be unique; inner node ids too. */
function checkModuleHeader(
  mod: LoadedModule,
  rawNodes: unknown[],
): Diagnostic[] {
  const { src, file } = mod;
  const header = file!.module;
  const problems: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const field of ["inputs", "inputs_optional", "outputs"] as const) {
    (header[field] ?? []).forEach((port, i) => {
      const key = `${field === "outputs" ? "o" : "i"}:${port}`;
      if (seen.has(key)) {
        problems.push(src.at(
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
      problems.push(src.at(
        ["nodes", i, "id"],
        `duplicate node id "${id}" in module "${header.name}"`,
      ));
    }
    ids.add(id);
  });
  return problems;
}
