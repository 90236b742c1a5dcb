/**
 * One type file (`std/media/v1.yml`, `types/acme/sensors/v1.yml`): a
 * `types:` mapping from type name to its Arrow definition. Every problem is
 * reported with the file, line and field.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { SourceFile, YamlPath } from "../source.ts";
import { didYouMean } from "../suggest.ts";
import { ARROW_PRIMITIVES, parseTypeExpr } from "./arrow_names.ts";
import { isTypeName } from "./urn.ts";

/** A parameter of a parameterised type (`sample_type` of `AudioFrame`). */
export interface ParamDef {
  name: string;
  description?: string;
  /** The value an unparameterised annotation means (documentation only). */
  default?: string;
  /** Allowed values; any value when absent. */
  values?: string[];
}

/** A field of a struct type. */
export interface FieldDef {
  name: string;
  /** An Arrow name, `List<T>`, a type name or a URN, as written. */
  type: string;
  nullable: boolean;
  path: YamlPath;
}

/** A metadata key every message of the type carries. */
export interface MetadataDef {
  key: string;
  description?: string;
}

/** One type of the library. */
export interface TypeDef {
  /** `std/media/v1/Image`. */
  urn: string;
  /** `std/media/v1`. */
  pkg: string;
  name: string;
  /** As written: a primitive Arrow name, `Struct` or `List<T>`. */
  arrow: string;
  description?: string;
  params: ParamDef[];
  fields: FieldDef[];
  metadata: MetadataDef[];
  /** The file and place that defines it. */
  src: SourceFile;
  path: YamlPath;
  /** It has errors: kept only to check its references, then left out. */
  broken?: boolean;
}

/** The types of one file. */
export interface TypePackage {
  pkg: string;
  description?: string;
  src: SourceFile;
  types: TypeDef[];
}

const ROOT_KEYS = ["description", "types"];
const TYPE_KEYS = ["arrow", "description", "params", "fields", "metadata"];
const FIELD_KEYS = ["name", "type", "nullable", "description"];
const PARAM_KEYS = ["name", "description", "default", "values"];
const METADATA_KEYS = ["key", "description"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads the types of `src` as package `pkg`; problems go to `diagnostics`
 * (a type with a problem is left out).
 */
export function parseTypeFile(
  src: SourceFile,
  pkg: string,
  diagnostics: Diagnostic[],
): TypePackage {
  const result: TypePackage = { pkg, src, types: [] };
  const err = (path: YamlPath, message: string, key = false) =>
    diagnostics.push(src.at(path, message, { key }));
  if (src.syntax.length) {
    diagnostics.push(...src.syntax);
    if (src.syntax.some((d) => d.severity === "error")) return result;
  }
  const data = src.data;
  if (!isRecord(data)) {
    err([], `a type file must be a mapping with a "types" mapping`);
    return result;
  }
  unknownKeys(data, [], ROOT_KEYS, "the type file", err);
  if (data.description !== undefined) {
    if (typeof data.description === "string") {
      result.description = data.description;
    } else err(["description"], `"description" must be text`);
  }
  if (!isRecord(data.types)) {
    err(
      data.types === undefined ? [] : ["types"],
      data.types === undefined
        ? `missing field "types" (a mapping from type name to definition)`
        : `"types" must be a mapping from type name to definition`,
    );
    return result;
  }
  for (const [name, raw] of Object.entries(data.types)) {
    const def = parseType(src, pkg, name, raw, err);
    if (def) result.types.push(def);
  }
  return result;
}

type Report = (path: YamlPath, message: string, key?: boolean) => void;

function unknownKeys(
  obj: Record<string, unknown>,
  path: YamlPath,
  known: string[],
  where: string,
  err: Report,
): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      err(
        [...path, key],
        `unknown field "${key}" in ${where}${didYouMean(key, known)}`,
        true,
      );
    }
  }
}

function parseType(
  src: SourceFile,
  pkg: string,
  name: string,
  raw: unknown,
  err: Report,
): TypeDef | undefined {
  const path = ["types", name];
  const where = `type "${name}"`;
  let ok = true;
  const fail = (p: YamlPath, message: string, key = false) => {
    ok = false;
    err(p, message, key);
  };
  if (!isTypeName(name)) {
    fail(
      path,
      `type name "${name}" is not valid (letters, digits and _, not starting with a digit)`,
      true,
    );
  }
  if (!isRecord(raw)) {
    fail(path, `${where} must be a mapping with at least "arrow"`);
    return undefined;
  }
  // A misspelt key is reported but keeps the type (fewer follow-up errors).
  unknownKeys(raw, path, TYPE_KEYS, where, err);
  const text = (key: string, v: unknown, p: YamlPath, w: string) => {
    if (v === undefined || typeof v === "string") {
      return v as string | undefined;
    }
    fail(p, `"${key}" of ${w} must be text`);
    return undefined;
  };
  let arrow: string | undefined;
  if (raw.arrow === undefined) {
    fail(path, `missing field "arrow" in ${where} (e.g. arrow: Float32)`);
  } else if (typeof raw.arrow !== "string") {
    fail([...path, "arrow"], `"arrow" of ${where} must be an Arrow type name`);
  } else {
    const expr = parseTypeExpr(raw.arrow);
    if (typeof expr === "string") {
      fail([...path, "arrow"], `"arrow" of ${where}: ${expr}`);
    } else if (expr.kind === "ref") {
      const hint = didYouMean(raw.arrow, [
        ...Object.keys(ARROW_PRIMITIVES),
        "Struct",
      ]);
      fail(
        [...path, "arrow"],
        `"arrow" of ${where}: unknown Arrow type "${raw.arrow}"${
          hint ||
          ` (expected one of ${
            Object.keys(ARROW_PRIMITIVES).join(", ")
          }, Struct or List<T>)`
        }`,
      );
    } else arrow = raw.arrow.trim();
  }
  const description = text(
    "description",
    raw.description,
    [...path, "description"],
    where,
  );
  const fields = parseFields(raw.fields, [...path, "fields"], where, fail);
  if (arrow === "Struct" && raw.fields === undefined) {
    fail(path, `${where} is a Struct but has no "fields"`);
  } else if (arrow === "Struct" && fields.length === 0 && ok) {
    fail(
      [...path, "fields"],
      `${where} is a Struct but its "fields" are empty`,
    );
  } else if (arrow !== undefined && arrow !== "Struct" && raw.fields) {
    fail(
      [...path, "fields"],
      `${where} has "fields" but is not a Struct (arrow: ${arrow})`,
      true,
    );
  }
  const params = parseParams(raw.params, [...path, "params"], where, fail);
  const metadata = parseMetadata(
    raw.metadata,
    [...path, "metadata"],
    where,
    fail,
  );
  if (arrow === undefined) return undefined;
  return {
    ...(ok ? {} : { broken: true }),
    urn: `${pkg}/${name}`,
    pkg,
    name,
    arrow,
    ...(description !== undefined ? { description } : {}),
    params,
    fields,
    metadata,
    src,
    path,
  };
}

function listOf(
  raw: unknown,
  path: YamlPath,
  what: string,
  fail: Report,
): unknown[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    fail(path, `${what} must be a list`);
    return [];
  }
  return raw;
}

function parseFields(
  raw: unknown,
  path: YamlPath,
  where: string,
  fail: Report,
): FieldDef[] {
  const out: FieldDef[] = [];
  const seen = new Set<string>();
  listOf(raw, path, `"fields" of ${where}`, fail).forEach((f, i) => {
    const p = [...path, i];
    if (!isRecord(f)) {
      fail(p, `field ${i + 1} of ${where} must be a mapping {name, type}`);
      return;
    }
    const label = typeof f.name === "string"
      ? `field "${f.name}" of ${where}`
      : `field ${i + 1} of ${where}`;
    unknownKeys(f, p, FIELD_KEYS, label, fail);
    if (typeof f.name !== "string" || f.name === "") {
      fail(
        f.name === undefined ? p : [...p, "name"],
        f.name === undefined
          ? `missing "name" in ${label}`
          : `"name" of ${label} must be text`,
      );
      return;
    }
    if (seen.has(f.name)) {
      fail([...p, "name"], `${where} has two fields named "${f.name}"`);
      return;
    }
    seen.add(f.name);
    if (typeof f.type !== "string") {
      fail(
        f.type === undefined ? p : [...p, "type"],
        f.type === undefined
          ? `missing "type" in ${label} (e.g. type: Float64)`
          : `"type" of ${label} must be a type name`,
      );
      return;
    }
    const expr = parseTypeExpr(f.type);
    if (typeof expr === "string") {
      fail([...p, "type"], `"type" of ${label}: ${expr}`);
      return;
    }
    if (expr.kind === "struct") {
      fail(
        [...p, "type"],
        `"type" of ${label}: Struct needs a name; define the struct as its own type and name it here`,
      );
      return;
    }
    if (f.nullable !== undefined && typeof f.nullable !== "boolean") {
      fail([...p, "nullable"], `"nullable" of ${label} must be true or false`);
      return;
    }
    out.push({
      name: f.name,
      type: f.type.trim(),
      nullable: f.nullable !== false,
      path: p,
    });
  });
  return out;
}

function scalarText(v: unknown): string | undefined {
  return typeof v === "string" || typeof v === "number" ||
      typeof v === "boolean"
    ? String(v)
    : undefined;
}

function parseParams(
  raw: unknown,
  path: YamlPath,
  where: string,
  fail: Report,
): ParamDef[] {
  const out: ParamDef[] = [];
  listOf(raw, path, `"params" of ${where}`, fail).forEach((p, i) => {
    const at = [...path, i];
    if (!isRecord(p)) {
      fail(at, `parameter ${i + 1} of ${where} must be a mapping {name, ...}`);
      return;
    }
    const label = typeof p.name === "string"
      ? `parameter "${p.name}" of ${where}`
      : `parameter ${i + 1} of ${where}`;
    unknownKeys(p, at, PARAM_KEYS, label, fail);
    if (typeof p.name !== "string" || !isTypeName(p.name)) {
      fail(
        p.name === undefined ? at : [...at, "name"],
        `${label} needs a "name" (letters, digits and _)`,
      );
      return;
    }
    if (out.some((o) => o.name === p.name)) {
      fail([...at, "name"], `${where} has two parameters named "${p.name}"`);
      return;
    }
    const def: ParamDef = { name: p.name };
    if (typeof p.description === "string") def.description = p.description;
    if (p.values !== undefined) {
      const values = Array.isArray(p.values) ? p.values.map(scalarText) : [];
      if (!Array.isArray(p.values) || values.some((v) => v === undefined)) {
        fail(
          [...at, "values"],
          `"values" of ${label} must be a list of values`,
        );
        return;
      }
      def.values = values as string[];
    }
    if (p.default !== undefined) {
      const d = scalarText(p.default);
      if (d === undefined) {
        fail([...at, "default"], `"default" of ${label} must be a value`);
        return;
      }
      if (def.values && !def.values.includes(d)) {
        fail(
          [...at, "default"],
          `"default" of ${label} is "${d}", which is not one of its values (${
            def.values.join(", ")
          })`,
        );
        return;
      }
      def.default = d;
    }
    out.push(def);
  });
  return out;
}

function parseMetadata(
  raw: unknown,
  path: YamlPath,
  where: string,
  fail: Report,
): MetadataDef[] {
  const out: MetadataDef[] = [];
  listOf(raw, path, `"metadata" of ${where}`, fail).forEach((m, i) => {
    const at = [...path, i];
    if (typeof m === "string") {
      out.push({ key: m });
      return;
    }
    if (!isRecord(m) || typeof m.key !== "string") {
      fail(
        at,
        `metadata ${i + 1} of ${where} must be a key or {key, description}`,
      );
      return;
    }
    unknownKeys(m, at, METADATA_KEYS, `metadata "${m.key}" of ${where}`, fail);
    out.push({
      key: m.key,
      ...(typeof m.description === "string"
        ? { description: m.description }
        : {}),
    });
  });
  return out;
}
