/**
 * The start-up watchdog: every static node must connect within its start-up
 * timeout, or the dataflow fails to start.
 *
 * @module
 */
import { formatMs, startupTimeoutHint } from "./settings.ts";
import { isDynamic, type SupervisorState } from "./_state.ts";

const names = (ids: string[]) => ids.map((id) => `"${id}"`).join(", ");

/** Arms one start-up timer per distinct node start-up timeout. */
export function armStartup(st: SupervisorState): void {
  st.starting = true;
  // Nodes may have their own `startup_timeout`: one timer per distinct value.
  const limits = new Set<number>();
  for (const s of st.nodes.values()) {
    if (!isDynamic(s.spec)) limits.add(s.startup.ms);
  }
  for (const ms of limits) {
    st.startupTimers.push(
      st.clock.setTimeout(() => startupExpired(st, ms), ms, true),
    );
  }
}

/** Ends the start-up phase once every static node connected or finished. */
export function checkStarted(st: SupervisorState): void {
  if (!st.starting) return;
  for (const s of st.nodes.values()) {
    if (!isDynamic(s.spec) && !s.connected && !s.finished) return;
  }
  st.starting = false;
  st.clearStartupTimers();
}

/** The start-up timeout `ms` expired: its nodes that did not connect fail the start. */
function startupExpired(st: SupervisorState, ms: number): void {
  if (!st.starting || st.stopping || st.disposed) return;
  const lateStates = [...st.nodes.values()].filter((s) =>
    !isDynamic(s.spec) && !s.connected && !s.finished && s.startup.ms === ms
  );
  const late = lateStates.map((s) => s.spec.id);
  if (late.length === 0) return;
  st.starting = false;
  st.clearStartupTimers();
  const message = `${late.length === 1 ? "node" : "nodes"} ${
    names(late)
  } did not connect to the daemon within ${formatMs(ms)} (start-up timeout; ${
    startupTimeoutHint(lateStates[0].startup.source)
  })`;
  for (const id of late) {
    const s = st.nodes.get(id)!;
    s.restart.disable();
    s.stats.status = "failed";
    s.stats.lastError = "did not connect within the start-up timeout";
    s.stats.failure = { kind: "startup-timeout" };
  }
  st.host.log("error", undefined, message);
  st.host.failStart(message);
}
