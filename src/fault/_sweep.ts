/**
 * The periodic sweep: kills nodes silent past `health_check_timeout` and
 * closes inputs silent past `input_timeout`.
 *
 * @module
 */
import { formatMs } from "./settings.ts";
import type { SupervisorState } from "./_state.ts";

/** Whether any node needs the sweep at all (else no interval is armed). */
export function needsSweep(st: SupervisorState): boolean {
  return st.breaker.size > 0 ||
    [...st.nodes.values()].some((n) => n.spec.healthCheckTimeout !== undefined);
}

/** Runs the health and input-timeout checks once. */
export function sweep(st: SupervisorState): void {
  if (st.stopping || st.disposed) return;
  const now = st.clock.now();
  const isWaiting = st.host.isWaiting?.bind(st.host);
  for (const e of st.health.expired(now, isWaiting)) {
    const s = st.nodes.get(e.node);
    if (!s || !s.alive) continue;
    s.stats.healthCheckKills++;
    const reason = `killed by the health check (no activity for ${
      formatMs(e.silentMs)
    }, health_check_timeout ${formatMs(e.timeoutMs)})`;
    s.killReason = reason;
    s.killedByHealthCheck = true;
    st.host.log("warn", e.node, `node "${e.node}" ${reason}`);
    st.host.kill(e.node, reason);
  }
  for (const e of st.breaker.expired(now)) {
    const s = st.nodes.get(e.node);
    if (!s || s.finished || s.allInputsClosed) continue;
    s.stats.inputTimeouts++;
    st.host.log(
      "warn",
      e.node,
      `input "${e.input}" of "${e.node}" timed out (no message for ${
        formatMs(e.silentMs)
      }, input_timeout ${formatMs(e.timeoutMs)}): closing it`,
    );
    st.updateDegraded(s);
    st.host.closeInput(e.node, e.input);
  }
}
