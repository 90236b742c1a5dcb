/**
 * The library reference of docs/types.md, written from the type files so the
 * documentation cannot drift from the data (`tests/types/docs_test.ts`
 * checks it).
 *
 * @module
 */
import type { TypeLibrary } from "./library.ts";
import type { TypeDef, TypePackage } from "./type_file.ts";

/** Markers around the generated part of docs/types.md. */
export const DOC_BEGIN =
  "<!-- library reference: generated from src/descriptor/types/std/*/v1.yml, do not edit -->";
export const DOC_END = "<!-- end of library reference -->";

/** Markdown tables of every package of `packages`, one section each. */
export function libraryReference(
  library: TypeLibrary,
  packages: readonly TypePackage[] = library.packages,
): string {
  const out: string[] = [];
  for (const pkg of packages) {
    out.push(`### \`${pkg.pkg}\``, "");
    if (pkg.description) out.push(capitalize(pkg.description) + ".", "");
    out.push(
      "| Type | Arrow type | Fields | Parameters | Description |",
      "| ---- | ---------- | ------ | ---------- | ----------- |",
    );
    for (const def of pkg.types) {
      if (!library.get(def.urn)) continue;
      out.push(
        `| \`${def.name}\` | ${arrowCell(def)} | ${fieldsCell(def)} | ${
          paramsCell(def)
        } | ${escape(def.description ?? "")} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}

function arrowCell(def: TypeDef): string {
  return escape(def.arrow);
}

function fieldsCell(def: TypeDef): string {
  return def.fields.map((f) =>
    `\`${f.name}\`: ${escape(f.type)}${f.nullable ? "" : " (not null)"}`
  ).join(", ");
}

function paramsCell(def: TypeDef): string {
  return def.params.map((p) =>
    `\`${p.name}\`${p.values ? ` (${p.values.join(", ")})` : ""}${
      p.default !== undefined ? `, default ${p.default}` : ""
    }`
  ).join("; ");
}

function escape(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("<", "\\<").replaceAll(
    ">",
    "\\>",
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
