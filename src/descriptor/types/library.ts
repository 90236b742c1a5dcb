/**
 * The type library a dataflow sees: the standard packages plus the user's
 * `types/` folder. Resolves URNs and field references, and gives each type's
 * wire data type. Building it reports unknown field types, ambiguous short
 * names and cyclic structs.
 *
 * @module
 */
import type { DataTypeSpec, FieldSpec } from "../../message/layout_types.ts";
import type { Diagnostic } from "../diagnostic.ts";
import { didYouMean, editDistance } from "../suggest.ts";
import {
  ARROW_PRIMITIVES,
  parseTypeExpr,
  type TypeExpr,
} from "./arrow_names.ts";
import type { TypeDef, TypePackage } from "./type_file.ts";
import { parseUrn, shortName } from "./urn.ts";

/** The resolved library. */
export class TypeLibrary {
  readonly #types = new Map<string, TypeDef>();
  /** Types left out because of errors (annotations naming them are not reported again). */
  readonly #broken = new Set<string>();
  readonly #packages: TypePackage[];
  readonly #dataTypes = new Map<string, DataTypeSpec | null>();
  /** Field references resolved while building (ref text per type → URN or primitive). */
  readonly #refs = new Map<string, Map<string, TypeExpr>>();

  private constructor(packages: TypePackage[]) {
    this.#packages = packages;
    for (const p of packages) {
      for (const t of p.types) this.#types.set(t.urn, t);
    }
  }

  /**
   * Builds the library from packages; reports unresolvable field types,
   * ambiguous short names and cycles into `diagnostics` (the types concerned
   * are dropped).
   */
  static build(
    packages: TypePackage[],
    diagnostics: Diagnostic[],
  ): TypeLibrary {
    const lib = new TypeLibrary(packages);
    lib.#resolveFields(diagnostics);
    for (const [urn, def] of lib.#types) {
      if (def.broken) lib.#drop(urn);
    }
    lib.#dropCycles(diagnostics);
    return lib;
  }

  #drop(urn: string): void {
    this.#types.delete(urn);
    this.#broken.add(urn);
  }

  /** Whether `urn` names a type that exists but has errors (already reported). */
  isBroken(urn: string): boolean {
    return this.#broken.has(urn.split("[")[0]!.trim());
  }

  /** Every package, in load order (standard first). */
  get packages(): readonly TypePackage[] {
    return this.#packages;
  }

  /** Every URN, sorted. */
  urns(): string[] {
    return [...this.#types.keys()].sort();
  }

  /** The type of a URN (parameters ignored), if it exists. */
  get(urn: string): TypeDef | undefined {
    return this.#types.get(urn.split("[")[0]!.trim());
  }

  /** The closest existing URN to a misspelt one, preferring its own package. */
  suggest(urn: string): string | undefined {
    const base = urn.split("[")[0]!.trim();
    const name = shortName(base).toLowerCase();
    const pkg = base.includes("/") ? base.slice(0, base.lastIndexOf("/")) : "";
    let best: string | undefined;
    let bestScore = Infinity;
    for (const candidate of this.#types.keys()) {
      const d = editDistance(name, shortName(candidate).toLowerCase());
      const whole = editDistance(base.toLowerCase(), candidate.toLowerCase());
      const samePkg = candidate.startsWith(pkg + "/");
      const score = Math.min(d + (samePkg ? 0 : 2), whole);
      if (score < bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return bestScore <= Math.max(2, Math.floor(name.length / 3))
      ? best
      : undefined;
  }

  /** The wire data type of a URN, or undefined when it does not resolve. */
  dataType(urn: string): DataTypeSpec | undefined {
    const def = this.get(urn);
    if (!def) return undefined;
    return this.#dataTypeOf(def, 0) ?? undefined;
  }

  /** What a field or list item of `def` refers to (after building). */
  fieldExpr(def: TypeDef, type: string): TypeExpr | undefined {
    return this.#refs.get(def.urn)?.get(type);
  }

  /**
   * The type a reference inside package `pkg` means: a URN, or a short name
   * looked up in the same package, then the same namespace (`std/`,
   * `acme/`), then everywhere; more than one match is ambiguous.
   */
  resolveRef(
    name: string,
    pkg: string,
  ): { def: TypeDef } | { ambiguous: string[] } | undefined {
    if (name.includes("/")) {
      const def = this.get(name);
      return def ? { def } : undefined;
    }
    const local = this.#types.get(`${pkg}/${name}`);
    if (local) return { def: local };
    const all = [...this.#types.values()].filter((t) => t.name === name);
    const root = pkg.split("/")[0] + "/";
    for (const scope of [all.filter((t) => t.urn.startsWith(root)), all]) {
      if (scope.length === 1) return { def: scope[0]! };
      if (scope.length > 1) {
        return { ambiguous: scope.map((t) => t.urn).sort() };
      }
    }
    return undefined;
  }

  #resolveFields(diagnostics: Diagnostic[]): void {
    const names = [...new Set([...this.#types.values()].map((t) => t.name))];
    const known = [...Object.keys(ARROW_PRIMITIVES), ...names];
    for (const def of [...this.#types.values()]) {
      const refs = new Map<string, TypeExpr>();
      let ok = true;
      const resolve = (
        expr: TypeExpr,
        at: () => Diagnostic,
      ): TypeExpr | undefined => {
        if (expr.kind === "list") {
          const item = resolve(expr.item, at);
          return item ? { kind: "list", item } : undefined;
        }
        if (expr.kind !== "ref") return expr;
        const found = this.resolveRef(expr.name, def.pkg);
        const fail = (message: string) => {
          const d = at();
          diagnostics.push({ ...d, message: `${d.message}: ${message}` });
          ok = false;
          return undefined;
        };
        if (!found) {
          const parsed = expr.name.includes("/")
            ? parseUrn(expr.name)
            : undefined;
          return fail(
            `unknown type "${expr.name}"${
              typeof parsed === "string"
                ? ` (${parsed})`
                : expr.name.includes("/")
                ? didYouMean(expr.name, this.#types.keys())
                : didYouMean(expr.name, known)
            }`,
          );
        }
        if ("ambiguous" in found) {
          return fail(
            `"${expr.name}" is ambiguous (${
              found.ambiguous.join(", ")
            }): write the full URN`,
          );
        }
        return { kind: "ref", name: found.def.urn };
      };
      const check = (text: string, at: () => Diagnostic) => {
        const expr = parseTypeExpr(text);
        if (typeof expr === "string") return; // reported by the file parser
        const r = resolve(expr, at);
        if (r) refs.set(text, r);
      };
      if (def.arrow.startsWith("List")) {
        check(
          def.arrow,
          () =>
            def.src.at([...def.path, "arrow"], `"arrow" of type "${def.name}"`),
        );
      }
      for (const f of def.fields) {
        check(f.type, () =>
          def.src.at(
            [...f.path, "type"],
            `field "${f.name}" of type "${def.name}"`,
          ));
      }
      this.#refs.set(def.urn, refs);
      if (!ok) def.broken = true;
    }
  }

  /** Structs that contain themselves (directly, or through lists and other structs) cannot exist in Arrow. */
  #dropCycles(diagnostics: Diagnostic[]): void {
    const state = new Map<string, "visiting" | "done">();
    const inCycle = new Set<string>();
    const visit = (urn: string, trail: string[]): void => {
      if (state.get(urn) === "done") return;
      if (state.get(urn) === "visiting") {
        const cycle = [...trail.slice(trail.indexOf(urn)), urn];
        const def = this.#types.get(urn)!;
        const next = cycle[1]!;
        const field = def.fields.find((f) => this.#refersTo(def, f.type, next));
        if (!cycle.slice(0, -1).some((u) => inCycle.has(u))) {
          diagnostics.push(def.src.at(
            field ? [...field.path, "type"] : def.path,
            `type "${def.name}" contains itself (${
              cycle.map(shortName).join(" → ")
            }): an Arrow struct cannot be recursive`,
          ));
        }
        for (const u of cycle) inCycle.add(u);
        return;
      }
      const def = this.#types.get(urn);
      if (!def) return;
      state.set(urn, "visiting");
      for (const target of this.#children(def)) visit(target, [...trail, urn]);
      state.set(urn, "done");
    };
    for (const urn of [...this.#types.keys()].sort()) visit(urn, []);
    for (const urn of inCycle) this.#drop(urn);
  }

  #children(def: TypeDef): string[] {
    const out: string[] = [];
    const walk = (e: TypeExpr | undefined) => {
      if (!e) return;
      if (e.kind === "list") walk(e.item);
      else if (e.kind === "ref") out.push(e.name);
    };
    const refs = this.#refs.get(def.urn);
    if (def.arrow.startsWith("List")) walk(refs?.get(def.arrow));
    for (const f of def.fields) walk(refs?.get(f.type));
    return out;
  }

  #refersTo(def: TypeDef, type: string, urn: string): boolean {
    let e = this.#refs.get(def.urn)?.get(type);
    while (e?.kind === "list") e = e.item;
    return e?.kind === "ref" && e.name === urn;
  }

  #dataTypeOf(def: TypeDef, depth: number): DataTypeSpec | null {
    const cached = this.#dataTypes.get(def.urn);
    if (cached !== undefined) return cached;
    if (depth > 32) return null;
    const refs = this.#refs.get(def.urn) ?? new Map<string, TypeExpr>();
    const exprType = (e: TypeExpr | undefined): DataTypeSpec | null => {
      if (!e) return null;
      switch (e.kind) {
        case "primitive":
          return e.dt;
        case "list": {
          const item = exprType(e.item);
          return item === null
            ? null
            : { large_list: { name: "item", dt: item, nullable: true } };
        }
        case "ref": {
          const target = this.#types.get(e.name);
          return target ? this.#dataTypeOf(target, depth + 1) : null;
        }
        case "struct":
          return null;
      }
    };
    let dt: DataTypeSpec | null;
    if (def.arrow === "Struct") {
      const fields: FieldSpec[] = [];
      dt = { struct: fields };
      for (const f of def.fields) {
        const fdt = exprType(refs.get(f.type));
        if (fdt === null) {
          dt = null;
          break;
        }
        fields.push({ name: f.name, dt: fdt, nullable: f.nullable });
      }
    } else if (def.arrow.startsWith("List")) {
      dt = exprType(refs.get(def.arrow));
    } else {
      dt = ARROW_PRIMITIVES[def.arrow] ?? null;
    }
    this.#dataTypes.set(def.urn, dt);
    return dt;
  }
}
