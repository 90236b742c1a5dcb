/**
 * The finish-straggler watchdog: once every other node finished, a node whose
 * inputs all closed but which keeps running gets `finish_grace_secs`, then is
 * stopped.
 *
 * @module
 */
import type { NodeSpec } from "../descriptor/model.ts";
import { formatMs, secondsToMs } from "./settings.ts";
import { isDynamic, type SupervisorState } from "./_state.ts";

/** Arms the grace timer of the last running node if its inputs closed. */
export function checkStragglers(st: SupervisorState): void {
  if (st.stopping || st.disposed) return;
  const running = [...st.nodes.values()].filter((s) =>
    !isDynamic(s.spec) && !s.finished
  );
  if (running.length === 0) return;
  for (const s of running) {
    const othersDone = running.length === 1;
    if (
      !othersDone || !s.allInputsClosed || s.stragglerTimer !== undefined ||
      s.restartTimer !== undefined
    ) continue;
    const node = s.spec.id;
    // The node's own `finish_grace_secs` wins over the dataflow default.
    const graceMs = secondsToMs(
      (s.spec as NodeSpec & { finishGraceSecs?: number }).finishGraceSecs,
    ) ?? st.timeouts.finishGraceMs;
    s.stragglerTimer = st.clock.setTimeout(() => {
      s.stragglerTimer = undefined;
      if (s.finished || st.stopping) return;
      const reason = `still running ${
        formatMs(graceMs)
      } after its inputs closed and every other node finished; stopping it`;
      st.host.log("warn", node, `node "${node}" ${reason}`);
      st.host.stopNode(node, reason, graceMs);
    }, graceMs);
  }
}
