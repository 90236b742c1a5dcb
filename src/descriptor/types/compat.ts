/**
 * Which type may flow into which: the same type (parameters agreeing), a
 * widening (`UInt8` → `UInt16` → `UInt32` → `UInt64`, the same for signed
 * integers, `Float32` → `Float64`), anything into `Bytes`, and the user's
 * `type_rules`; chains of at most three steps. For structs, the fields that
 * do not fit are named.
 *
 * @module
 */
import type { DataTypeSpec } from "../../message/layout_types.ts";
import { describeDataType } from "./arrow_names.ts";
import type { TypeLibrary } from "./library.ts";
import { parseUrn, shortName, type Urn } from "./urn.ts";

/** The universal sink: every type may be read as bytes. */
export const BYTES = "std/core/v1/Bytes";
/** What timer inputs deliver. */
export const TIMER_TYPE = "std/core/v1/UInt64";
/** What `dora/logs` inputs deliver (one JSON record per string). */
export const LOGS_TYPE = "std/core/v1/String";
/** Longest chain of widenings and rules. */
export const MAX_STEPS = 3;

/** The built-in widenings (each loses no value). */
export const WIDENINGS: readonly [string, string][] = [
  ["UInt8", "UInt16"],
  ["UInt16", "UInt32"],
  ["UInt32", "UInt64"],
  ["Int8", "Int16"],
  ["Int16", "Int32"],
  ["Int32", "Int64"],
  ["Float32", "Float64"],
].map(([a, b]) => [`std/core/v1/${a}`, `std/core/v1/${b}`]);

/** A user rule: `from` may flow into `to`. */
export interface TypeRule {
  from: string;
  to: string;
}

/** Why a type cannot flow into another. */
export type Incompatibility =
  | { kind: "param"; name: string; sent: string; expected: string }
  | { kind: "type"; fields: string[] };

/** The compatibility relation of one dataflow (library + its `type_rules`). */
export class Compatibility {
  readonly #library: TypeLibrary;
  readonly #edges = new Map<string, string[]>();

  constructor(library: TypeLibrary, rules: readonly TypeRule[] = []) {
    this.#library = library;
    for (const [from, to] of WIDENINGS) this.#add(from, to);
    for (const r of rules) this.#add(r.from.trim(), r.to.trim());
  }

  #add(from: string, to: string): void {
    const base = (u: string) => u.split("[")[0]!.trim();
    const list = this.#edges.get(base(from)) ?? [];
    list.push(base(to));
    this.#edges.set(base(from), list);
  }

  /**
   * Whether data of type `sent` may be read as `expected` (both resolvable
   * URNs); undefined when it may, else why not.
   */
  check(sent: string, expected: string): Incompatibility | undefined {
    const s = parseUrn(sent);
    const e = parseUrn(expected);
    if (typeof s === "string" || typeof e === "string") {
      return sent.trim() === expected.trim()
        ? undefined
        : { kind: "type", fields: [] };
    }
    if (e.base === BYTES) return undefined;
    if (s.base === e.base) return paramsDisagree(s, e);
    if (this.#reaches(s.base, e.base)) return undefined;
    return { kind: "type", fields: this.fieldProblems(s.base, e.base) };
  }

  /** Whether a chain of at most {@link MAX_STEPS} widenings or rules leads from `from` to `to`. */
  #reaches(from: string, to: string): boolean {
    let frontier = [from];
    const seen = new Set(frontier);
    for (let step = 0; step < MAX_STEPS; step++) {
      const next: string[] = [];
      for (const u of frontier) {
        for (const v of this.#edges.get(u) ?? []) {
          if (v === to) return true;
          if (!seen.has(v)) {
            seen.add(v);
            next.push(v);
          }
        }
      }
      frontier = next;
    }
    return false;
  }

  /**
   * For two struct types, the fields of `expected` that `sent` lacks or has
   * with another type (`pose.position.x`); empty when either is not a struct.
   */
  fieldProblems(sent: string, expected: string): string[] {
    const a = this.#library.dataType(sent);
    const b = this.#library.dataType(expected);
    if (!a || !b || typeof a === "string" || typeof b === "string") return [];
    if (!("struct" in a) || !("struct" in b)) return [];
    return structProblems(a, b, "", (dt) => this.#name(dt));
  }

  /** A short name for a wire data type: the library type it is, or its Arrow form. */
  #name(dt: DataTypeSpec): string {
    const key = JSON.stringify(dt);
    if (typeof dt !== "string") {
      for (const urn of this.#library.urns()) {
        const t = this.#library.dataType(urn);
        if (t !== undefined && JSON.stringify(t) === key) return shortName(urn);
      }
    }
    return describeDataType(dt);
  }

  /**
   * Every URN whose data may be read as `expected`, as wire data types
   * (for the receive-side runtime check); undefined means anything.
   */
  acceptedDataTypes(expected: string): DataTypeSpec[] | undefined {
    const e = parseUrn(expected);
    if (typeof e === "string") return [];
    if (e.base === BYTES) return undefined;
    const out = new Map<string, DataTypeSpec>();
    for (const urn of this.#library.urns()) {
      if (urn !== e.base && !this.#reaches(urn, e.base)) continue;
      const dt = this.#library.dataType(urn);
      if (dt !== undefined) out.set(JSON.stringify(dt), dt);
    }
    return [...out.values()];
  }
}

function paramsDisagree(s: Urn, e: Urn): Incompatibility | undefined {
  for (const [name, value] of e.params) {
    const sent = s.params.get(name);
    if (sent !== undefined && sent !== value) {
      return { kind: "param", name, sent, expected: value };
    }
  }
  return undefined;
}

/** Field problems of reading struct `sent` as struct `expected`. */
export function structProblems(
  sent: DataTypeSpec,
  expected: DataTypeSpec,
  prefix: string,
  name: (dt: DataTypeSpec) => string = describeDataType,
): string[] {
  if (typeof sent === "string" || typeof expected === "string") return [];
  if (!("struct" in sent) || !("struct" in expected)) return [];
  const problems: string[] = [];
  for (const f of expected.struct) {
    const field = prefix + f.name;
    const g = sent.struct.find((x) => x.name === f.name);
    if (!g) {
      problems.push(`missing field "${field}" (${name(f.dt)})`);
      continue;
    }
    if (JSON.stringify(g.dt) === JSON.stringify(f.dt)) continue;
    const nested = structProblems(g.dt, f.dt, `${field}.`, name);
    if (nested.length) problems.push(...nested);
    else {
      problems.push(
        `field "${field}" is ${name(g.dt)}, expected ${name(f.dt)}`,
      );
    }
  }
  return problems;
}
