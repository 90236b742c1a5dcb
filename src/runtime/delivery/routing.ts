/**
 * Who receives what: the routing table of a dataflow, built once from the
 * descriptor — local receivers per `node/output`, outputs with receivers on
 * other machines, timer subscribers per interval, `dora/logs` subscribers.
 *
 * @module
 */
import type { Dataflow, LogLevel, NodeSpec } from "../../descriptor/model.ts";

/** One input of one node. */
export interface Receiver {
  node: string;
  input: string;
}

/** A `dora/logs` subscription. */
export interface LogSubscriber extends Receiver {
  /** Minimum level (`dora/logs/<level>`). */
  level?: LogLevel;
  /** Only this node's logs (`dora/logs/<level>/<node>`). */
  from?: string;
}

/** The routes of one dataflow as seen from one machine. */
export class RoutingTable {
  readonly #local = new Map<string, Receiver[]>();
  readonly #remote = new Set<string>();
  /** Timer subscribers per interval in ns. */
  readonly timers = new Map<bigint, Receiver[]>();
  readonly logs: LogSubscriber[] = [];

  /** `isLocal(node)`: whether the node runs on this machine. */
  constructor(dataflow: Dataflow, isLocal: (node: string) => boolean) {
    for (const node of dataflow.nodes) {
      const local = isLocal(node.id);
      for (const input of node.inputs) {
        const r = { node: node.id, input: input.id };
        const s = input.source;
        if (s.kind === "node") {
          const key = `${s.node}/${s.output}`;
          if (local) push(this.#local, key, r);
          else this.#remote.add(key);
        } else if (!local) continue;
        else if (s.kind === "timer") push(this.timers, s.intervalNs, r);
        else this.logs.push({ ...r, level: s.level, from: s.node });
      }
    }
  }

  /** Local receivers of `node/output`. */
  receivers(node: string, output: string): Receiver[] {
    return this.#local.get(`${node}/${output}`) ?? [];
  }

  /** Adds a local receiver of `node/output` (a route added at run time). */
  addRoute(node: string, output: string, r: Receiver): void {
    const list = this.receivers(node, output);
    if (list.some((x) => x.node === r.node && x.input === r.input)) return;
    push(this.#local, `${node}/${output}`, r);
  }

  /** Removes a local receiver of `node/output`; false when there was none. */
  removeRoute(node: string, output: string, r: Receiver): boolean {
    const key = `${node}/${output}`;
    const list = this.#local.get(key) ?? [];
    const i = list.findIndex((x) => x.node === r.node && x.input === r.input);
    if (i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.#local.delete(key);
    return true;
  }

  /**
   * Adds the routes of node `spec`'s inputs (a node that joined, or whose
   * inputs are rebuilt): local receivers, timers and log subscriptions when
   * it runs here, else its node sources as outputs read elsewhere. Returns
   * the timer intervals it newly subscribes to.
   */
  addNode(spec: NodeSpec, local: boolean): bigint[] {
    const newTimers: bigint[] = [];
    for (const input of spec.inputs) {
      const r = { node: spec.id, input: input.id };
      const s = input.source;
      if (s.kind === "node") {
        if (local) this.addRoute(s.node, s.output, r);
        else this.#remote.add(`${s.node}/${s.output}`);
      } else if (!local) continue;
      else if (s.kind === "timer") {
        if (!this.timers.has(s.intervalNs)) newTimers.push(s.intervalNs);
        push(this.timers, s.intervalNs, r);
      } else this.logs.push({ ...r, level: s.level, from: s.node });
    }
    return newTimers;
  }

  /** Marks `node/output` as read on another machine. */
  addRemote(node: string, output: string): void {
    this.#remote.add(`${node}/${output}`);
  }

  /** Forgets every route to node `id` (it left the dataflow). */
  removeNode(id: string): void {
    for (const [key, list] of [...this.#local]) {
      const kept = list.filter((r) => r.node !== id);
      if (kept.length) this.#local.set(key, kept);
      else this.#local.delete(key);
    }
    for (const [interval, list] of this.timers) {
      this.timers.set(interval, list.filter((r) => r.node !== id));
    }
    for (let i = this.logs.length - 1; i >= 0; i--) {
      if (this.logs[i]!.node === id) this.logs.splice(i, 1);
    }
  }

  /** Every local route: `[node, output, receiver]`. */
  *entries(): Iterable<[string, string, Receiver]> {
    for (const [key, list] of this.#local) {
      const slash = key.indexOf("/");
      for (const r of list) {
        yield [key.slice(0, slash), key.slice(slash + 1), r];
      }
    }
  }

  /** Whether `node/output` has receivers on another machine. */
  hasRemote(node: string, output: string): boolean {
    return this.#remote.has(`${node}/${output}`);
  }

  /** Local nodes reading any of `outputs` of `node`. */
  downstream(node: string, outputs: Iterable<string>): string[] {
    const out = new Set<string>();
    for (const o of outputs) {
      for (const r of this.receivers(node, o)) out.add(r.node);
    }
    return [...out];
  }
}

function push<K>(map: Map<K, Receiver[]>, key: K, r: Receiver): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}
