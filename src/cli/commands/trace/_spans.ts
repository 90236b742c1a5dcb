/**
 * Every span the reachable endpoints keep: the coordinator (with its
 * daemons) and each `dora run` of this machine.
 *
 * @module
 */
import type { TracesResult } from "../../../control/inspect.ts";
import type { TraceSpan } from "../../../inspect/mod.ts";
import { type InspectSource, withInspection } from "../../inspect_target.ts";
import type { TargetFlags } from "../../target.ts";
import { CliError } from "../../errors.ts";
import { formatTarget } from "../../target.ts";

/** Collects the spans of every source; an error when there is none. */
export function collectSpans(flags: TargetFlags): Promise<TraceSpan[]> {
  return withInspection(flags, async (session) => {
    if (session.empty) {
      throw new CliError(
        `no coordinator answers at ${
          formatTarget(session.target)
        } and no \`dora run\` runs on this machine: there are no traces to show`,
      );
    }
    const sources: InspectSource[] = [];
    if (session.coordinator) sources.push(session.coordinator.source);
    for (const a of session.runs) {
      sources.push({
        kind: "run",
        target: { addr: a.addr, port: a.port },
        announce: a,
      });
    }
    const parts = await Promise.all(sources.map(async (s) => {
      try {
        const peer = await session.connect(s);
        return (await peer.call<TracesResult>("traces")).spans;
      } catch (err) {
        // A run that ended meanwhile has nothing left to show.
        if (s.kind === "run") return [];
        throw session.asCliError(err, s);
      }
    }));
    return parts.flat();
  });
}
