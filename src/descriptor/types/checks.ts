/**
 * The eight type checks over the expanded nodes: annotation keys exist, URNs
 * resolve, edges are compatible, parameters agree, timer (and log) inputs are
 * typed as what they deliver, input types are inferred from typed upstream
 * outputs, `output_metadata` / `pattern` are consistent, and struct fields
 * fit. Problems are warnings, errors in strict mode; inferences are notes.
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import type { NodePortTypes, PortType } from "../model.ts";
import {
  fieldOrigin,
  type FlatNode,
  type Origin,
  sourceText,
} from "../flat.ts";
import { parseInputSource } from "../input_source.ts";
import type { RawDataflow } from "../schema.ts";
import type { SourceFile } from "../source.ts";
import { didYouMean } from "../suggest.ts";
import {
  Compatibility,
  type Incompatibility,
  LOGS_TYPE,
  TIMER_TYPE,
} from "./compat.ts";
import type { TypeLibrary } from "./library.ts";
import { parseUrn } from "./urn.ts";
import { type Owner, owners } from "./_owners.ts";
import { checkMetadata } from "./_metadata_check.ts";
import { typeRules } from "./_type_rules.ts";

/** What the type checks found. */
export interface TypeCheckResult {
  /** Warnings (errors in strict mode). */
  diagnostics: Diagnostic[];
  /** Inferred input types, for people. */
  notes: Diagnostic[];
  /** Per node id. */
  ports: Map<string, NodePortTypes>;
}

/** Runs the type checks on the valid nodes of a dataflow. */
export function checkTypes(
  nodes: FlatNode[],
  options: {
    library: TypeLibrary;
    root: RawDataflow | Record<string, unknown>;
    rootSrc: SourceFile;
    strict: boolean;
  },
): TypeCheckResult {
  const { library, strict, rootSrc } = options;
  const severity = strict ? "error" : "warning";
  const diagnostics: Diagnostic[] = [];
  const notes: Diagnostic[] = [];
  const report = (o: Origin, message: string, code: string, key = false) =>
    diagnostics.push({
      ...o.src.at(o.path, message, { key, severity }),
      code: `types/${code}`,
    });
  const note = (o: Origin, message: string) =>
    notes.push({
      ...o.src.at(o.path, message),
      severity: "note",
      code: "types/inferred",
    });

  const rules = typeRules(options.root, rootSrc, library, report);
  const compat = new Compatibility(library, rules);
  const all = nodes.filter((n) => !n.partial).flatMap(owners);

  /** Checks one annotation; returns its URN when it resolves. */
  const annotation = (
    o: Origin,
    urn: string,
    what: string,
  ): string | undefined => {
    const parsed = parseUrn(urn);
    if (typeof parsed === "string") {
      report(
        o,
        `${JSON.stringify(urn)} for ${what} is not a type URN: ${parsed}`,
        "unknown",
      );
      return undefined;
    }
    const def = library.get(parsed.base);
    if (!def && library.isBroken(parsed.base)) return undefined;
    if (!def) {
      const hint = library.suggest(parsed.base);
      report(
        o,
        `unknown type "${parsed.base}" for ${what}${
          hint ? ` (did you mean "${hint}"?)` : ""
        }`,
        "unknown",
      );
      return undefined;
    }
    let ok = true;
    for (const [name, value] of parsed.params) {
      const param = def.params.find((p) => p.name === name);
      if (def.params.length === 0) {
        report(
          o,
          `type ${def.urn} takes no parameters (${what} gives "${name}")`,
          "param",
        );
        return undefined;
      }
      if (!param) {
        report(
          o,
          `unknown parameter "${name}" of ${def.urn} for ${what}${
            didYouMean(name, def.params.map((p) => p.name))
          }; its parameters: ${def.params.map((p) => p.name).join(", ")}`,
          "param",
        );
        ok = false;
      } else if (param.values && !param.values.includes(value)) {
        report(
          o,
          `parameter ${name}=${value} of ${def.urn} for ${what} must be one of ${
            param.values.join(", ")
          }${didYouMean(value, param.values)}`,
          "param",
        );
        ok = false;
      }
    }
    return ok ? urn.trim() : undefined;
  };

  // Checks 1, 2, 4 (annotations) and 7 (metadata); collect output types.
  const outputType = new Map<string, string>();
  const inputType = new Map<Owner, Map<string, string>>();
  const annotated = new Set<string>();
  const ports = new Map<string, NodePortTypes>();
  for (const owner of all) {
    const at = (...path: (string | number)[]) =>
      fieldOrigin(owner.node, ...owner.field, ...path);
    const nodePorts: NodePortTypes = { outputs: {}, inputs: {}, metadata: {} };
    if (owner.plain) ports.set(owner.node.id, nodePorts);
    for (const [output, urn] of Object.entries(owner.outputTypes)) {
      if (!owner.outputs.includes(output)) {
        report(
          at("output_types", output),
          `output_types names "${output}", which is not an output of ${owner.label}${
            didYouMean(output, owner.outputs)
          }`,
          "key",
          true,
        );
        continue;
      }
      const key = owner.address + output;
      annotated.add(key);
      const ok = annotation(
        at("output_types", output),
        urn,
        `output "${output}" of ${owner.label}`,
      );
      if (ok === undefined) continue;
      outputType.set(key, ok);
      if (owner.plain) {
        nodePorts.outputs[output] = withDataType(library, ok);
      }
    }
    for (const [input, urn] of Object.entries(owner.inputTypes)) {
      if (!Object.hasOwn(owner.inputs, input)) {
        report(
          at("input_types", input),
          `input_types names "${input}", which is not an input of ${owner.label}${
            didYouMean(input, Object.keys(owner.inputs))
          }`,
          "key",
          true,
        );
        continue;
      }
      const ok = annotation(
        at("input_types", input),
        urn,
        `input "${input}" of ${owner.label}`,
      );
      if (ok === undefined) continue;
      const map = inputType.get(owner) ?? new Map<string, string>();
      map.set(input, ok);
      inputType.set(owner, map);
    }
    checkMetadata(owner, at, report, library, nodePorts);
  }

  // Checks 3, 4 (edges), 5, 6 and 8.
  for (const owner of all) {
    const at = (...path: (string | number)[]) =>
      fieldOrigin(owner.node, ...owner.field, ...path);
    const nodePorts = ports.get(owner.node.id);
    for (const [input, value] of Object.entries(owner.inputs)) {
      const text = sourceText(value);
      const parsed = text === undefined ? undefined : parseInputSource(text);
      if (!parsed?.ok) continue;
      const source = parsed.source;
      const expected = inputType.get(owner)?.get(input);
      const unresolved = expected === undefined &&
        Object.hasOwn(owner.inputTypes, input);
      const o = at("input_types", input);
      const what = `input "${input}" of ${owner.label}`;
      if (source.kind === "timer" || source.kind === "logs") {
        if (expected === undefined) continue;
        const delivered = source.kind === "timer" ? TIMER_TYPE : LOGS_TYPE;
        if (compat.check(delivered, expected)) {
          report(
            o,
            `${what} is typed ${expected}, but ${
              source.kind === "timer" ? "a timer" : "dora/logs"
            } sends ${delivered}`,
            source.kind === "timer" ? "timer" : "edge",
          );
        }
        continue;
      }
      const target = nodes.find((n) => n.id === source.node);
      let key = `${source.node}/${source.output}`;
      if (target?.raw.operator && !annotated.has(key)) {
        key = `${source.node}/${
          target.raw.operator.id ?? "op"
        }/${source.output}`;
      }
      const sent = outputType.get(key);
      const from = `${source.node}/${source.output}`;
      if (unresolved) continue; // the annotation itself was reported
      if (sent !== undefined && expected !== undefined) {
        const problem = compat.check(sent, expected);
        if (problem) {
          report(
            o,
            edgeMessage(what, expected, from, sent, problem),
            problem.kind === "param" ? "param" : "edge",
          );
        }
        if (nodePorts && owner.plain) {
          nodePorts.inputs[input] = inputPort(library, compat, expected);
        }
      } else if (sent !== undefined) {
        note(
          fieldOrigin(owner.node, ...owner.field, "inputs", input),
          `${what} has no input_types entry: inferred ${sent} from ${from}`,
        );
        if (nodePorts && owner.plain) {
          nodePorts.inputs[input] = {
            ...inputPort(library, compat, sent),
            inferredFrom: from,
          };
        }
      } else if (expected !== undefined) {
        if (nodePorts && owner.plain) {
          nodePorts.inputs[input] = inputPort(library, compat, expected);
        }
        if (!annotated.has(key) && target && !target.partial) {
          const message =
            `${what} expects ${expected}, but ${from} has no output_types entry`;
          if (strict) report(o, message, "untyped-upstream");
          else {
            notes.push({
              ...o.src.at(o.path, message),
              severity: "note",
              code: "types/untyped-upstream",
            });
          }
        }
      }
    }
  }
  return { diagnostics, notes, ports };
}

function withDataType(library: TypeLibrary, urn: string): PortType {
  const dt = library.dataType(urn);
  return dt === undefined ? { urn } : { urn, dt };
}

function inputPort(
  library: TypeLibrary,
  compat: Compatibility,
  urn: string,
): PortType {
  const port = withDataType(library, urn);
  const accepts = compat.acceptedDataTypes(urn);
  return accepts === undefined ? port : { ...port, accepts };
}

function edgeMessage(
  what: string,
  expected: string,
  from: string,
  sent: string,
  problem: Incompatibility,
): string {
  if (problem.kind === "param") {
    return `${what} expects ${expected}, but ${from} sends ${sent} (parameter ${problem.name}: ${problem.sent} is not ${problem.expected})`;
  }
  const detail = problem.fields.length ? `: ${problem.fields.join("; ")}` : "";
  return `${what} expects ${expected}, but ${from} sends ${sent}${detail}`;
}
