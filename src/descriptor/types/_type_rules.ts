/**
 * The dataflow's `type_rules`: each URN must resolve (check 2) and, between
 * structs, the data must fit (check 8).
 *
 * @module
 */
import type { Origin } from "../flat.ts";
import type { SourceFile } from "../source.ts";
import { describeDataType } from "./arrow_names.ts";
import { Compatibility } from "./compat.ts";
import type { TypeLibrary } from "./library.ts";
import { parseUrn } from "./urn.ts";

/** The dataflow's `type_rules`, each checked (URNs resolve, struct fields fit). */
export function typeRules(
  root: Record<string, unknown>,
  src: SourceFile,
  library: TypeLibrary,
  report: (o: Origin, message: string, code: string) => void,
): { from: string; to: string }[] {
  const list = Array.isArray(root.type_rules) ? root.type_rules : [];
  const rules: { from: string; to: string }[] = [];
  list.forEach((r: unknown, i) => {
    if (typeof r !== "object" || r === null) return;
    const rule = r as { from?: unknown; to?: unknown };
    if (typeof rule.from !== "string" || typeof rule.to !== "string") return;
    let ok = true;
    for (const side of ["from", "to"] as const) {
      const urn = rule[side] as string;
      const parsed = parseUrn(urn);
      const o = { src, path: ["type_rules", i, side] };
      if (typeof parsed === "string") {
        report(
          o,
          `"${side}" of type rule ${i + 1} is not a type URN: ${parsed}`,
          "unknown",
        );
        ok = false;
      } else if (library.isBroken(parsed.base)) {
        ok = false;
      } else if (!library.get(parsed.base)) {
        const hint = library.suggest(parsed.base);
        report(
          o,
          `unknown type "${parsed.base}" in "${side}" of type rule ${i + 1}${
            hint ? ` (did you mean "${hint}"?)` : ""
          }`,
          "unknown",
        );
        ok = false;
      }
    }
    if (!ok) return;
    rules.push({ from: rule.from, to: rule.to });
    const a = library.dataType(rule.from);
    const b = library.dataType(rule.to);
    if (!a || !b) return;
    const compat = new Compatibility(library);
    const fields = compat.fieldProblems(rule.from, rule.to);
    const structs = [a, b].filter((d) =>
      typeof d !== "string" && "struct" in d
    ).length;
    if (fields.length) {
      report(
        { src, path: ["type_rules", i] },
        `type rule ${
          i + 1
        } lets ${rule.from} flow into ${rule.to}, but its data does not fit: ${
          fields.join("; ")
        }`,
        "fields",
      );
    } else if (structs === 1) {
      report(
        { src, path: ["type_rules", i] },
        `type rule ${i + 1} lets ${rule.from} (${
          describeDataType(a)
        }) flow into ${rule.to} (${
          describeDataType(b)
        }): a struct and a non-struct never fit`,
        "fields",
      );
    }
  });
  return rules;
}
