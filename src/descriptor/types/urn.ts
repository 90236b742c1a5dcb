/**
 * Type URNs: `<namespace>/.../v<N>/<Name>` with optional parameters,
 * `std/media/v1/AudioFrame[sample_type=f32,channels=2]`.
 *
 * @module
 */

/** A parsed URN: the base and its parameters. */
export interface Urn {
  /** Without parameters, e.g. `std/media/v1/AudioFrame`. */
  base: string;
  /** The package, e.g. `std/media/v1`. */
  pkg: string;
  /** The type name, e.g. `AudioFrame`. */
  name: string;
  /** Parameters in the order written. */
  params: Map<string, string>;
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses a type URN; returns a message saying what is wrong when it is not one.
 *
 * @example
 * ```ts
 * const urn = parseUrn("std/media/v1/AudioFrame[sample_type=f32]");
 * // { base: "std/media/v1/AudioFrame", pkg: "std/media/v1", name: "AudioFrame", params: Map { "sample_type" => "f32" } }
 * ```
 */
export function parseUrn(text: string): Urn | string {
  const t = text.trim();
  if (t === "") return "the type is empty";
  let base = t;
  const params = new Map<string, string>();
  const open = t.indexOf("[");
  if (open >= 0) {
    if (!t.endsWith("]")) return `"[" without a closing "]"`;
    base = t.slice(0, open);
    const body = t.slice(open + 1, -1);
    if (body.trim() === "") {
      return `empty parameter list "[]" (leave the brackets out)`;
    }
    for (const part of body.split(",")) {
      const eq = part.indexOf("=");
      const key = (eq < 0 ? part : part.slice(0, eq)).trim();
      const value = eq < 0 ? "" : part.slice(eq + 1).trim();
      if (eq < 0 || key === "" || value === "") {
        return `parameter "${part.trim()}" must be written name=value`;
      }
      if (!NAME.test(key)) return `parameter name "${key}" is not valid`;
      if (params.has(key)) return `parameter "${key}" is given twice`;
      params.set(key, value);
    }
  }
  const segments = base.split("/");
  if (segments.length < 3 || segments.some((s) => s === "")) {
    return `expected <namespace>/v<N>/<Type>, e.g. std/core/v1/Float64`;
  }
  const name = segments.at(-1)!;
  const version = segments.at(-2)!;
  if (!/^v\d+$/.test(version)) {
    return `the part before the type name must be a version such as v1 (got "${version}")`;
  }
  if (!NAME.test(name)) return `"${name}" is not a valid type name`;
  const bad = segments.slice(0, -1).find((s) => !SEGMENT.test(s));
  if (bad !== undefined) return `"${bad}" is not a valid namespace`;
  return { base, pkg: segments.slice(0, -1).join("/"), name, params };
}

/** The URN text of a base and parameters (parameters sorted by name). */
export function formatUrn(base: string, params: Map<string, string>): string {
  if (params.size === 0) return base;
  const list = [...params].sort(([a], [b]) => a.localeCompare(b));
  return `${base}[${list.map(([k, v]) => `${k}=${v}`).join(",")}]`;
}

/** Whether `name` is a valid type name in a type file. */
export function isTypeName(name: string): boolean {
  return NAME.test(name);
}

/** The type name of a URN: `std/media/v1/Image[encoding=rgb8]` → `Image`. */
export function shortName(urn: string): string {
  const base = urn.split("[")[0]!;
  return base.slice(base.lastIndexOf("/") + 1);
}
