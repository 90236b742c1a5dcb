/**
 * The port owners of a node for the type checks: the node itself, its single
 * operator, or each of its operators, with their annotations.
 *
 * @module
 */
import { addressableOutputs, type FlatNode } from "../flat.ts";
import type { RawInput } from "../schema.ts";

/** One set of ports: a node, its single operator, or one of its operators. */
export interface Owner {
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

/** The owners of `node`'s ports. */
export function owners(node: FlatNode): Owner[] {
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
