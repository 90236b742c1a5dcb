/**
 * Ending dataflows: stop one, wait for one, or destroy everything (every
 * dataflow, then every daemon).
 *
 * @module
 */
import { isTerminal } from "../store/types.ts";
import type { Coordinator } from "./coordinator.ts";
import type { DataflowOutcome } from "./live.ts";
import { errorMessage } from "../errors.ts";
import { withTimeout } from "./util.ts";
import { maybeSettle } from "./_settle.ts";
import type { SpanContext } from "../inspect/mod.ts";

/** Asks every daemon of `uuid` to stop it and resolves with the outcome. */
export async function stopDataflow(
  c: Coordinator,
  uuid: string,
  opts: { graceMs?: number; force?: boolean; trace?: SpanContext },
): Promise<DataflowOutcome> {
  const live = c.live.get(uuid);
  const record = c.config.store.getDataflow(uuid);
  if (!live || !record) {
    const who = record?.name ? `"${record.name}" (${uuid})` : uuid;
    throw new Error(
      record
        ? `dataflow ${who} is not running (${
          isTerminal(record.status)
            ? `it ${record.status}`
            : `status: ${record.status}`
        })`
        : `no dataflow ${uuid}`,
    );
  }
  const span = c.tracer.span("stop_dataflow", {
    parent: opts.trace,
    fields: {
      dataflow_id: uuid,
      name: record.name,
      grace_ms: opts.graceMs,
      force: opts.force || undefined,
    },
  });
  live.stopRequested = true;
  record.stopRequested = true;
  if (record.status === "running") record.status = "stopping";
  record.updatedAt = Date.now();
  c.config.store.putDataflow(record);
  for (const id of live.daemons) {
    if (live.finished.has(id)) continue;
    const d = c.daemons.get(id);
    if (!d) {
      // Best effort: a daemon that is gone does not hold up the stop of the
      // others; if it comes back, it is told to stop (see _daemon_hello.ts).
      live.finished.set(id, {
        [`(daemon ${id})`]: {
          ok: false,
          error:
            `daemon "${id}" was not connected when the dataflow was stopped`,
        },
      });
      continue;
    }
    d.peer.call("stop", {
      uuid,
      graceMs: opts.graceMs,
      force: opts.force,
      trace: span.context(),
    })
      .catch((err) =>
        c.config.log(`stop on daemon "${id}" failed: ${errorMessage(err)}`)
      );
  }
  maybeSettle(c, live);
  const outcome = await live.wait();
  span.end(
    { status: outcome.status },
    outcome.status === "failed" ? outcome.error ?? "failed" : undefined,
  );
  return outcome;
}

/** Waits for a dataflow to end (immediately if it already has). */
export async function waitDataflow(
  c: Coordinator,
  uuid: string,
): Promise<DataflowOutcome> {
  const live = c.live.get(uuid);
  if (live) return await live.wait();
  const r = c.config.store.getDataflow(uuid);
  if (!r) throw new Error(`no dataflow ${uuid}`);
  return {
    uuid,
    name: r.name,
    status: r.status === "failed" ? "failed" : "finished",
    error: r.error,
    results: r.nodeResults ?? {},
    fault: r.fault,
  };
}

/** Stops every dataflow, then every daemon; resolves when they are gone. */
export async function destroyAll(
  c: Coordinator,
  force: boolean,
): Promise<{ pids: number[] }> {
  await Promise.allSettled(
    [...c.live.keys()].map((uuid) =>
      withTimeout(
        c.stop(uuid, { force }),
        30_000,
        `dataflow ${uuid} did not stop within 30s`,
      )
    ),
  );
  const daemons = c.daemons.connected();
  const pids = daemons.map((d) => d.peer.data.pid as number).filter(Boolean);
  await Promise.allSettled(daemons.map(async (d) => {
    await withTimeout(
      d.peer.call("destroy", { force }),
      20_000,
      "destroy timeout",
    )
      .catch(() => {});
    await withTimeout(d.peer.closed, 5_000, "close timeout").catch(() => {});
  }));
  return { pids: [...pids, Deno.pid] };
}
