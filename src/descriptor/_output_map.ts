/**
 * A module's declared outputs mapped to the inner outputs producing them
 * (through nested modules), so that siblings can read `<module>/<output>`.
 *
 * @module
 */
import type { Diagnostic } from "./diagnostic.ts";
import { addressableOutputs } from "./flat.ts";
import { type LoadedModule, MAX_MODULE_DEPTH } from "./_module_file.ts";
import { isInside, realModulePath } from "./module_paths.ts";

/** What the output map needs from the expansion it belongs to. */
export interface OutputMapContext {
  readonly baseDir: string;
  readonly diagnostics: Diagnostic[];
  /** Problems already reported (a module instantiated twice reports once). */
  readonly reported: Set<string>;
  readModule(abs: string): LoadedModule | undefined;
}

/**
 * Maps each declared output of `mod` to the inner output producing it, or to
 * "" when none or several do (reported once per module file).
 */
export function outputMap(
  ctx: OutputMapContext,
  mod: LoadedModule,
  fullId: string,
  depth: number,
  seen: string[],
): Map<string, string> {
  const producers = new Map<string, string[]>();
  const add = (name: string, ref: string) =>
    producers.set(name, [...producers.get(name) ?? [], ref]);
  for (const node of mod.nodes) {
    if (!node) continue;
    if (node.module !== undefined) {
      // Broken nested modules are reported where they are instantiated.
      if (depth + 1 > MAX_MODULE_DEPTH) continue;
      const real = realModulePath(mod.src.abs, node.module);
      if (real === undefined) continue;
      if (seen.includes(real) || !isInside(ctx.baseDir, real)) continue;
      const nested = ctx.readModule(real);
      if (!nested?.file) continue;
      const map = outputMap(ctx, nested, `${fullId}.${node.id}`, depth + 1, [
        ...seen,
        real,
      ]);
      for (const [name, ref] of map) add(name, ref);
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
    map.set(name, refs.length === 1 ? refs[0]! : "");
    if (refs.length === 1) return;
    const key = `${mod.src.abs}#out:${name}`;
    if (ctx.reported.has(key)) return;
    ctx.reported.add(key);
    ctx.diagnostics.push(mod.src.at(
      ["module", "outputs", i],
      producersProblem(
        header.name,
        name,
        refs.map((r) => r.slice(fullId.length + 1)),
      ),
    ));
  });
  return map;
}

/** Why declared output `output` of module `module` has not one producer. */
export function producersProblem(
  module: string,
  output: string,
  producers: string[],
): string {
  return producers.length === 0
    ? `module "${module}" declares output "${output}" but no inner node produces it`
    : `module "${module}" declares output "${output}" but several inner nodes produce it: ${
      producers.join(", ")
    }`;
}
