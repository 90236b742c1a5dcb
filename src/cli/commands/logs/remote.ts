/**
 * `dora logs` through the coordinator: the daemons that ran the nodes read
 * their `out/<uuid>/log_<node>.jsonl` files; the CLI merges, filters
 * (time → grep → tail) and prints them, and with `--follow` streams new
 * records until the dataflow ends.
 *
 * @module
 */
import { useColor, writeLines } from "../../_output.ts";
import { CliError, UsageError } from "../../errors.ts";
import { type LogsOptions, logsQuery } from "./query.ts";
import {
  filterRecords,
  formatRecord,
  type LogRecord,
} from "../../../logs/mod.ts";
import { asCliError, connectCoordinator } from "../../coordinator_client.ts";
import { toWireQuery } from "../../../control/log_query.ts";
import { type Peer, RemoteError } from "../../../control/peer.ts";
import { resolveTarget } from "../../target.ts";

interface Resolved {
  uuid: string;
  name?: string;
  status: string;
  nodes: string[];
}

async function resolveRef(
  peer: Peer,
  ref: string | undefined,
): Promise<Resolved> {
  if (ref !== undefined) return await peer.call<Resolved>("resolve", { ref });
  const { dataflows } = await peer.call<
    {
      dataflows: {
        uuid: string;
        name?: string;
        status: string;
        createdAt: number;
      }[];
    }
  >("list", {});
  const running = dataflows.filter((d) =>
    ["running", "pending", "stopping"].includes(d.status)
  );
  if (running.length > 1) {
    throw new UsageError(
      `${running.length} dataflows are running; name one: ${
        running.map((d) => d.name ?? d.uuid).join(", ")
      }`,
    );
  }
  const pick = running[0] ??
    dataflows.sort((a, b) => a.createdAt - b.createdAt).at(-1);
  if (!pick) {
    throw new CliError("the coordinator knows no dataflow (see `dora list`)");
  }
  return await peer.call<Resolved>("resolve", { ref: pick.uuid });
}

/** `dora logs [UUID_OR_NAME] [NODE]` through the coordinator. */
export async function showCoordinatorLogs(
  first: string | undefined,
  second: string | undefined,
  opts: LogsOptions,
): Promise<void> {
  const { query, format } = logsQuery(opts);
  const target = resolveTarget(opts);
  const { peer } = await connectCoordinator(target);
  try {
    let df: Resolved;
    let node = second;
    try {
      df = await resolveRef(peer, first);
    } catch (err) {
      // `dora logs NODE`: one argument that names a node of the current dataflow.
      if (
        first === undefined || second !== undefined ||
        !(err instanceof RemoteError)
      ) {
        throw err;
      }
      df = await resolveRef(peer, undefined);
      if (!df.nodes.includes(first)) throw err;
      node = first;
    }
    let nodes: string[];
    if (opts.allNodes) nodes = df.nodes;
    else if (node === undefined) {
      throw new UsageError(
        `name a node or pass --all-nodes (nodes of ${df.name ?? df.uuid}: ${
          df.nodes.join(", ")
        })`,
      );
    } else if (!df.nodes.includes(node)) {
      throw new CliError(
        `dataflow ${df.name ?? df.uuid} has no node "${node}" (nodes: ${
          df.nodes.join(", ")
        })`,
      );
    } else nodes = [node];
    const color = useColor();
    const seen = new Set<string>();
    const print = (records: LogRecord[]) => {
      const out: string[] = [];
      for (const r of records) {
        const key = `${r.ts}\u0000${r.node}\u0000${r.msg}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(
          formatRecord(r, format, { color, extra: { dataflow_id: df.uuid } }),
        );
      }
      if (out.length) {
        writeLines(out);
      }
    };
    const ended = Promise.withResolvers<void>();
    const live = { ...query, tail: undefined };
    // Records streamed before the stored ones are printed wait for them,
    // so the output stays in order (duplicates are dropped by `seen`).
    let early: LogRecord[] | undefined = [];
    if (opts.follow) {
      peer.setHandlers({
        onEvent: (event, payload) => {
          if (event === "finished") ended.resolve();
          if (event !== "log") return;
          const r = (payload as { record: LogRecord }).record;
          if (!nodes.includes(r.node)) return;
          if (early) early.push(r);
          else print(filterRecords([r], live));
        },
      });
      const f = await peer.call<{ status: string }>("follow", { ref: df.uuid });
      if (["finished", "failed"].includes(f.status)) ended.resolve();
    }
    const { lines } = await peer.call<{ lines: LogRecord[] }>("logs", {
      ref: df.uuid,
      nodes,
      query: toWireQuery(query),
    });
    lines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    print(filterRecords(lines, query));
    const streamed = early;
    early = undefined;
    print(filterRecords(streamed, live));
    if (!opts.follow) return;
    const onInt = () => ended.resolve();
    Deno.addSignalListener("SIGINT", onInt);
    await Promise.race([ended.promise, peer.closed]);
    Deno.removeSignalListener("SIGINT", onInt);
  } catch (err) {
    throw asCliError(err, target);
  } finally {
    peer.close(1000, "done");
  }
}
