/**
 * One dataflow as Foxglove channels: every output advertised with the
 * encoding of `encoding.ts`, learnt from its type annotation and from a
 * short probe of the message tap (layouts only, no payload copied) when the
 * feed opens; the connection graph; and node parameters through the param
 * store (`param_list` / `param_get` / `param_set` / `param_delete` on the
 * dataflow's endpoint). Shared by every Foxglove client of the server.
 *
 * @module
 */
import { RemoteError } from "../../control/peer.ts";
import type { DataLayout } from "../../message/mod.ts";
import type { ViewedDataflow } from "../access.ts";
import type { TapHandle } from "../watch.ts";
import type { WatchLease, WatchPool } from "../watch_pool.ts";
import {
  ANY_VALUE,
  type ChannelEncoding,
  channelEncoding,
} from "./encoding.ts";
import type { Channel, Parameter, ServerMessage } from "./protocol.ts";

/** A dora output as a Foxglove channel. */
export interface FeedChannel {
  channel: Channel;
  topic: string;
  node: string;
  encoding: ChannelEncoding;
}

/** How long the probe waits for a first message of each output. */
export const PROBE_MS = 1500;

/** Parameters are not served by the dataflow's endpoint. */
export class ParamsUnavailableError extends Error {
  readonly code = "params_unavailable";
  constructor(why: string) {
    super(
      `this dataflow's parameters cannot be read or set (${why}); they need dora's param store (\`dora param\`)`,
    );
    this.name = "ParamsUnavailableError";
  }
}

/** The Foxglove name of a node parameter: `node.key`. */
export function paramName(node: string, key: string): string {
  return `${node}.${key}`;
}

/** Splits `node.key` (the node id has no dot). */
export function splitParamName(
  name: string,
): { node: string; key: string } | undefined {
  const dot = name.indexOf(".");
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return { node: name.slice(0, dot), key: name.slice(dot + 1) };
}

/** A dataflow served to Foxglove clients. */
export class FoxgloveFeed {
  readonly dataflow: ViewedDataflow;
  readonly lease: WatchLease;
  /** Channels by id. */
  readonly channels = new Map<number, FeedChannel>();
  /** Why the outputs cannot be streamed (no debug inspection), if so. */
  readonly tapProblem?: string;
  #subscribers = new Map<string, string[]>();

  private constructor(
    dataflow: ViewedDataflow,
    lease: WatchLease,
    tapProblem?: string,
  ) {
    this.dataflow = dataflow;
    this.lease = lease;
    this.tapProblem = tapProblem;
  }

  /** Watches `dataflow`, probes its outputs and builds the channels. */
  static async open(
    pool: WatchPool,
    dataflow: ViewedDataflow,
    opts: { probeMs?: number } = {},
  ): Promise<FoxgloveFeed> {
    const lease = await pool.lease(dataflow);
    try {
      const w = lease.watch;
      const topics = w.latest?.topics ?? [];
      const layouts = new Map<string, DataLayout>();
      let tapProblem: string | undefined;
      if (!w.latest?.debug) {
        tapProblem = `dataflow ${
          dataflow.name ?? dataflow.uuid
        } was started without debug inspection, so its messages cannot be streamed: start it with \`--debug\` (\`dora run --debug\` or \`dora start --debug\`)`;
      } else if (topics.length > 0) {
        // Probe: one copy of each output's layout, no payload.
        const seen = Promise.withResolvers<void>();
        const probes: TapHandle[] = [];
        const timer = setTimeout(seen.resolve, opts.probeMs ?? PROBE_MS);
        try {
          for (const t of topics) {
            probes.push(
              await w.tap(t.topic, { maxBytes: 0, queueSize: 1 }, (ms) => {
                const m = ms.find((x) => x.d);
                if (m && !layouts.has(t.topic)) {
                  layouts.set(t.topic, m.d!);
                  if (layouts.size === topics.length) seen.resolve();
                }
              }),
            );
          }
          await seen.promise;
        } catch (err) {
          tapProblem = err instanceof Error ? err.message : String(err);
        } finally {
          clearTimeout(timer);
          for (const p of probes) p.close();
        }
      }
      const feed = new FoxgloveFeed(dataflow, lease, tapProblem);
      topics.forEach((t, i) => {
        const encoding = tapProblem
          ? ANY_VALUE
          : channelEncoding(t.type, layouts.get(t.topic));
        feed.channels.set(i + 1, {
          channel: {
            id: i + 1,
            topic: t.topic,
            encoding: "json",
            schemaName: encoding.schemaName,
            schema: JSON.stringify(encoding.schema),
            schemaEncoding: "jsonschema",
          },
          topic: t.topic,
          node: t.publisher,
          encoding,
        });
        feed.#subscribers.set(
          t.topic,
          [...new Set(t.subscribers.map((s) => s.split("/")[0]!))],
        );
      });
      return feed;
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  /** Why the feed ended, once it has. */
  get ended(): string | undefined {
    return this.lease.watch.ended;
  }

  /** The `connectionGraphUpdate` of the dataflow: outputs and their readers. */
  connectionGraph(): ServerMessage {
    const published = [...this.channels.values()].map((c) => ({
      name: c.topic,
      publisherIds: [c.node],
    }));
    const subscribed = [...this.#subscribers]
      .filter(([, ids]) => ids.length > 0)
      .map(([name, ids]) => ({ name, subscriberIds: ids }));
    return {
      op: "connectionGraphUpdate",
      publishedTopics: published,
      subscribedTopics: subscribed,
      advertisedServices: [],
      removedTopics: [],
      removedServices: [],
    };
  }

  /** The node ids of the dataflow. */
  nodes(): string[] {
    return (this.lease.watch.latest?.nodes ?? []).map((n) => n.node_id);
  }

  async #call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    try {
      return await this.lease.watch.peer.call<T>(method, {
        ref: this.dataflow.uuid,
        ...params,
      });
    } catch (err) {
      // An endpoint without the param store answers without a code.
      if (err instanceof RemoteError && err.code === undefined) {
        throw new ParamsUnavailableError(err.message);
      }
      throw err;
    }
  }

  /** Every parameter of every node, or of the nodes named in `names`. */
  async getParameters(names: string[]): Promise<Parameter[]> {
    const wanted = names.map(splitParamName).filter((x) => x !== undefined);
    const nodes = names.length === 0
      ? this.nodes()
      : [...new Set(wanted.map((w) => w.node))];
    const out: Parameter[] = [];
    await Promise.all(nodes.map(async (node) => {
      const r = await this.#call<{ params: { key: string; json: string }[] }>(
        "param_list",
        { node },
      );
      for (const { key, json } of r.params) {
        const name = paramName(node, key);
        if (names.length === 0 || names.includes(name)) {
          out.push({ name, value: JSON.parse(json) });
        }
      }
    }));
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Sets (or, with an undefined value, deletes) one parameter. */
  async setParameter(p: Parameter): Promise<void> {
    const target = splitParamName(p.name);
    if (!target) {
      throw new RangeError(
        `parameter "${p.name}" is not named NODE.KEY (e.g. "planner.speed")`,
      );
    }
    if (p.value === undefined) {
      await this.#call("param_delete", target);
    } else {
      await this.#call("param_set", {
        ...target,
        json: JSON.stringify(p.value),
      });
    }
  }

  /** Gives the watch back. */
  close(): void {
    this.lease.release();
  }
}
