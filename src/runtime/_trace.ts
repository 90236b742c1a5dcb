/**
 * Spans of the runtime's own work (`dora trace`): starting the dataflow
 * (`start_dataflow`, until the ready barrier), spawning each node
 * (`spawn_node`, until it connected), restarting one (`restart_node`), and
 * stopping (`stop_dataflow` with a `stop_node` per node, until it exited).
 * The runtime calls one method per event; nothing is recorded without a
 * tracer.
 *
 * @module
 */
import type { Span, SpanContext, Tracer } from "../inspect/trace.ts";
import type { RunningNode } from "./running_node.ts";

/** The spans of one runtime. */
export class RuntimeTrace {
  #tracer: Tracer;
  #id: string;
  /** A coordinator's span the start belongs to (a daemon's part of a start). */
  #parent?: SpanContext;
  #start?: Span;
  #stop?: Span;
  #spawns = new Map<string, Span>();
  #restarts = new Map<string, Span>();
  #stops = new Map<string, Span>();

  constructor(tracer: Tracer, dataflowId: string, parent?: SpanContext) {
    this.#tracer = tracer;
    this.#id = dataflowId;
    this.#parent = parent;
  }

  /** The runtime starts. Under a coordinator its span is the parent. */
  started(path: string): void {
    if (this.#parent) return;
    this.#start = this.#tracer.span("start_dataflow", {
      fields: { dataflow_id: this.#id, path },
    });
  }

  /** A node's process was spawned (first time or restart). */
  spawned(node: RunningNode): void {
    const id = node.spec.id;
    const parent = this.#restarts.get(id) ?? this.#start ?? this.#parent;
    this.#spawns.get(id)?.end({}, "respawned before it connected");
    this.#spawns.set(
      id,
      this.#tracer.span("spawn_node", {
        parent,
        fields: {
          node_id: id,
          dataflow_id: this.#id,
          pid: node.process?.pid,
          attempt: node.restarts > 0 ? node.restarts + 1 : undefined,
        },
      }),
    );
  }

  /** A node's spawn failed. */
  spawnFailed(node: RunningNode, error: string): void {
    const parent = this.#restarts.get(node.spec.id) ?? this.#start ??
      this.#parent;
    this.#tracer.span("spawn_node", {
      parent,
      fields: { node_id: node.spec.id, dataflow_id: this.#id },
    }).end({}, error);
  }

  /** A node connected (its `hello`): its spawn, and a restart, are done. */
  connected(node: RunningNode): void {
    const id = node.spec.id;
    this.#spawns.get(id)?.end();
    this.#spawns.delete(id);
    this.#restarts.get(id)?.end();
    this.#restarts.delete(id);
  }

  /** A node will be restarted (a new trace, ending when it connected again). */
  restarting(node: RunningNode, cause: string, delayMs: number): void {
    const id = node.spec.id;
    this.#restarts.get(id)?.end({}, "restarted again before it connected");
    this.#restarts.set(
      id,
      this.#tracer.span("restart_node", {
        fields: {
          node_id: id,
          dataflow_id: this.#id,
          attempt: node.restarts,
          cause,
          delay_ms: delayMs,
        },
      }),
    );
  }

  /** Every node connected (the ready barrier was released). */
  ready(): void {
    this.#start?.end();
  }

  /** The stop ladder began. */
  stopping(
    reason: string,
    graceMs: number,
    nodes: Iterable<RunningNode>,
    parent?: SpanContext,
  ): void {
    if (this.#stop) return;
    // Under a coordinator its `stop_dataflow` is the parent.
    this.#stop = this.#tracer.span(parent ? "stop_nodes" : "stop_dataflow", {
      parent,
      fields: { dataflow_id: this.#id, reason, grace_ms: graceMs },
    });
    for (const n of nodes) {
      if (!n.alive) continue;
      this.#stops.set(
        n.spec.id,
        this.#stop.child("stop_node", { node_id: n.spec.id }),
      );
    }
  }

  /** A node ended for good. */
  exited(node: RunningNode): void {
    const id = node.spec.id;
    const error = node.outcome === "failed" || node.outcome === "not_started"
      ? node.message ?? "failed"
      : undefined;
    this.#spawns.get(id)?.end({}, error ?? "exited before it connected");
    this.#spawns.delete(id);
    this.#restarts.get(id)?.end({}, error ?? "ended before it connected");
    this.#restarts.delete(id);
    this.#stops.get(id)?.end({ outcome: node.outcome });
    this.#stops.delete(id);
  }

  /** The run ended (or its start failed). */
  finished(error?: string): void {
    this.#start?.end(
      {},
      error ?? "the dataflow ended before every node connected",
    );
    this.#stop?.end();
  }
}
