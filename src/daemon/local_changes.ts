/**
 * The change methods of a `dora run` (`dora param`, `dora node restart/
 * stop/add/remove/replace/connect/disconnect`), served on its local endpoint
 * next to the inspection methods: the same methods and answers as a
 * coordinator's (`src/control/changes.ts`), for the one in-process runtime.
 * Parameters live as long as the run; the graph's flat YAML and revision
 * are kept here.
 *
 * @module
 */
import {
  ChangeError,
  type GraphApplyParams,
  type GraphApplyResult,
  type GraphResult,
  type NodeControlParams,
  type NodeControlResult,
  type ParamChangeResult,
  type ParamDeleteParams,
  type ParamGetResult,
  type ParamListResult,
  type ParamSetParams,
} from "../control/changes.ts";
import {
  checkResolvedDataflow,
  didYouMean,
  paramKeyProblem,
  type ParamValue,
  paramValueProblem,
} from "../descriptor/mod.ts";
import type { Dataflow } from "../descriptor/mod.ts";
import { errorMessage } from "../errors.ts";
import {
  buildChange,
  type ChangeBuildOptions,
  nodesToBuild,
} from "./graph_build.ts";
import type { DataflowRuntime } from "../runtime/mod.ts";

/** The methods {@link LocalChanges} serves. */
export const LOCAL_CHANGE_METHODS = [
  "graph_get",
  "graph_apply",
  "param_list",
  "param_get",
  "param_set",
  "param_delete",
  "node_restart",
  "node_stop",
] as const;

/** The daemon id `dora run`'s nodes are placed on in answers. */
const LOCAL = "local";

/** The change methods of one `dora run` (see the module doc). */
export class LocalChanges {
  readonly #runtime: DataflowRuntime;
  readonly #name: string;
  readonly #env: Record<string, string>;
  readonly #build: ChangeBuildOptions;
  /** The current graph as the descriptor gives it (before builds resolved it). */
  #raw: Dataflow;
  #source?: string;
  #revision = 0;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * `name`: the dataflow's name; `source`: its flat YAML (what `dora
   * expand` prints), which graph changes are checked against; `env`: the
   * run's `--env`, which nodes added later get too; `raw`: the dataflow
   * before the build stage resolved it; `build`: how nodes that join or
   * are redefined are built (as the run built its nodes).
   */
  constructor(
    runtime: DataflowRuntime,
    name: string,
    opts: {
      source?: string;
      env?: Record<string, string>;
      raw?: Dataflow;
      build?: ChangeBuildOptions;
    } = {},
  ) {
    this.#runtime = runtime;
    this.#name = name;
    this.#source = opts.source;
    this.#env = opts.env ?? {};
    this.#raw = opts.raw ?? runtime.dataflow;
    this.#build = opts.build ?? { build: true };
  }

  /** Whether `method` is one of {@link LOCAL_CHANGE_METHODS}. */
  handles(method: string): boolean {
    return (LOCAL_CHANGE_METHODS as readonly string[]).includes(method);
  }

  /** Answers one request; changes run one at a time, in order. */
  handle(method: string, params: Record<string, unknown>): Promise<unknown> {
    const run = this.#queue.then(
      () => this.#answer(method, params),
      () => this.#answer(method, params),
    );
    this.#queue = run.catch(() => {});
    return run;
  }

  #answer(method: string, p: Record<string, unknown>): unknown {
    const rt = this.#runtime;
    const who = { uuid: rt.id, name: this.#name };
    switch (method) {
      case "graph_get": {
        const result: GraphResult = {
          ...who,
          revision: this.#revision,
          path: rt.dataflow.path,
          source: this.#source,
          descriptor: rt.dataflow,
        };
        return result;
      }
      case "graph_apply":
        return this.#apply(p as unknown as GraphApplyParams);
      case "param_list": {
        const node = this.#node(p);
        const params = rt.params(node);
        const result: ParamListResult = {
          ...who,
          node,
          params: Object.keys(params).sort().map((key) => ({
            key,
            json: JSON.stringify(params[key]),
          })),
        };
        return result;
      }
      case "param_get": {
        const node = this.#node(p);
        const key = String(p.key);
        const params = rt.params(node);
        if (!Object.hasOwn(params, key)) throw this.#noParam(node, key);
        const result: ParamGetResult = {
          ...who,
          node,
          key,
          json: JSON.stringify(params[key]),
        };
        return result;
      }
      case "param_set": {
        const q = p as unknown as ParamSetParams;
        const node = this.#node(p);
        const key = String(q.key);
        let value: ParamValue;
        try {
          value = JSON.parse(String(q.json));
        } catch (err) {
          throw new ChangeError(
            "bad_param",
            `the value is not valid JSON: ${errorMessage(err)}`,
          );
        }
        const problem = paramKeyProblem(key) ?? paramValueProblem(value);
        if (problem) throw new ChangeError("bad_param", problem);
        const delivered = rt.setParam(node, key, value);
        const result: ParamChangeResult = {
          ...who,
          node,
          key,
          delivered,
          ...(delivered ? {} : {
            note:
              "the node is not connected now; it gets the value when it connects",
          }),
        };
        return result;
      }
      case "param_delete": {
        const q = p as unknown as ParamDeleteParams;
        const node = this.#node(p);
        const key = String(q.key);
        if (!rt.deleteParam(node, key)) throw this.#noParam(node, key);
        const result: ParamChangeResult = {
          ...who,
          node,
          key,
          delivered: true,
        };
        return result;
      }
      case "node_restart":
      case "node_stop": {
        const q = p as unknown as NodeControlParams;
        const node = this.#node(p);
        const graceMs = q.graceMs === undefined ? undefined : Number(q.graceMs);
        if (method === "node_restart") rt.restartNode(node, graceMs);
        else rt.stopNode(node, graceMs);
        const result: NodeControlResult = { ...who, node };
        return result;
      }
      default:
        throw new Error(`unknown method "${method}"`);
    }
  }

  async #apply(p: GraphApplyParams): Promise<GraphApplyResult> {
    const rt = this.#runtime;
    if (Number(p.revision) !== this.#revision) {
      throw new ChangeError(
        "conflict",
        `the graph of dataflow "${this.#name}" changed meanwhile (revision ${this.#revision}, the change was made against ${p.revision}); nothing changed`,
      );
    }
    const next = checkResolvedDataflow(p.descriptor);
    // Nodes of `dora run` get the run's `--env` like the others.
    const prepared: Dataflow = {
      ...next,
      nodes: next.nodes.map((n) => ({ ...n, env: { ...n.env, ...this.#env } })),
    };
    const all = next.nodes.map((n) => n.id);
    let ready: Dataflow;
    try {
      ready = await buildChange(
        prepared,
        nodesToBuild(this.#raw, next, all),
        all,
        this.#build,
      );
    } catch (err) {
      // "nothing changed" on the first line, the build's output below it.
      const [head, ...tail] = errorMessage(err).split("\n");
      throw new ChangeError(
        "build_failed",
        [`${head}; nothing changed`, ...tail].join("\n"),
      );
    }
    rt.checkGraph(ready);
    const before = new Set(rt.dataflow.nodes.map((n) => n.id));
    const s = await rt.applyGraph(ready, undefined, {
      graceMs: p.graceMs === undefined ? undefined : Number(p.graceMs),
    });
    this.#raw = next;
    this.#revision++;
    this.#source = String(p.source);
    const sorted = (xs: string[]) => [...xs].sort();
    return {
      uuid: rt.id,
      name: this.#name,
      revision: this.#revision,
      added: sorted(s.added),
      removed: sorted(s.removed),
      replaced: sorted(s.replaced),
      connected: sorted(s.connected),
      disconnected: sorted(s.disconnected),
      placed: Object.fromEntries(
        s.added.filter((id) => !before.has(id)).map((id) => [id, LOCAL]),
      ),
    };
  }

  /** The node `p.node` names; an unknown one is a `ChangeError` naming it. */
  #node(p: Record<string, unknown>): string {
    const node = String(p.node);
    const ids = this.#runtime.dataflow.nodes.map((n) => n.id);
    if (!ids.includes(node)) {
      throw new ChangeError(
        "unknown_node",
        `dataflow "${this.#name}" (${this.#runtime.id}) has no node "${node}"${
          didYouMean(node, ids) ||
          ` (its nodes: ${ids.map((n) => `"${n}"`).join(", ")})`
        }`,
      );
    }
    return node;
  }

  #noParam(node: string, key: string): ChangeError {
    return new ChangeError(
      "no_param",
      `node "${node}" of dataflow "${this.#name}" (${this.#runtime.id}) has no parameter "${key}"`,
    );
  }
}
