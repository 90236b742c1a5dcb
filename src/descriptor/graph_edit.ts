/**
 * Changes to the graph of a running dataflow (`dora node add`, `remove`,
 * `replace`, `connect`, `disconnect`), checked before anything changes: the
 * edited graph goes through the same checks as `dora validate`. Problems
 * in a node file point at `file:line:column`; problems of the running graph
 * name it (it has no file of its own: it is the flat YAML `dora expand`
 * prints of it).
 *
 * @module
 */
import { dirname, isAbsolute, join, relative } from "node:path";
import { parse } from "yaml";
import type { Diagnostic } from "./diagnostic.ts";
import { flatData, yamlText } from "./flat_text.ts";
import { sourceText } from "./flat.ts";
import { parseInputSource } from "./input_source.ts";
import {
  analyzeSource,
  type ExtraNodes,
  hasErrors,
  readSource,
} from "./load.ts";
import type { Dataflow, NodeSpec, QueuePolicy } from "./model.ts";
import { isSpecialPath } from "./module_paths.ts";
import { QUEUE_POLICIES, type RawNode } from "./schema.ts";
import { SourceFile, type YamlPath } from "./source.ts";
import { didYouMean } from "./suggest.ts";

/** A node's output or input: `node/port`. */
export interface Port {
  node: string;
  port: string;
}

/** One change to a running dataflow's graph. */
export type GraphEdit =
  | { kind: "add"; file: string }
  | { kind: "replace"; node: string; file: string }
  | { kind: "remove"; node: string; force?: boolean }
  | {
    kind: "connect";
    from: Port;
    to: Port;
    queueSize?: number;
    queuePolicy?: QueuePolicy;
  }
  | { kind: "disconnect"; from: Port; to: Port };

/** The graph of a running dataflow as its coordinator (or `dora run`) keeps it. */
export interface CurrentGraph {
  /** How messages name it, e.g. `dataflow "demo"`. */
  label: string;
  /** Absolute path of the descriptor it started from (its folder is the nodes' folder). */
  path: string;
  /** The flat descriptor YAML. */
  source: string;
}

/** What {@link analyzeEdit} found. */
export interface EditAnalysis {
  /** Errors and warnings; any error means the change must not be made. */
  diagnostics: Diagnostic[];
  /** The edited graph, resolved (when there are no errors). */
  dataflow?: Dataflow;
  /** The edited graph as flat YAML (when there are no errors). */
  flat?: string;
  /** Nodes the change adds or rewrites, resolved (replacements, connect/disconnect targets). */
  upsert: NodeSpec[];
  /** Node ids the change removes. */
  remove: string[];
  /** Inputs `--force` closes: `node/input` (a remove). */
  closes: Port[];
}

/** A change that does not fit the graph (refused before any check ran). */
export class GraphEditError extends Error {
  /** Creates the error; the message names the node, port or edge. */
  constructor(message: string) {
    super(message);
    this.name = "GraphEditError";
  }
}

/**
 * Checks `edit` against `current` and resolves the edited graph. Throws
 * {@link GraphEditError} when the change names what does not exist (or is
 * refused, like removing a node others still read without `force`);
 * returns diagnostics otherwise (errors: the change is invalid).
 */
export async function analyzeEdit(
  current: CurrentGraph,
  edit: GraphEdit,
): Promise<EditAnalysis> {
  const root = parse(current.source) as Record<string, unknown>;
  const nodes = (root.nodes ?? []) as RawNode[];
  const ids = nodes.map((n) => n.id);
  const find = (id: string, what = "node") => {
    const n = nodes.find((x) => x.id === id);
    if (!n) {
      throw new GraphEditError(
        `${current.label} has no ${what} "${id}"${
          didYouMean(id, ids) ||
          ` (its nodes: ${ids.map((i) => `"${i}"`).join(", ")})`
        }`,
      );
    }
    return n;
  };
  switch (edit.kind) {
    case "add": {
      const file = await nodeFile(edit.file, current);
      const taken = file.ids.flatMap(({ id, at }) =>
        ids.includes(id)
          ? [file.src.at(at, `node "${id}" already exists in ${current.label}`)]
          : []
      );
      if (file.problems.length || taken.length) {
        return refused([...file.problems, ...taken]);
      }
      return await check(current, root, nodes, [file.extra], {});
    }
    case "replace": {
      find(edit.node);
      const file = await nodeFile(edit.file, current);
      if (file.problems.length) return refused(file.problems);
      const problems: Diagnostic[] = [];
      if (file.ids.length !== 1) {
        problems.push(file.src.at(
          [],
          `\`dora node replace\` takes one node; ${file.src.file} defines ${file.ids.length}`,
        ));
      } else if (file.ids[0]!.id !== edit.node) {
        problems.push(file.src.at(
          file.ids[0]!.at,
          `the node is "${
            file.ids[0]!.id
          }", not "${edit.node}": \`dora node replace ${edit.node}\` swaps a node under the same id`,
        ));
      }
      if (problems.length) return refused(problems);
      const kept = nodes.filter((n) => n.id !== edit.node);
      return await check(current, root, kept, [file.extra], {
        replaced: edit.node,
      });
    }
    case "remove": {
      find(edit.node);
      const readers = readersOf(nodes, edit.node);
      if (readers.length && !edit.force) {
        throw new GraphEditError(
          `node "${edit.node}" still feeds ${
            readers.map((r) => `"${r.node}/${r.port}"`).join(", ")
          }; disconnect ${
            readers.length === 1 ? "that input" : "those inputs"
          } first (\`dora node disconnect ${readers[0]!.from} ${
            readers[0]!.node
          }/${readers[0]!.port}\`) or pass --force to close ${
            readers.length === 1 ? "it" : "them"
          }`,
        );
      }
      const kept = nodes.filter((n) => n.id !== edit.node).map((n) => {
        const closed = readers.filter((r) => r.node === n.id);
        if (!closed.length) return n;
        const inputs = { ...n.inputs };
        for (const r of closed) delete inputs[r.port];
        return { ...n, inputs };
      });
      const result = await check(current, root, kept, [], {
        changed: readers.map((r) => r.node),
      });
      result.remove = [edit.node];
      result.closes = readers.map((r) => ({ node: r.node, port: r.port }));
      return result;
    }
    case "connect": {
      const target = find(edit.to.node);
      const source = find(edit.from.node);
      checkOutput(source, edit.from, current.label);
      const existing = target.inputs?.[edit.to.port];
      const from = `${edit.from.node}/${edit.from.port}`;
      if (existing !== undefined) {
        const reads = sourceText(existing);
        throw new GraphEditError(
          reads === from
            ? `input "${edit.to.port}" of node "${edit.to.node}" already reads "${from}"`
            : `input "${edit.to.port}" of node "${edit.to.node}" already reads "${reads}" (an input has one source); disconnect it first`,
        );
      }
      if (
        edit.queueSize !== undefined &&
        !(Number.isSafeInteger(edit.queueSize) && edit.queueSize >= 1)
      ) {
        throw new GraphEditError(
          `queue size ${edit.queueSize} is not a whole number >= 1`,
        );
      }
      if (
        edit.queuePolicy !== undefined &&
        !QUEUE_POLICIES.includes(edit.queuePolicy)
      ) {
        throw new GraphEditError(
          `queue policy "${edit.queuePolicy}" is not one of ${
            QUEUE_POLICIES.join(", ")
          }`,
        );
      }
      const long = edit.queueSize !== undefined ||
        edit.queuePolicy !== undefined;
      const value = long
        ? {
          source: from,
          ...(edit.queueSize !== undefined
            ? { queue_size: edit.queueSize }
            : {}),
          ...(edit.queuePolicy !== undefined
            ? { queue_policy: edit.queuePolicy }
            : {}),
        }
        : from;
      const edited = nodes.map((n) =>
        n.id === edit.to.node
          ? { ...n, inputs: { ...n.inputs, [edit.to.port]: value } }
          : n
      );
      return await check(current, root, edited, [], {
        changed: [edit.to.node],
      });
    }
    case "disconnect": {
      const target = find(edit.to.node);
      const from = `${edit.from.node}/${edit.from.port}`;
      const existing = target.inputs?.[edit.to.port];
      const reads = existing === undefined ? undefined : sourceText(existing);
      if (reads !== from) {
        throw new GraphEditError(
          `there is no edge from "${from}" to "${edit.to.node}/${edit.to.port}"${
            reads === undefined
              ? ` (node "${edit.to.node}" has no input "${edit.to.port}")`
              : ` (that input reads "${reads}")`
          }`,
        );
      }
      const edited = nodes.map((n) => {
        if (n.id !== edit.to.node) return n;
        const inputs = { ...n.inputs };
        delete inputs[edit.to.port];
        return { ...n, inputs };
      });
      return await check(current, root, edited, [], {
        changed: [edit.to.node],
      });
    }
  }
}

/** The inputs that read an output (or the logs) of node `id`. */
function readersOf(
  nodes: RawNode[],
  id: string,
): { node: string; port: string; from: string }[] {
  const out: { node: string; port: string; from: string }[] = [];
  for (const n of nodes) {
    if (n.id === id) continue;
    for (const [input, value] of Object.entries(n.inputs ?? {})) {
      const text = sourceText(value);
      if (text === undefined) continue;
      const parsed = parseInputSource(text);
      if (!parsed.ok) continue;
      const s = parsed.source;
      if (
        (s.kind === "node" && s.node === id) ||
        (s.kind === "logs" && s.node === id)
      ) out.push({ node: n.id, port: input, from: text });
    }
  }
  return out;
}

/** Refuses `from.port` when node `raw` has no such output. */
function checkOutput(raw: RawNode, from: Port, label: string): void {
  const outputs = [
    ...raw.outputs ?? [],
    ...[raw.send_stdout_as, raw.send_logs_as].filter((o): o is string => !!o),
    ...(raw.operators ?? []).flatMap((op) =>
      (op.outputs ?? []).map((o) => `${op.id}/${o}`)
    ),
    ...(raw.operator?.outputs ?? []).map((o) =>
      `${raw.operator!.id ?? "op"}/${o}`
    ),
  ];
  if (outputs.includes(from.port)) return;
  throw new GraphEditError(
    `node "${from.node}" of ${label} has no output "${from.port}"${
      didYouMean(from.port, outputs) ||
      (outputs.length
        ? ` (its outputs: ${outputs.map((o) => `"${o}"`).join(", ")})`
        : " (it declares no outputs)")
    }`,
  );
}

/** A node file read for `add` / `replace`. */
interface NodeFile {
  src: SourceFile;
  extra: ExtraNodes;
  ids: { id: string; at: YamlPath }[];
  problems: Diagnostic[];
}

/**
 * Reads a node file: one node (a mapping with `id`), a list of nodes, or a
 * mapping with a `nodes` list. Relative paths of nodes are rebased onto the
 * dataflow's folder (the nodes run there).
 */
async function nodeFile(
  path: string,
  current: CurrentGraph,
): Promise<NodeFile> {
  const read = await readSource(path);
  if (!(read instanceof SourceFile)) {
    const src = new SourceFile(read.file, path, "");
    return { src, extra: empty(src), ids: [], problems: [read] };
  }
  const src = read;
  const fail = (message: string): NodeFile => ({
    src,
    extra: empty(src),
    ids: [],
    problems: [src.at([], message)],
  });
  if (src.syntax.some((d) => d.severity === "error")) {
    return { src, extra: empty(src), ids: [], problems: src.syntax };
  }
  const data = src.data;
  let list: unknown[];
  let pathOf: (i: number) => YamlPath;
  if (Array.isArray(data)) {
    list = data;
    pathOf = (i) => [i];
  } else if (isMapping(data) && Array.isArray(data.nodes)) {
    list = data.nodes;
    pathOf = (i) => ["nodes", i];
  } else if (isMapping(data) && "id" in data) {
    list = [data];
    pathOf = () => [];
  } else {
    return fail(
      "expected a node (a mapping with `id`), a list of nodes, or a mapping with a `nodes` list",
    );
  }
  if (list.length === 0) return fail("the file defines no node");
  const from = dirname(src.abs);
  const to = dirname(current.path);
  const rawNodes = list.map((n) => rebase(n, from, to));
  const ids = list.flatMap((n, i) => {
    const id = isMapping(n) ? n.id : undefined;
    return typeof id === "string" ? [{ id, at: [...pathOf(i), "id"] }] : [];
  });
  return { src, extra: { src, rawNodes, pathOf }, ids, problems: [] };
}

function empty(src: SourceFile): ExtraNodes {
  return { src, rawNodes: [], pathOf: (i) => [i] };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A node whose relative `path` points from folder `to` instead of `from`
 * (a module file stays relative to the file that names it).
 */
function rebase(node: unknown, from: string, to: string): unknown {
  if (from === to || !isMapping(node)) return node;
  const p = node.path;
  if (typeof p !== "string" || isAbsolute(p) || isSpecialPath(p)) return node;
  if (!p.includes("/") && !exists(join(from, p))) return node; // on $PATH
  return { ...node, path: relative(to, join(from, p)) };
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The result of a change refused with positioned problems. */
function refused(diagnostics: Diagnostic[]): EditAnalysis {
  return { diagnostics, upsert: [], remove: [], closes: [] };
}

/**
 * Checks the edited graph (`nodes`, plus `extra` nodes from files) like
 * `dora validate`: paths only of the nodes the change brings. Problems of
 * the running graph are errors without a position; its warnings were seen
 * when it started and are left out.
 */
async function check(
  current: CurrentGraph,
  root: Record<string, unknown>,
  nodes: RawNode[],
  extra: ExtraNodes[],
  what: { replaced?: string; changed?: string[] },
): Promise<EditAnalysis> {
  const text = yamlText({ ...root, nodes });
  const src = new SourceFile(current.label, current.path, text);
  // Only what the change brings is looked for on disk.
  const before = new Set(
    (root.nodes as RawNode[]).map((n) => n.id).filter((id) =>
      id !== what.replaced
    ),
  );
  const analysis = await analyzeSource(src, { extra, skipPathsOf: before });
  const diagnostics = analysis.diagnostics.flatMap((d) =>
    d.file !== current.label
      ? [d]
      : d.severity === "error"
      ? [{ ...d, line: 0, column: 0 }]
      : []
  );
  const result: EditAnalysis = {
    diagnostics,
    upsert: [],
    remove: [],
    closes: [],
  };
  if (hasErrors(diagnostics) || !analysis.dataflow) return result;
  const changed = new Set(what.changed ?? []);
  result.dataflow = analysis.dataflow;
  result.flat = yamlText(flatData(analysis));
  result.upsert = analysis.dataflow.nodes.filter((n) =>
    !before.has(n.id) || changed.has(n.id)
  );
  return result;
}
