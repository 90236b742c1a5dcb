/**
 * Check 7: `output_metadata` names outputs with valid keys, `pattern` is
 * known; collects the metadata keys each output's messages must carry.
 *
 * @module
 */
import type { Origin } from "../flat.ts";
import type { NodePortTypes } from "../model.ts";
import { PATTERNS } from "../schema.ts";
import { didYouMean } from "../suggest.ts";
import type { TypeLibrary } from "./library.ts";
import type { Owner } from "./_owners.ts";

/** Check 7: `output_metadata` keys name outputs, `pattern` is known; collects required keys. */
export function checkMetadata(
  owner: Owner,
  at: (...path: (string | number)[]) => Origin,
  report: (o: Origin, message: string, code: string, key?: boolean) => void,
  library: TypeLibrary,
  ports: NodePortTypes,
): void {
  const required = new Map<string, Set<string>>();
  const need = (output: string, keys: Iterable<string>) => {
    const set = required.get(output) ?? new Set<string>();
    for (const k of keys) set.add(k);
    required.set(output, set);
  };
  for (const [output, keys] of Object.entries(owner.outputMetadata)) {
    if (!owner.outputs.includes(output)) {
      report(
        at("output_metadata", output),
        `output_metadata names "${output}", which is not an output of ${owner.label}${
          didYouMean(output, owner.outputs)
        }`,
        "metadata",
        true,
      );
      continue;
    }
    keys.forEach((k, i) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k)) {
        report(
          at("output_metadata", output, i),
          `metadata key "${k}" of output "${output}" of ${owner.label} is not a valid key`,
          "metadata",
        );
      }
    });
    need(output, keys);
  }
  if (owner.pattern !== undefined) {
    const known = Object.keys(PATTERNS);
    if (!Object.hasOwn(PATTERNS, owner.pattern)) {
      report(
        at("pattern"),
        `unknown pattern "${owner.pattern}" of ${owner.label}${
          didYouMean(owner.pattern, known)
        }; the patterns are ${known.join(", ")}`,
        "metadata",
      );
    } else {
      if (owner.outputs.length === 0) {
        report(
          at("pattern"),
          `pattern "${owner.pattern}" of ${owner.label} needs outputs to carry its metadata keys`,
          "metadata",
        );
      }
      const keys = PATTERNS[owner.pattern as keyof typeof PATTERNS];
      for (const output of owner.outputs) need(output, keys);
    }
  }
  for (const [output, urn] of Object.entries(owner.outputTypes)) {
    const def = library.get(urn);
    if (def?.metadata.length && owner.outputs.includes(output)) {
      need(output, def.metadata.map((m) => m.key));
    }
  }
  if (owner.plain) {
    for (const [output, keys] of required) {
      ports.metadata[output] = [...keys].sort();
    }
  }
}
