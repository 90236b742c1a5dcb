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

/**
 * Node `s` was restarted by hand (`dora node restart`): counted like a
 * restart of the policy (without using up `max_restarts`), NODE_RESTARTED
 * to its receivers; the host respawns it at once.
 */
export function restartedByHand(st: SupervisorState, s: NodeState): void {
  const node = s.spec.id;
  s.connected = false;
  st.health.unwatch(node);
  st.clearTimer(s.connectTimer);
  s.connectTimer = undefined;
  s.stats.restarts++;
  s.stats.status = "restarting";
  s.stats.lastError = undefined;
  st.host.log(
    "info",
    node,
    `node "${node}" restarted by \`dora node restart\``,
  );
  for (const receiver of st.downstream.get(node)?.keys() ?? []) {
    st.host.send(receiver, { t: "node_restarted", id: node });
  }
  s.alive = true;
  st.breaker.reset(node);
  s.stats.brokenInputs = [];
  watchConnect(st, s);
}

function respawn(st: SupervisorState, s: NodeState, restartCount: number) {
  const node = s.spec.id;
  s.alive = true;
  st.breaker.reset(node);
  s.stats.brokenInputs = [];
  st.host.respawn(node, restartCount);
  watchConnect(st, s);
}

/** A restarted node that never connects is killed; the policy applies again. */
function watchConnect(st: SupervisorState, s: NodeState): void {
  const node = s.spec.id;
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
