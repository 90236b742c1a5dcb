/**
 * Open data (`--debug` / `publish_all_messages_to_zenoh: true`): every
 * output of the local nodes is also published on zenoh under
 * `dora/default/<dataflow>/output/<node>/<output>`, in the self-describing
 * open-data encoding (JSON for small primitive arrays, Arrow IPC otherwise;
 * docs/zenoh.md, "Open data"), so that any zenoh application can read a
 * running dataflow.
 *
 * The copies come from the runtime's taps: publishing never holds the
 * dataflow back. A subscriber queue that overflows while the bridge is slow
 * drops its oldest copies, counted in {@link OpenDataPublisher.lost}. A
 * bridge lost mid-run is warned about, the copies of the outage are dropped
 * (counted in {@link OpenDataPublisher.failed}) and publishing resumes once
 * the bridge answers again on the same endpoint.
 *
 * @module
 */
import { decodeMetadata, decodeValue } from "../message/mod.ts";
import {
  encodeOpenData,
  openDataAttachment,
  openDataKey,
  ReconnectingSession,
} from "../zenoh/mod.ts";
import type { DataflowRuntime } from "./runtime.ts";
import type { Tap } from "./delivery/taps.ts";

/** Copies of one output waiting for the bridge before the oldest is dropped. */
const QUEUE_SIZE = 256;

/** Publishes every output of a runtime's local nodes as open data. */
export class OpenDataPublisher {
  /** The bridge endpoint the samples go to. */
  readonly endpoint: string;
  /** Samples written to the bridge. */
  published = 0;
  /** Samples that failed to encode. */
  unencodable = 0;
  #session: ReconnectingSession;
  #taps: Tap[] = [];
  #loops: Promise<void>[] = [];
  #warn: (text: string) => void;
  #warned = false;

  private constructor(
    session: ReconnectingSession,
    warn: (text: string) => void,
  ) {
    this.#session = session;
    this.endpoint = session.endpoint;
    this.#warn = warn;
  }

  /**
   * Samples not published: zenoh refused them (the bridge was gone) or
   * they failed to encode.
   */
  get failed(): number {
    return this.#session.dropped + this.unencodable;
  }

  /** Copies dropped because the bridge was slower than the outputs. */
  get lost(): number {
    return this.#taps.reduce((n, t) => n + t.lost, 0);
  }

  /**
   * Opens a session on the bridge at `endpoint` and subscribes to every
   * output of `nodes` (call it before `runtime.start()` so that nothing
   * sent right after the start is missed).
   *
   * @throws {ZenohUnreachableError} nothing answers at `endpoint`.
   * @throws {ZenohVersionError} the bridge is of another zenoh version.
   */
  static async start(
    runtime: DataflowRuntime,
    nodes: string[],
    endpoint: string,
    warn: (text: string) => void,
  ): Promise<OpenDataPublisher> {
    const session = await ReconnectingSession.open(endpoint, {
      onLost: (ep) =>
        warn(
          `open data: lost the zenoh bridge at ${ep}; outputs are not published until it is back`,
        ),
      onBack: (ep, dropped) =>
        warn(
          `open data: reconnected to the zenoh bridge at ${ep}; publishing again (${dropped} message(s) were not published meanwhile)`,
        ),
    });
    const p = new OpenDataPublisher(session, warn);
    const local = new Set(nodes);
    for (const spec of runtime.dataflow.nodes) {
      if (!local.has(spec.id)) continue;
      const outputs = new Set(
        [...spec.outputs, spec.sendStdoutAs, spec.sendLogsAs].filter(
          (o): o is string => !!o,
        ),
      );
      for (const output of outputs) {
        const tap = runtime.subscribe(spec.id, output, {
          queueSize: QUEUE_SIZE,
          maxBytes: Infinity,
        });
        p.#taps.push(tap);
        p.#loops.push(p.#pump(tap, openDataKey(runtime.id, spec.id, output)));
      }
    }
    return p;
  }

  async #pump(tap: Tap, key: string): Promise<void> {
    for await (const m of tap) {
      let payload: Uint8Array;
      let encoding: string;
      let attachment: Uint8Array;
      try {
        const sample = encodeOpenData(decodeValue(m.layout, m.payload));
        payload = sample.payload;
        encoding = sample.encoding;
        const meta = decodeMetadata(m.metadata);
        attachment = openDataAttachment(meta.timestamp, meta.parameters);
      } catch (err) {
        this.unencodable++;
        this.#once(
          `open data: cannot encode a message of "${tap.node}/${tap.output}": ${
            err instanceof Error ? err.message : err
          }`,
        );
        continue;
      }
      // Dropped and counted while the bridge is gone.
      this.#session.put(key, payload, { encoding, attachment }).then(
        (written) => {
          if (written) this.published++;
        },
      );
    }
  }

  #once(text: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#warn(text);
  }

  /**
   * Ends the subscriptions, publishes what they still hold and closes the
   * session (the dataflow finished).
   */
  async close(): Promise<void> {
    for (const tap of this.#taps) tap.close();
    await Promise.all(this.#loops);
    await this.#session.close();
  }
}
