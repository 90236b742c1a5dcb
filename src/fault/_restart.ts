/**
 * Restarting a node: NODE_RESTARTED to its receivers, the backoff delay, the
 * respawn, and the watchdog that kills a restarted node that never connects.
 *
 * @module
 */
import type { RestartDecision } from "./restart_policy.ts";
import { formatMs } from "./settings.ts";
import type { NodeState, SupervisorState } from "./_state.ts";

/** Schedules the restart `decision` of node `s`, which `how` ended. */
export function scheduleRestart(
  st: SupervisorState,
  s: NodeState,
  decision: Extract<RestartDecision, { action: "restart" }>,
  how: string,
): void {
  const node = s.spec.id;
  st.host.log(
    "warn",
    node,
    `node "${node}" ${how}; restarting in ${
      formatMs(decision.delayMs)
    } (restart ${decision.attempt}${
      s.restart.settings.maxRestarts > 0
        ? ` of ${s.restart.settings.maxRestarts}`
        : ""
    })`,
  );
  for (const receiver of st.downstream.get(node)?.keys() ?? []) {
    st.host.send(receiver, { t: "node_restarted", id: node });
  }
  s.restartTimer = st.clock.setTimeout(() => {
    s.restartTimer = undefined;
    if (s.restart.disabled || st.disposed) {
      st.restartCancelledNow(s);
      return;
    }
    respawn(st, s, decision.restartCount);
  }, decision.delayMs);
}

function respawn(st: SupervisorState, s: NodeState, restartCount: number) {
  const node = s.spec.id;
  s.alive = true;
  st.breaker.reset(node);
  s.stats.brokenInputs = [];
  st.host.respawn(node, restartCount);
  // A restarted node that never connects is killed; the policy applies again.
  s.connectTimer = st.clock.setTimeout(
    () => {
      s.connectTimer = undefined;
      if (s.connected || !s.alive || st.stopping) return;
      const reason = `did not connect within ${
        formatMs(s.startup.ms)
      } after restarting`;
      s.killReason = reason;
      st.host.log("warn", node, `node "${node}" ${reason}`);
      st.host.kill(node, reason);
    },
    s.startup.ms,
    true,
  );
}
