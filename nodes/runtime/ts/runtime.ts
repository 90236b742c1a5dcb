/**
 * The operator runtime: one node (the public `Node` API) hosting several
 * operators. Events from the daemon go to their operator's inbox
 * (`<operator>/<input>` → `<input>`); each operator handles its events one at
 * a time in its own loop; an output goes straight into the inboxes of
 * operators of this process that read it (no socket) and to the daemon when
 * other nodes read it. An operator that returns `STOP` (or whose inputs all
 * closed) is dropped and its outputs close; `STOP_ALL` stops the dataflow;
 * an exception fails the whole node (exit code 1) with its stack.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { Event, InputEvent, Node, SendOutput } from "../../api/ts/mod.ts";
import {
  HybridLogicalClock,
  type Params,
  type SendableValue,
} from "../../../src/message/mod.ts";
import type { OperatorConfig, RuntimeConfig } from "./config.ts";
import { Inbox } from "./inbox.ts";
import { internalEvent, toVector } from "./internal_event.ts";
import type { CapturedLevel, LogCapture } from "./log_capture.ts";
import type { OperatorHost } from "./operator_host.ts";

/** The reserved input that asks to reload an operator (`--hot-reload`). */
export const RELOAD_INPUT = "dora/reload";

/** Events an operator handles back to back before the process gets a turn. */
const SYNC_EVENTS = 64;

/** An event in an inbox that asks the operator's loop to reload it. */
const RELOAD: Event = { type: "ERROR", error: "reload" };

interface HostedOperator {
  config: OperatorConfig;
  host: OperatorHost;
  inbox: Inbox;
  send: SendOutput;
  done: boolean;
  dropWarned: Set<string>;
}

const LEVELS = ["error", "warn", "info", "debug", "trace", "stdout"];

/** Whether a line of `level` passes an operator's `min_log_level`. */
export function passesLevel(level: string, min: string | undefined): boolean {
  if (min === undefined || min === "stdout") return true;
  if (level === "stdout") return false;
  return LEVELS.indexOf(level) <= LEVELS.indexOf(min);
}

/** Runs the operators of one runtime node. */
export class OperatorRuntime {
  #node: Node;
  #config: RuntimeConfig;
  #ops = new Map<string, HostedOperator>();
  #capture: LogCapture;
  #clock = new HybridLogicalClock();
  #failed = false;
  #onFailure!: () => void;
  #failure = new Promise<void>((resolve) => this.#onFailure = resolve);

  constructor(
    node: Node,
    config: RuntimeConfig,
    hosts: Map<string, OperatorHost>,
    capture: LogCapture,
  ) {
    this.#node = node;
    this.#config = config;
    this.#capture = capture;
    for (const c of config.operators) {
      const op: HostedOperator = {
        config: c,
        host: hosts.get(c.id)!,
        inbox: new Inbox(c.inputs, (input, total, cap) => {
          if (op.dropWarned.has(input)) return;
          op.dropWarned.add(input);
          this.#say(
            "warn",
            `${
              this.#name(c.id)
            } is dropping messages on input "${input}" (queue of ${cap}): it is slower than its sender (${total} so far)`,
          );
        }),
        send: (id, value, params) => this.#send(op, id, value, params),
        done: false,
        dropWarned: new Set(),
      };
      this.#ops.set(c.id, op);
    }
  }

  /** Creates the operators, runs them until all are done; the exit code. */
  async run(): Promise<number> {
    for (const op of this.#ops.values()) {
      try {
        await this.#capture.run(op.config.id, () => op.host.init());
      } catch (e) {
        this.#fail(op, e, "failed to start");
        return 1;
      }
    }
    // Each loop runs in its operator's context (console attribution), entered
    // once: the context follows every await of the loop.
    const loops = [...this.#ops.values()].map((op) =>
      this.#capture.run(op.config.id, () => this.#loop(op))
    );
    const dispatch = this.#dispatch();
    // A failing operator ends the node at once, even if another one hangs.
    await Promise.race([Promise.all(loops), this.#failure]);
    if (this.#failed) return 1;
    this.#reportDrops();
    await this.#node.close();
    await dispatch;
    return this.#failed ? 1 : 0;
  }

  /** Events from the daemon into the inboxes. */
  async #dispatch(): Promise<void> {
    for await (const event of this.#node) {
      if (this.#failed) return;
      switch (event.type) {
        case "INPUT": {
          if (event.id === RELOAD_INPUT) {
            const id = String(event.metadata.parameters.operator ?? "");
            this.#ops.get(id)?.inbox.control(RELOAD);
            break;
          }
          const [op, input] = this.#target(event.id);
          if (!op) break;
          op.inbox.push(input, renamed(event.retain(), input));
          // A full queue holds the daemon back (backpressure) until there is room.
          if (op.inbox.isFull(input)) await op.inbox.room(input);
          break;
        }
        case "INPUT_CLOSED": {
          const [op, input] = this.#target(event.id);
          op?.inbox.close(input);
          break;
        }
        case "INPUT_RECOVERED": {
          const [op, input] = this.#target(event.id);
          op?.inbox.control({ type: "INPUT_RECOVERED", id: input });
          break;
        }
        case "NODE_RESTARTED":
          for (const op of this.#ops.values()) {
            const reads = Object.values(op.config.inputs)
              .some((i) => i.source === event.id);
            if (reads && !op.done) op.inbox.control(event);
          }
          break;
        case "NODE_FAILED": {
          const byOp = new Map<HostedOperator, string[]>();
          for (const full of event.inputs) {
            const [op, input] = this.#target(full);
            if (op) byOp.set(op, [...byOp.get(op) ?? [], input]);
          }
          for (const [op, inputs] of byOp) {
            op.inbox.control({ ...event, inputs });
          }
          break;
        }
        case "STOP":
          // A manual stop reaches every operator at once. After all inputs
          // of the node closed, each operator stops when its own inputs
          // (also those from operators of this node) are closed and drained;
          // operators without inputs stop now.
          for (const op of this.#ops.values()) {
            if (
              event.cause === "MANUAL" ||
              Object.keys(op.config.inputs).length === 0
            ) op.inbox.stop(event);
          }
          break;
        case "ERROR":
          this.#say("error", `the dora daemon reported: ${event.error}`);
          for (const op of this.#ops.values()) op.inbox.control(event);
          break;
      }
    }
  }

  /** The operator and input of a node input id `<operator>/<input>`. */
  #target(full: string): [HostedOperator | undefined, string] {
    const slash = full.indexOf("/");
    const op = this.#ops.get(full.slice(0, slash));
    return [op && !op.done ? op : undefined, full.slice(slash + 1)];
  }

  /** One operator's events, one at a time. */
  async #loop(op: HostedOperator): Promise<void> {
    const id = op.config.id;
    let inARow = 0;
    for (;;) {
      // A ready event is taken without a promise round trip (latency), but
      // a busy operator lets the rest of the process (sockets, the other
      // operators) run now and then.
      let event = inARow < SYNC_EVENTS ? op.inbox.take() : undefined;
      if (inARow >= SYNC_EVENTS) {
        inARow = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (event === undefined) event = await op.inbox.next();
      else inARow++;
      if (event === null || this.#failed) break;
      if (event === RELOAD) {
        await this.#reload(op);
        continue;
      }
      let status: unknown;
      try {
        status = op.host.onEvent(event, op.send);
        if (status instanceof Promise) status = await status;
      } catch (e) {
        this.#fail(op, e, `failed in onEvent (${describe(event)})`);
        return;
      } finally {
        // Done with the data (shared memory goes back) unless the operator kept it.
        if (event.type === "INPUT" && !(event as Retainable).retained) {
          (event as InputEvent).release();
        }
      }
      if (status === undefined || status === null || status === 0) {
        if (event.type === "STOP") break;
        continue;
      }
      if (status === 1) break;
      if (status === 2) {
        this.#say("info", `${this.#name(id)} returned STOP_ALL`);
        this.#node.stopDataflow();
        break;
      }
      this.#fail(
        op,
        new Error(
          `onEvent returned ${
            JSON.stringify(status)
          }, not a DoraStatus (CONTINUE, STOP or STOP_ALL)`,
        ),
        "failed",
      );
      return;
    }
    await this.#finish(op);
  }

  /** The operator is done: drop it, close its outputs. */
  async #finish(op: HostedOperator): Promise<void> {
    if (op.done) return;
    op.done = true;
    op.inbox.end();
    try {
      await this.#capture.run(op.config.id, () => op.host.drop());
    } catch (e) {
      this.#say(
        "warn",
        `${this.#name(op.config.id)}: dropping it failed: ${errorText(e)}`,
      );
    }
    if (this.#failed) return;
    const toDaemon: string[] = [];
    for (const [output, route] of Object.entries(op.config.outputs)) {
      if (route.daemon) toDaemon.push(`${op.config.id}/${output}`);
      for (const r of route.to) this.#ops.get(r.operator)?.inbox.close(r.input);
    }
    const open = new Set(this.#node.outputs);
    const closing = toDaemon.filter((o) => open.has(o));
    if (closing.length) {
      try {
        this.#node.closeOutputs(closing);
      } catch {
        // the connection is gone: the daemon closes them itself
      }
    }
  }

  async #reload(op: HostedOperator): Promise<void> {
    const name = this.#name(op.config.id);
    if (!op.host.reload) {
      this.#say(
        "warn",
        `${name}: ${op.config.kind} operators cannot be reloaded`,
      );
      return;
    }
    try {
      await this.#capture.run(op.config.id, () => op.host.reload!());
      this.#say(
        "info",
        `${name} reloaded from ${op.config.file} (a new instance: its state was reset)`,
      );
    } catch (e) {
      this.#say(
        "error",
        `${name}: reload of ${op.config.file} failed, the running version stays: ${
          errorText(e)
        }`,
      );
    }
  }

  #send(
    op: HostedOperator,
    id: string,
    value: SendableValue,
    params?: Params,
  ): void | Promise<void> {
    const route = op.config.outputs[id];
    if (!route) {
      const declared = Object.keys(op.config.outputs).map((o) => `"${o}"`)
        .join(", ") || "none";
      throw new Error(
        `${
          this.#name(op.config.id)
        } has no output "${id}" (declared outputs: ${declared})`,
      );
    }
    if (op.done) {
      throw new Error(`${this.#name(op.config.id)} has stopped`);
    }
    const parameters = paramsOf(params);
    // Resolves when a full backpressure queue of a receiver has room again.
    let room: Promise<unknown> | undefined;
    if (route.to.length > 0) {
      const vector = toVector(value);
      const timestamp = this.#clock.now();
      for (const r of route.to) {
        const target = this.#ops.get(r.operator);
        if (!target || target.done) continue;
        target.inbox.push(
          r.input,
          internalEvent(r.input, vector, timestamp, parameters),
        );
        if (target.inbox.isFull(r.input)) {
          const wait = target.inbox.room(r.input);
          room = room ? Promise.all([room, wait]) : wait;
        }
      }
    }
    if (route.daemon) {
      const written = this.#node.sendOutput(
        `${op.config.id}/${id}`,
        value,
        parameters,
      );
      room = room ? Promise.all([room, written]) : written;
    }
    return room as Promise<void> | undefined;
  }

  /** One captured console line of operator `id`: logs, `send_stdout_as`, `send_logs_as`. */
  onLine(id: string, level: CapturedLevel, message: string): void {
    const op = this.#ops.get(id);
    const c = op?.config;
    if (c?.send_stdout_as && level === "stdout" && !op!.done) {
      this.#trySend(op!, c.send_stdout_as, [message]);
    }
    if (!passesLevel(level, c?.min_log_level)) return;
    const record = { level, message, target: id, fields: {} };
    const line = JSON.stringify(record);
    if (level === "error" || level === "warn") {
      this.#capture.original.error(line);
    } else this.#capture.original.log(line);
    if (c?.send_logs_as && !op!.done) {
      this.#trySend(
        op!,
        c.send_logs_as,
        [JSON.stringify({
          ts: new Date().toISOString(),
          level,
          node: this.#config.node_id,
          stream: level === "error" || level === "warn" ? "stderr" : "stdout",
          msg: message,
          target: id,
          fields: null,
        })],
      );
    }
  }

  #trySend(op: HostedOperator, output: string, value: string[]): void {
    try {
      this.#send(op, output, value);
    } catch {
      // a closed output: the line is still in the log
    }
  }

  /** A message of the runtime itself, as a structured log line. */
  #say(level: "error" | "warn" | "info", message: string): void {
    const line = JSON.stringify({
      level,
      message,
      target: this.#config.node_id,
      fields: {},
    });
    if (level === "info") this.#capture.original.log(line);
    else this.#capture.original.error(line);
  }

  #name(id: string): string {
    return `operator "${id}" of node "${this.#config.node_id}"`;
  }

  /** An operator threw: the whole node fails (exit code 1) with the stack. */
  #fail(op: HostedOperator, e: unknown, what: string): void {
    if (this.#failed) return;
    this.#failed = true;
    // The stack first, the headline last: the daemon reports the last lines.
    if (e instanceof Error && e.stack) this.#capture.original.error(e.stack);
    this.#capture.original.error(
      `error: ${this.#name(op.config.id)} ${what}: ${errorText(e)}`,
    );
    for (const o of this.#ops.values()) o.inbox.end();
    this.#onFailure();
  }

  #reportDrops(): void {
    for (const op of this.#ops.values()) {
      const drops = Object.entries(op.inbox.drops()).filter(([, n]) => n > 0);
      if (drops.length === 0) continue;
      this.#say(
        "warn",
        `${this.#name(op.config.id)} dropped ${
          drops.map(([i, n]) => `${n} on "${i}"`).join(", ")
        }`,
      );
    }
  }
}

/** An input event an operator may keep past `onEvent` with `retain()`. */
type Retainable = InputEvent & { retained?: boolean };

/** The daemon's input event under the operator's own input id (data decoded lazily, as before). */
function renamed(event: InputEvent, id: string): InputEvent {
  const local: Retainable = {
    type: "INPUT",
    id,
    get value() {
      return event.value;
    },
    metadata: event.metadata,
    release: () => event.release(),
    retain() {
      local.retained = true;
      return local;
    },
    [Symbol.dispose]: () => event.release(),
  };
  return local;
}

/** Parameters from what an operator passed: `Params`, or a whole event's `metadata`. */
function paramsOf(params: unknown): Params | undefined {
  if (!params || typeof params !== "object") return undefined;
  const p = params as Record<string, unknown>;
  if (
    typeof p.timestamp === "bigint" && p.parameters &&
    typeof p.parameters === "object"
  ) return p.parameters as Params;
  return p as Params;
}

function describe(event: Event): string {
  return "id" in event && typeof event.id === "string"
    ? `${event.type} "${event.id}"`
    : event.type;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
