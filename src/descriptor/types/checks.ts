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
  addressableOutputs,
  fieldOrigin,
  type FlatNode,
  type Origin,
  sourceText,
} from "../flat.ts";
import { parseInputSource } from "../input_source.ts";
import { PATTERNS, type RawDataflow, type RawInput } from "../schema.ts";
import type { SourceFile } from "../source.ts";
import { didYouMean } from "../suggest.ts";
import { describeDataType } from "./arrow_names.ts";
import {
  Compatibility,
  type Incompatibility,
  LOGS_TYPE,
  TIMER_TYPE,
} from "./compat.ts";
import type { TypeLibrary } from "./library.ts";
import { parseUrn } from "./urn.ts";

/** What the type checks found. */
export interface TypeCheckResult {
  /** Warnings (errors in strict mode). */
  diagnostics: Diagnostic[];
  /** Inferred input types, for people. */
  notes: Diagnostic[];
  /** Per node id. */
  ports: Map<string, NodePortTypes>;
}

/** One set of ports: a node, its single operator, or one of its operators. */
interface Owner {
  node: FlatNode;
  /** `node "x"` or `operator "op" of node "x"`. */
  label: string;
  /** Path of the owner inside the node (`[]`, `["operator"]`, `["operators", 2]`). */
  field: (string | number)[];
  /** How other nodes address its outputs, e.g. `x/op/` or `x/`. */
  address: string;
  outputs: string[];
  inputs: Record<string, RawInput>;
  outputTypes: Record<string, string>;
  inputTypes: Record<string, string>;
  outputMetadata: Record<string, string[]>;
  pattern?: string;
  plain: boolean;
}

function owners(node: FlatNode): Owner[] {
  const raw = node.raw;
  const routed = (o: { send_stdout_as?: string; send_logs_as?: string }) =>
    [o.send_stdout_as, o.send_logs_as].filter((x): x is string => !!x);
  if (raw.operators || raw.operator) {
    const ops = raw.operators
      ? raw.operators.map((op, i) => ({
        op,
        id: op.id,
        field: ["operators", i],
      }))
      : [{
        op: raw.operator!,
        id: raw.operator!.id ?? "op",
        field: ["operator"],
      }];
    return ops.map(({ op, id, field }) => ({
      node,
      label: raw.operators
        ? `operator "${id}" of node "${node.id}"`
        : `node "${node.id}"`,
      field,
      address: `${node.id}/${id}/`,
      outputs: [...op.outputs ?? [], ...routed(op)],
      inputs: op.inputs ?? {},
      outputTypes: op.output_types ?? {},
      inputTypes: op.input_types ?? {},
      outputMetadata: op.output_metadata ?? {},
      pattern: op.pattern,
      plain: false,
    }));
  }
  return [{
    node,
    label: `node "${node.id}"`,
    field: [],
    address: `${node.id}/`,
    outputs: addressableOutputs(raw),
    inputs: raw.inputs ?? {},
    outputTypes: raw.output_types ?? {},
    inputTypes: raw.input_types ?? {},
    outputMetadata: raw.output_metadata ?? {},
    pattern: raw.pattern,
    plain: true,
  }];
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

/** Check 7: `output_metadata` keys name outputs, `pattern` is known; collects required keys. */
function checkMetadata(
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

/** The dataflow's `type_rules`, each checked (URNs resolve, struct fields fit). */
function typeRules(
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
