/**
 * What happens when a node's process exits: a failed start, a restart, a
 * give-up, or a clean, stopped or failed end.
 *
 * @module
 */
import type { ExitOutcome } from "./host.ts";
import {
  describeExit,
  exitedCleanly,
  type ExitStatus,
} from "./restart_policy.ts";
import { scheduleRestart } from "./_restart.ts";
import type { NodeState, SupervisorState } from "./_state.ts";

/** Decides the outcome of node `s` exiting with `status`, and acts on it. */
export function nodeExited(
  st: SupervisorState,
  s: NodeState,
  status: ExitStatus,
): ExitOutcome {
  const node = s.spec.id;
  const wasConnected = s.connected;
  s.alive = false;
  s.connected = false;
  st.health.unwatch(node);
  st.clearTimer(s.connectTimer);
  s.connectTimer = undefined;
  const how = s.killReason ?? describeExit(status);
  const byHealthCheck = s.killedByHealthCheck === true;
  s.killReason = undefined;
  s.killedByHealthCheck = undefined;

  if (st.starting && !wasConnected && !st.stopping) {
    const error = `node "${node}" exited before connecting to the daemon (${
      describeExit(status)
    })`;
    s.restart.disable();
    st.finish(s, "failed", error);
    st.host.failStart(error);
    return { kind: "finished", failed: true, error };
  }

  if (s.stopRequested) {
    st.finish(s, "stopped");
    return { kind: "finished", failed: false };
  }

  const decision = s.restart.onExit(status, st.clock.now());
  if (decision.action === "restart") {
    s.stats.restarts++;
    s.stats.status = "restarting";
    s.stats.lastError = exitedCleanly(status) ? undefined : how;
    scheduleRestart(st, s, decision, how);
    return {
      kind: "restarting",
      delayMs: decision.delayMs,
      restartCount: decision.restartCount,
    };
  }

  if (decision.action === "give-up") {
    const error = `${how}; ${decision.message}`;
    if (exitedCleanly(status)) {
      // `always` ran out of restarts after a clean exit: done, not failed.
      st.host.log("warn", node, `node "${node}" ${error}`);
      s.stats.lastError = undefined;
      st.finish(s, "finished");
      return { kind: "finished", failed: false };
    }
    st.host.log("error", node, `node "${node}" ${error}`);
    s.stats.failure = byHealthCheck
      ? { kind: "health-check" }
      : { kind: "max-restarts", note: decision.message };
    st.fail(s, error);
    return { kind: "finished", failed: true, error };
  }

  if (exitedCleanly(status)) {
    st.finish(s, "finished");
    return { kind: "finished", failed: false };
  }
  if (st.stopping || s.allInputsClosed && status.signal) {
    // Ended by the stop ladder: stopped, not failed.
    st.finish(s, "stopped");
    return { kind: "finished", failed: false };
  }
  if (byHealthCheck) s.stats.failure = { kind: "health-check" };
  st.fail(s, how);
  return { kind: "finished", failed: true, error: how };
}
