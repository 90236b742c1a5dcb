/**
 * Graph changes of a running dataflow (`dora node add/remove/replace/
 * connect/disconnect`) across its daemons. The client sends the edited
 * graph, resolved and checked against a revision of the stored one; here it
 * is checked again (shape and wiring), the nodes that join are placed on
 * the dataflow's daemons, every daemon first checks that it can make the
 * change (`graph_check`: it builds its new nodes, and their programs can be
 * started), and only when all of them can does each make it
 * (`graph_apply`); when one fails or is lost then, the others go back to
 * the graph as it was. The stored descriptor, flat YAML, revision,
 * placement and parameters follow.
 *
 * @module
 */
import {
  ChangeError,
  type DaemonGraphChange,
  type GraphApplyParams,
  type GraphApplyResult,
} from "../control/changes.ts";
import { encodeJson } from "../control/json.ts";
import { LinkClosedError } from "../control/peer.ts";
import { needsBuild } from "../build/mod.ts";
import { checkResolvedDataflow, type Dataflow } from "../descriptor/mod.ts";
import { errorMessage } from "../errors.ts";
import type { Coordinator } from "./coordinator.ts";
import { describe, runningRecord, serialized } from "./_changes.ts";
import { placeNodes } from "./placement.ts";
import { withTimeout } from "./util.ts";

/** How long a daemon has to check or make a change. */
const DAEMON_TIMEOUT_MS = 15_000;
/** How long a daemon has to check a change whose new nodes it builds. */
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** `graph_apply`: see the module doc. */
export function graphApply(
  c: Coordinator,
  p: GraphApplyParams,
): Promise<GraphApplyResult> {
  const next = checkResolvedDataflow(p.descriptor);
  const graceMs = p.graceMs === undefined ? undefined : Number(p.graceMs);
  const r0 = c.resolve(String(p.ref));
  return serialized(c, r0.uuid, async () => {
    const r = runningRecord(c, r0.uuid);
    const revision = r.revision ?? 0;
    if (Number(p.revision) !== revision) {
      throw new ChangeError(
        "conflict",
        `the graph of dataflow ${
          describe(r)
        } changed meanwhile (revision ${revision}, the change was made against ${p.revision}); nothing changed`,
      );
    }
    const current = c.descriptorOf(r);
    const live = c.live.get(r.uuid)!;
    const involved = [...live.daemons];
    const nodeToDaemon = place(c, r.nodeToDaemon, next, involved, describe(r));
    const joining = next.nodes.filter((n) =>
      !current.nodes.some((o) => o.id === n.id)
    );
    const change: DaemonGraphChange = {
      uuid: r.uuid,
      descriptor: next,
      nodeToDaemon,
      params: Object.fromEntries(
        joining.map((n) => [n.id, JSON.stringify(n.params ?? {})]),
      ),
      graceMs,
      source: String(p.source),
    };
    // Every daemon checks first: a node that cannot start anywhere means
    // nothing changes anywhere.
    // A daemon builds the nodes that join or are redefined while checking.
    const builds = next.nodes.some((n) =>
      needsBuild(n) &&
      JSON.stringify(current.nodes.find((o) => o.id === n.id)) !==
        JSON.stringify(n)
    );
    const checked = await onEvery(
      c,
      involved,
      "graph_check",
      change,
      builds ? BUILD_TIMEOUT_MS : DAEMON_TIMEOUT_MS,
    );
    if (checked.failed.length) {
      throw new ChangeError(
        "daemon_failed",
        `${checked.failed.join("; ")} (nothing changed)`,
      );
    }
    const applied = await onEvery(
      c,
      involved,
      "graph_apply",
      change,
      DAEMON_TIMEOUT_MS,
    );
    if (applied.failed.length) {
      // Those that made it go back to the graph as it was.
      const undo: DaemonGraphChange = {
        uuid: r.uuid,
        descriptor: current,
        nodeToDaemon: r.nodeToDaemon,
        params: {},
        graceMs,
        source: r.source,
      };
      // Also those that failed half-way (a node that could not start).
      const undone = await onEvery(
        c,
        involved.filter((id) => c.daemons.get(id)),
        "graph_apply",
        undo,
        DAEMON_TIMEOUT_MS,
      );
      throw new ChangeError(
        "daemon_failed",
        `${applied.failed.join("; ")} (${
          undone.failed.length
            ? `rolling back failed too: ${undone.failed.join("; ")}`
            : "rolled back on every daemon still connected: nothing changed"
        })`,
      );
    }
    const results = Object.values(applied.done);
    const store = c.config.store;
    const params = store.getParams(r.uuid);
    for (const id of Object.keys(params)) {
      if (!nodeToDaemon[id]) delete params[id];
    }
    for (const n of joining) params[n.id] = n.params ?? {};
    store.setParams(r.uuid, params);
    const record = {
      ...r,
      descriptor: encodeJson(next),
      source: String(p.source),
      revision: revision + 1,
      nodeToDaemon,
      updatedAt: Date.now(),
    };
    store.putDataflow(record);
    c.config.log(
      `dataflow ${r.uuid}: ${p.what ?? "graph changed"} (revision ${
        revision + 1
      })`,
    );
    const union = (k: keyof Omit<DaemonSummary, never>) =>
      [
        ...new Set(results.flatMap((x) => x[k])),
      ].sort();
    return {
      uuid: r.uuid,
      name: r.name,
      revision: revision + 1,
      added: union("added"),
      removed: union("removed"),
      replaced: union("replaced"),
      connected: union("connected"),
      disconnected: union("disconnected"),
      placed: Object.fromEntries(
        joining.map((n) => [n.id, nodeToDaemon[n.id]!]),
      ),
    };
  });
}

interface DaemonSummary {
  added: string[];
  removed: string[];
  replaced: string[];
  connected: string[];
  disconnected: string[];
}

/**
 * Node id → daemon for the edited graph: kept nodes stay where they run,
 * joining ones are placed like at start, on one of the dataflow's daemons.
 */
function place(
  c: Coordinator,
  before: Record<string, string>,
  next: Dataflow,
  involved: string[],
  label: string,
): Record<string, string> {
  const joining = next.nodes.filter((n) => before[n.id] === undefined);
  let placed: Record<string, string> = {};
  if (joining.length) {
    const daemons = c.daemons.connected().filter((d) =>
      involved.includes(d.daemonId)
    );
    try {
      placed = placeNodes({ ...next, nodes: joining }, daemons);
    } catch (err) {
      throw new ChangeError(
        "placement",
        `${
          errorMessage(err)
        }; a node added at run time runs on one of the machines of dataflow ${label}`,
      );
    }
  }
  const out: Record<string, string> = {};
  for (const n of next.nodes) out[n.id] = before[n.id] ?? placed[n.id]!;
  return out;
}

/**
 * Calls `method` on every daemon: the answers of those that did it, and one
 * line per daemon that did not (naming it).
 */
async function onEvery(
  c: Coordinator,
  daemonIds: string[],
  method: "graph_check" | "graph_apply",
  change: DaemonGraphChange,
  timeoutMs: number,
): Promise<{ done: Record<string, DaemonSummary>; failed: string[] }> {
  const done: Record<string, DaemonSummary> = {};
  const failed: string[] = [];
  await Promise.all(daemonIds.map(async (id) => {
    const d = c.daemons.get(id);
    if (!d || d.state !== "connected") {
      failed.push(`daemon "${id}" is not connected`);
      return;
    }
    try {
      const answer = await withTimeout(
        d.peer.call<DaemonSummary>(method, change),
        timeoutMs,
        `did not answer within ${timeoutMs / 1000}s`,
      );
      done[id] = {
        added: answer?.added ?? [],
        removed: answer?.removed ?? [],
        replaced: answer?.replaced ?? [],
        connected: answer?.connected ?? [],
        disconnected: answer?.disconnected ?? [],
      };
    } catch (err) {
      failed.push(
        err instanceof LinkClosedError
          ? `daemon "${id}" disconnected during the change`
          : `daemon "${id}": ${errorMessage(err)}`,
      );
    }
  }));
  return { done, failed: failed.sort() };
}
