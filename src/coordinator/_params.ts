/**
 * Runtime parameters (`dora param`): kept in the store (they survive a
 * coordinator restart with the SQLite store) and passed on to the daemon
 * that runs the node, which tells the node. A daemon that was away gets the
 * stored values when it comes back (`params_sync`).
 *
 * @module
 */
import {
  ChangeError,
  type DaemonParamsSync,
  type NodeTarget,
  type ParamChangeResult,
  type ParamDeleteParams,
  type ParamGetResult,
  type ParamListResult,
  type ParamSetParams,
} from "../control/changes.ts";
import {
  paramKeyProblem,
  type ParamValue,
  paramValueProblem,
} from "../descriptor/node_params.ts";
import { errorMessage } from "../errors.ts";
import type { Coordinator } from "./coordinator.ts";
import { daemonOf, describe, runningRecord, serialized } from "./_changes.ts";
import { withTimeout } from "./util.ts";

/** How long a daemon has to take a parameter change. */
const FORWARD_TIMEOUT_MS = 10_000;

/** `param_list`: every parameter of a node (running or ended dataflow). */
export function paramList(c: Coordinator, p: NodeTarget): ParamListResult {
  const r = c.resolve(String(p.ref));
  const node = String(p.node);
  daemonOf(r, node);
  const params = c.config.store.getParams(r.uuid)[node] ?? {};
  return {
    uuid: r.uuid,
    name: r.name,
    node,
    params: Object.keys(params).sort().map((key) => ({
      key,
      json: JSON.stringify(params[key]),
    })),
  };
}

/** `param_get`: one parameter; a missing key is a `no_param` error. */
export function paramGet(
  c: Coordinator,
  p: NodeTarget & { key: string },
): ParamGetResult {
  const r = c.resolve(String(p.ref));
  const node = String(p.node);
  const key = String(p.key);
  daemonOf(r, node);
  const params = c.config.store.getParams(r.uuid)[node] ?? {};
  if (!Object.hasOwn(params, key)) throw noParam(node, key, describe(r));
  return {
    uuid: r.uuid,
    name: r.name,
    node,
    key,
    json: JSON.stringify(params[key]),
  };
}

/** `param_set`: stores the value, then tells the node's daemon. */
export function paramSet(
  c: Coordinator,
  p: ParamSetParams,
): Promise<ParamChangeResult> {
  const key = String(p.key);
  const value = parseValue(String(p.json));
  const problem = paramKeyProblem(key) ?? paramValueProblem(value);
  if (problem) throw new ChangeError("bad_param", problem);
  const r0 = c.resolve(String(p.ref));
  return serialized(c, r0.uuid, async () => {
    const r = runningRecord(c, r0.uuid);
    const node = String(p.node);
    const daemon = daemonOf(r, node);
    c.config.store.putParam(r.uuid, node, key, value);
    const told = await forward(c, daemon, "param_set", {
      uuid: r.uuid,
      node,
      key,
      json: JSON.stringify(value),
    });
    return { uuid: r.uuid, name: r.name, node, key, ...told };
  });
}

/** `param_delete`: forgets the value, then tells the node's daemon. */
export function paramDelete(
  c: Coordinator,
  p: ParamDeleteParams,
): Promise<ParamChangeResult> {
  const key = String(p.key);
  const r0 = c.resolve(String(p.ref));
  return serialized(c, r0.uuid, async () => {
    const r = runningRecord(c, r0.uuid);
    const node = String(p.node);
    const daemon = daemonOf(r, node);
    if (!c.config.store.deleteParam(r.uuid, node, key)) {
      throw noParam(node, key, describe(r));
    }
    const told = await forward(c, daemon, "param_delete", {
      uuid: r.uuid,
      node,
      key,
    });
    return { uuid: r.uuid, name: r.name, node, key, ...told };
  });
}

/**
 * Sends the stored parameters of dataflow `uuid` to a daemon that came back
 * (it may have missed changes while it was away).
 */
export function syncParamsTo(c: Coordinator, daemonId: string, uuid: string) {
  const r = c.config.store.getDataflow(uuid);
  const d = c.daemons.get(daemonId);
  if (!r || !d) return;
  const stored = c.config.store.getParams(uuid);
  const params: Record<string, string> = {};
  for (const [node, daemon] of Object.entries(r.nodeToDaemon)) {
    if (daemon === daemonId) params[node] = JSON.stringify(stored[node] ?? {});
  }
  const sync: DaemonParamsSync = { uuid, params };
  d.peer.call("params_sync", sync).catch((err) =>
    c.config.log(
      `parameters of dataflow ${uuid} not synced to daemon "${daemonId}": ${
        errorMessage(err)
      }`,
    )
  );
}

/** Tells the daemon; the value stays stored whatever it answers. */
async function forward(
  c: Coordinator,
  daemonId: string,
  method: string,
  params: Record<string, unknown>,
): Promise<{ delivered: boolean; note?: string }> {
  const d = c.daemons.get(daemonId);
  if (!d) {
    return {
      delivered: false,
      note:
        `daemon "${daemonId}" is not connected; the node gets the value when it is back`,
    };
  }
  try {
    const answer = await withTimeout(
      d.peer.call<{ delivered: boolean }>(method, params),
      FORWARD_TIMEOUT_MS,
      `daemon "${daemonId}" did not answer within ${
        FORWARD_TIMEOUT_MS / 1000
      }s`,
    );
    return answer.delivered ? { delivered: true } : {
      delivered: false,
      note: "the node is not connected now; it gets the value when it connects",
    };
  } catch (err) {
    return {
      delivered: false,
      note: `daemon "${daemonId}" did not take it (${
        errorMessage(err)
      }); the node gets the value when its daemon is back`,
    };
  }
}

function parseValue(text: string): ParamValue {
  try {
    return JSON.parse(text) as ParamValue;
  } catch (err) {
    throw new ChangeError(
      "bad_param",
      `the value is not valid JSON: ${errorMessage(err)}`,
    );
  }
}

function noParam(node: string, key: string, dataflow: string): ChangeError {
  return new ChangeError(
    "no_param",
    `node "${node}" of dataflow ${dataflow} has no parameter "${key}"`,
  );
}
