/**
 * Turns zod issues into diagnostics that name the node and field and point at
 * the YAML position, with "did you mean" for unknown keys.
 *
 * @module
 */
import type { z } from "zod";
import type { Diagnostic } from "./diagnostic.ts";
import type { SourceFile, YamlPath } from "./source.ts";
import { didYouMean } from "./suggest.ts";

type Issue = z.core.$ZodIssue;
type Seg = string | number;

/** Converts every issue of a failed parse of `src.data` against `schema`. */
export function issuesToDiagnostics(
  src: SourceFile,
  schema: z.ZodType,
  issues: readonly Issue[],
  base: YamlPath = [],
  data: unknown = src.data,
  /** Where a path of `data` is written in `src` (default: the same path). */
  placeOf: (path: YamlPath) => YamlPath = (p) => p,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at: SourceFile["at"] = (path, message, options) =>
    src.at(placeOf(path), message, options);
  for (const issue of issues) convert(issue, [...base, ...issue.path as Seg[]]);
  return out;

  function convert(issue: Issue, path: Seg[]): void {
    const rel = path.slice(base.length);
    const value = valueAt(data, rel);
    const place = describe(
      data,
      rel,
      src === undefined ? false : isModuleFile(data),
    );
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = keysAt(schema, rel);
        for (const key of issue.keys) {
          out.push(at(
            [...path, key],
            `unknown field "${key}" in ${place.fullSubject}${
              didYouMean(key, known)
            }`,
            { key: true },
          ));
        }
        return;
      }
      case "invalid_key": {
        const parent = describe(data, rel.slice(0, -1), isModuleFile(data));
        for (const inner of issue.issues) {
          out.push(at(
            path,
            `invalid ${place.keySubject} ${
              JSON.stringify(rel.at(-1))
            } in ${parent.fullSubject}: ${inner.message}`,
            { key: true },
          ));
        }
        return;
      }
      case "invalid_element": {
        for (const inner of issue.issues) convert(inner, path);
        return;
      }
      case "invalid_type":
        if (value === undefined) {
          const parent = describe(data, rel.slice(0, -1), isModuleFile(data));
          out.push(at(
            path.slice(0, -1),
            `missing field "${rel.at(-1)}" in ${parent.fullSubject}`,
          ));
          return;
        }
        out.push(at(
          path,
          `invalid ${place.subject}${place.inWhere}: ${
            typeof value === "number" && issue.expected === "number"
              ? "expected a finite number"
              : `expected ${typeName(issue.expected)}`
          }, got ${show(value)}`,
        ));
        return;
      case "too_small":
      case "too_big": {
        const bound = issue.code === "too_small"
          ? issue.minimum
          : issue.maximum;
        let reason: string;
        if (issue.origin === "array") {
          reason = issue.code === "too_small"
            ? `must list at least ${bound} item${
              Number(bound) === 1 ? "" : "s"
            }`
            : `must list at most ${bound} items`;
        } else if (issue.code === "too_small") {
          reason = `must be ${
            issue.inclusive ? "at least" : "greater than"
          } ${bound}`;
        } else {
          reason = `must be ${
            issue.inclusive ? "at most" : "less than"
          } ${bound}`;
        }
        out.push(at(
          path,
          `invalid ${place.subject}${place.inWhere}: ${reason}${
            issue.origin === "array" ? "" : `, got ${show(value)}`
          }`,
        ));
        return;
      }
      case "invalid_value": {
        const values = issue.values.map(String);
        out.push(at(
          path,
          `invalid ${place.subject}${place.inWhere}: expected one of ${
            values.join(", ")
          }, got ${show(value)}${
            typeof value === "string" ? didYouMean(value, values) : ""
          }`,
        ));
        return;
      }
      case "invalid_union": {
        // Report the issues of the alternative the value was meant to be.
        const meant = issue.errors.filter((errs) =>
          !errs.some((e) => e.code === "invalid_type" && e.path.length === 0)
        );
        if (meant.length === 1) {
          for (const inner of meant[0]!) {
            convert(inner, [...path, ...inner.path as Seg[]]);
          }
          return;
        }
        out.push(at(
          path,
          `invalid ${place.subject}${place.inWhere}: ${issue.message}, got ${
            show(value)
          }`,
        ));
        return;
      }
      default:
        if (
          issue.code === "custom" && rel.length === 3 && rel[0] === "nodes" &&
          rel[2] === "id"
        ) {
          out.push(
            at(path, `invalid node id ${show(value)}: ${issue.message}`),
          );
          return;
        }
        out.push(at(
          path,
          `invalid ${place.subject}${place.inWhere}: ${issue.message}`,
        ));
    }
  }
}

function isModuleFile(data: unknown): boolean {
  return isRecord(data) && "module" in data && !("env" in data);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path` inside `data`. */
export function valueAt(data: unknown, path: readonly Seg[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<Seg, unknown>)[seg];
  }
  return cur;
}

/** Renders a YAML value for a message. */
export function show(value: unknown): string {
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

function typeName(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "object":
    case "record":
      return "a mapping";
    case "array":
      return "a list";
    default:
      return expected;
  }
}

interface Place {
  /** e.g. `"queue_size"` or `input "tick"`. */
  subject: string;
  /** e.g. ` in input "tick" of node "camera"` (empty at the top level). */
  inWhere: string;
  /** The subject and where together, e.g. `"deploy" of node "camera"`. */
  fullSubject: string;
  /** The container, for record keys. */
  parent: string;
  /** What a key of the container at this path is called. */
  keySubject: string;
}

/** Names the place `path` points at: the node, input, operator and field. */
export function describe(
  data: unknown,
  path: readonly Seg[],
  moduleFile = false,
): Place {
  const contexts: string[] = [];
  let kind: "root" | "node" | "operator" | "input" = "root";
  let cur: unknown = data;
  let i = 0;
  const take = (n: number) => {
    for (let k = 0; k < n; k++) cur = valueAt(cur, [path[i + k]!]);
    i += n;
  };
  while (i < path.length) {
    const seg = path[i]!;
    const next = path[i + 1];
    if (kind === "root" && seg === "nodes" && typeof next === "number") {
      take(2);
      const id = isRecord(cur) && typeof cur.id === "string"
        ? `"${cur.id}"`
        : `#${next + 1}`;
      contexts.unshift(`node ${id}`);
      kind = "node";
    } else if (kind === "root" && moduleFile && seg === "module") {
      take(1);
      contexts.unshift("the module header");
      kind = "operator";
    } else if (
      (kind === "node" || kind === "operator") && seg === "inputs" &&
      next !== undefined
    ) {
      take(2);
      contexts.unshift(`input "${next}"`);
      kind = "input";
    } else if (
      kind === "node" && seg === "operators" && typeof next === "number"
    ) {
      take(2);
      const id = isRecord(cur) && typeof cur.id === "string"
        ? `"${cur.id}"`
        : `#${next + 1}`;
      contexts.unshift(`operator ${id}`);
      kind = "operator";
    } else if (kind === "node" && seg === "operator" && i + 1 < path.length) {
      take(1);
      contexts.unshift("operator");
      kind = "operator";
    } else break;
  }
  const field = path.slice(i);
  const root = moduleFile ? "the module file" : "the dataflow";
  let subject: string;
  let where: string[];
  if (field.length === 0) {
    subject = contexts[0] ?? root;
    where = contexts.slice(1);
  } else {
    const last = field.at(-1);
    const fieldName = field.filter((s) => typeof s === "string").join(".");
    if (field[0] === "env" && field.length >= 2) {
      subject = `env variable "${field[1]}"`;
    } else if (typeof last === "number") {
      const item = valueAt(data, path);
      subject = fieldName === "outputs" && typeof item === "string"
        ? `output ${JSON.stringify(item)}`
        : `item ${last + 1} of "${fieldName}"`;
    } else subject = `"${fieldName}"`;
    where = contexts;
  }
  const whereText = where.join(" of ");
  const inWhere = whereText
    ? ` in ${whereText}`
    : kind === "root" && field.length
    ? ` in ${root}`
    : "";
  const fullSubject = field.length === 0
    ? [subject, ...where].join(" of ")
    : `${subject}${whereText ? ` of ${whereText}` : ` of ${root}`}`;
  const keySubject = field.at(-1) === "inputs" || field.length === 0
    ? "input id"
    : "key";
  return {
    subject,
    inWhere,
    fullSubject: field.length === 0 && contexts.length === 0
      ? root
      : fullSubject,
    parent: contexts.join(" of ") || root,
    keySubject,
  };
}

/** The keys an object schema at `path` accepts (for "did you mean"). */
export function keysAt(schema: z.ZodType, path: readonly Seg[]): string[] {
  const keys = new Set<string>();
  walk(schema, 0);
  return [...keys];

  function walk(s: z.ZodType, i: number): void {
    // deno-lint-ignore no-explicit-any
    const def = (s as any)._zod.def;
    switch (def.type) {
      case "optional":
      case "nullable":
      case "default":
        return walk(def.innerType, i);
      case "union":
        for (const o of def.options) walk(o, i);
        return;
      case "object":
        if (i === path.length) {
          for (const k of Object.keys(def.shape)) keys.add(k);
          return;
        }
        if (Object.hasOwn(def.shape, path[i]!)) {
          walk(def.shape[path[i]!], i + 1);
        }
        return;
      case "array":
        if (i < path.length) walk(def.element, i + 1);
        return;
      case "record":
        if (i < path.length) walk(def.valueType, i + 1);
        return;
    }
  }
}
