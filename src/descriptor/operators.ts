/**
 * How operators are named and wired, the original dora's rules: a runtime
 * node's outputs are `<operator>/<output>` (so other nodes read
 * `node/op/output`), a single `operator:` node's outputs are also reachable
 * as `node/output` (rewritten here to `node/op/output`), the node's inputs as
 * the daemon sees them are its operators' inputs fed from outside
 * (`<operator>/<input>`), and shared libraries get the platform's prefix and
 * suffix (`build/op` → `build/libop.so` on Linux).
 *
 * Every consumer of a resolved dataflow (routes, fault tolerance, other
 * machines) sees the same names because they are applied while resolving.
 *
 * @module
 */
import type { InputSpec, NodeSpec, OperatorSpec } from "./model.ts";

/** `lib` + name + `.so` on Linux, `.dylib` on macOS, name + `.dll` on Windows. */
export function sharedLibraryFile(
  path: string,
  os: typeof Deno.build.os = Deno.build.os,
): string {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  if (os === "windows") return `${dir}${name}.dll`;
  return `${dir}lib${name}${os === "darwin" ? ".dylib" : ".so"}`;
}

/**
 * Why a `shared-library:` value is not a bare library name (the original
 * adds prefix and suffix itself and refuses both), or `undefined`.
 */
export function sharedLibraryNameProblem(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name === "") return "the path has no file name";
  const suggestion = () => {
    const bare = name.replace(/^lib/, "").replace(/\.[^.]*$/, "");
    return `write "${path.slice(0, path.length - name.length)}${bare}"`;
  };
  if (name.startsWith("lib")) {
    return `the file name must not start with "lib": dora adds the platform's prefix and suffix (${suggestion()})`;
  }
  if (/\.[A-Za-z0-9]+$/.test(name)) {
    return `the file name must have no extension: dora adds the platform's prefix and suffix (${suggestion()})`;
  }
  return undefined;
}

/** The id the daemon and the runtime process use for an operator's input or output. */
export function operatorPort(operator: string, port: string): string {
  return `${operator}/${port}`;
}

/** Whether an input of `node`'s operators comes from another operator of the same node. */
export function isInternalInput(node: NodeSpec, input: InputSpec): boolean {
  return input.source.kind === "node" && input.source.node === node.id;
}

/** The outputs a runtime node sends, as `<operator>/<output>`, log outputs included. */
export function runtimeOutputs(operators: OperatorSpec[]): string[] {
  return [
    ...new Set(
      operators.flatMap((op) =>
        [...op.outputs, op.sendStdoutAs, op.sendLogsAs]
          .filter((o): o is string => !!o)
          .map((o) => operatorPort(op.id, o))
      ),
    ),
  ];
}

/**
 * The inputs of a runtime node as the daemon delivers them: every operator
 * input fed from outside the node, renamed `<operator>/<input>`.
 */
export function runtimeInputs(node: NodeSpec): InputSpec[] {
  return (node.operators ?? []).flatMap((op) =>
    op.inputs.filter((i) => !isInternalInput(node, i)).map((i) => ({
      ...i,
      id: operatorPort(op.id, i.id),
    }))
  );
}

/**
 * Rewrites inputs that read a single-operator node by its short form
 * (`node/output`) to the full output id (`node/op/output`), in place.
 * Validation already checked that the output exists.
 */
export function resolveOperatorAliases(nodes: NodeSpec[]): void {
  const single = new Map<string, OperatorSpec>();
  for (const n of nodes) {
    if (n.kind === "runtime" && n.operators?.length === 1 && n.singleOperator) {
      single.set(n.id, n.operators[0]!);
    }
  }
  if (single.size === 0) return;
  const rewrite = (inputs: InputSpec[]) => {
    for (const input of inputs) {
      const s = input.source;
      if (s.kind !== "node") continue;
      const op = single.get(s.node);
      if (!op || runtimeOutputs([op]).includes(s.output)) continue;
      if ([...op.outputs, op.sendStdoutAs, op.sendLogsAs].includes(s.output)) {
        input.source = { ...s, output: operatorPort(op.id, s.output) };
      }
    }
  };
  for (const n of nodes) {
    rewrite(n.inputs);
    for (const op of n.operators ?? []) rewrite(op.inputs);
  }
}
