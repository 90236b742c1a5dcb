/**
 * The dataflow as a Mermaid flowchart, in dora's layout: modules as
 * subgraphs, source/sink node shapes, timers grouped under `dora`, edges
 * labelled `output` or `output as input`, typed edges `image [Image]`.
 *
 * @module
 */
import { formatInterval } from "./input_source.ts";
import type { Dataflow, InputSpec, NodeSpec } from "./model.ts";

/**
 * Renders `dataflow` as Mermaid `flowchart TB` text.
 *
 * @example
 * ```ts
 * const text = toMermaid(dataflow); // "flowchart TB\n  sender[\\"**sender**\"/]\n..."
 * ```
 */
export function toMermaid(dataflow: Dataflow): string {
  const lines = ["flowchart TB"];
  const byId = new Map(dataflow.nodes.map((n) => [n.id, n]));

  // Module subgraphs, nested as the modules are.
  interface Group {
    id: string;
    children: Map<string, Group>;
    nodes: NodeSpec[];
  }
  const top: Group = { id: "", children: new Map(), nodes: [] };
  for (const node of dataflow.nodes) {
    let group = top;
    for (const m of node.modules ?? []) {
      let child = group.children.get(m);
      if (!child) {
        child = { id: m, children: new Map(), nodes: [] };
        group.children.set(m, child);
      }
      group = child;
    }
    group.nodes.push(node);
  }
  const emit = (group: Group, indent: string) => {
    for (const child of group.children.values()) {
      lines.push(
        `${indent}subgraph ${child.id.replaceAll(".", "_")} [${child.id}]`,
      );
      emit(child, indent + "  ");
      lines.push(`${indent}end`);
    }
    for (const node of group.nodes) {
      lines.push(...nodeLines(node, indent + "  "));
    }
  };
  emit(top, "");

  const timers = new Set<bigint>();
  const allInputs = (n: NodeSpec) =>
    n.operators?.length ? n.operators.flatMap((op) => op.inputs) : n.inputs;
  for (const node of dataflow.nodes) {
    for (const input of allInputs(node)) {
      if (input.source.kind === "timer") timers.add(input.source.intervalNs);
    }
  }
  if (timers.size) {
    lines.push("subgraph ___dora___ [dora]");
    lines.push("  subgraph ___timer_timer___ [timer]");
    for (const ns of [...timers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const d = formatInterval(ns);
      lines.push(`    dora/timer/${d}[\\${d}/]`);
    }
    lines.push("  end");
    lines.push("end");
  }

  for (const node of dataflow.nodes) {
    if (node.operators?.length) {
      for (const op of node.operators) {
        for (const input of op.inputs) {
          lines.push(edge(input, `${node.id}/${op.id}`, byId));
        }
      }
    } else {
      for (const input of node.inputs) {
        lines.push(edge(input, node.id, byId, node));
      }
    }
  }
  return lines.join("\n") + "\n";
}

function label(node: NodeSpec): string {
  const desc = node.description
    ? `<hr/><i>${escape(node.description)}</i>`
    : "";
  return `<b>${node.id}</b>${desc}`;
}

function escape(text: string): string {
  return text.replaceAll('"', "#quot;").replaceAll("<", "#lt;")
    .replaceAll(">", "#gt;").replaceAll("\n", " ");
}

function nodeLines(node: NodeSpec, indent: string): string[] {
  const ops = node.operators ?? [];
  if (ops.length === 0) {
    if (node.inputs.length === 0) {
      return [`${indent}${node.id}[\\"${label(node)}"/]`];
    }
    if (node.outputs.length === 0) {
      return [`${indent}${node.id}[/"${label(node)}"\\]`];
    }
    return [`${indent}${node.id}["${label(node)}"]`];
  }
  const shape = (
    id: string,
    text: string,
    op: { inputs: unknown[]; outputs: unknown[] },
  ) =>
    op.inputs.length === 0
      ? `${id}[\\${text}/]`
      : op.outputs.length === 0
      ? `${id}[/${text}\\]`
      : `${id}[${text}]`;
  if (ops.length === 1 && ops[0]!.id === "op") {
    return [`${indent}${shape(`${node.id}/op`, node.id, ops[0]!)}`];
  }
  return [
    `${indent}subgraph ${node.id}`,
    ...ops.map((op) => `${indent}  ${shape(`${node.id}/${op.id}`, op.id, op)}`),
    `${indent}end`,
  ];
}

/** ` [Image]` for an edge whose data is typed (by the sender, else the receiver). */
function typeLabel(
  sender: NodeSpec | undefined,
  output: string,
  receiver: NodeSpec | undefined,
  input: string,
): string {
  const urn = sender?.types?.outputs[output]?.urn ??
    sender?.outputTypes?.[output] ?? receiver?.types?.inputs[input]?.urn ??
    receiver?.inputTypes?.[input];
  if (urn === undefined) return "";
  const base = urn.split("[")[0]!.trim();
  return ` [${base.slice(base.lastIndexOf("/") + 1)}]`;
}

/** Edge text: quoted when it holds brackets, which Mermaid would read as a shape. */
function edgeText(text: string): string {
  return /[[\]]/.test(text) ? `"${text}"` : text;
}

function edge(
  input: InputSpec,
  target: string,
  byId: Map<string, NodeSpec>,
  receiver?: NodeSpec,
): string {
  const src = input.source;
  if (src.kind === "timer") {
    return `  dora/timer/${
      formatInterval(src.intervalNs)
    } -- ${input.id} --> ${target}`;
  }
  if (src.kind === "logs") {
    const text = ["dora/logs", src.level, src.node].filter(Boolean).join("/");
    return `  ${text} -- ${input.id} --> ${target}`;
  }
  const node = byId.get(src.node);
  const name = (output: string) =>
    edgeText(
      (output === input.id ? output : `${output} as ${input.id}`) +
        typeLabel(node, output, receiver, input.id),
    );
  if (
    node && !node.operators?.length &&
    (node.outputs.includes(src.output) || node.sendStdoutAs === src.output ||
      node.sendLogsAs === src.output)
  ) {
    return `  ${src.node} -- ${name(src.output)} --> ${target}`;
  }
  if (node?.operators?.length) {
    const single = node.operators.length === 1 &&
      node.operators[0]!.id === "op";
    const [opId, output] = src.output.includes("/")
      ? [
        src.output.slice(0, src.output.indexOf("/")),
        src.output.slice(src.output.indexOf("/") + 1),
      ]
      : single
      ? ["op", src.output]
      : ["", src.output];
    if (
      node.operators.some((op) => op.id === opId && op.outputs.includes(output))
    ) {
      return `  ${src.node}/${opId} -- ${name(output)} --> ${target}`;
    }
  }
  return `  missing>missing] -- ${input.id} --> ${target}`;
}
