/**
 * What every graph change command shares (`dora node add`, `remove`,
 * `replace`, `connect`, `disconnect`): the current graph is fetched, the
 * edit is checked against it like `dora validate` (problems in a node file
 * point at `FILE:line:column`), and the edited graph is sent with the
 * revision it was made against; a graph that changed meanwhile is fetched
 * again and the edit checked again.
 *
 * @module
 */
import type {
  GraphApplyResult,
  GraphResult,
} from "../../../control/changes.ts";
import { RemoteError } from "../../../control/peer.ts";
import {
  analyzeEdit,
  type EditAnalysis,
  formatDiagnostic,
  type GraphEdit,
  GraphEditError,
  hasErrors,
  type Port,
} from "../../../descriptor/mod.ts";
import { requireBuildConsent } from "../../_build_consent.ts";
import { CliError, UsageError } from "../../errors.ts";
import {
  type ChangeFlags,
  dataflowLabel,
  jsonFormat,
  withChangeTarget,
} from "../_change_target.ts";

/** How often a change is checked again when the graph changed meanwhile. */
const ATTEMPTS = 3;

/** Parses `NODE/PORT` (a usage error naming `what` otherwise). */
export function parsePort(text: string, what: string): Port {
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) {
    throw new UsageError(
      `${what} must be NODE/PORT (e.g. \`camera/image\`), got "${text}"`,
    );
  }
  return { node: text.slice(0, slash), port: text.slice(slash + 1) };
}

/**
 * Checks `edit` against the dataflow's current graph and applies it;
 * prints the result (one line, or one JSON object with `--format json`).
 */
export async function editGraph(
  flags: ChangeFlags,
  edit: GraphEdit,
  what: string,
  graceMs?: number,
  allowShellNodes?: boolean,
): Promise<GraphApplyResult> {
  const json = jsonFormat(flags);
  const result = await withChangeTarget(flags, async (peer, ref) => {
    for (let attempt = 1;; attempt++) {
      const graph = await peer.call<GraphResult>("graph_get", { ref });
      const label = dataflowLabel(graph);
      if (graph.source === undefined) {
        throw new CliError(
          `the graph of ${label} was not kept (it was started by \`dora record\` or \`dora replay\`, or by an older dora): it cannot be changed`,
        );
      }
      let analysis;
      try {
        analysis = await analyzeEdit(
          { label, path: graph.path, source: graph.source },
          edit,
        );
      } catch (err) {
        if (err instanceof GraphEditError) {
          throw new CliError(`${err.message}; nothing changed`);
        }
        throw err;
      }
      const errors = analysis.diagnostics.filter((d) => d.severity === "error");
      for (const w of analysis.diagnostics) {
        if (w.severity !== "error") console.error(formatDiagnostic(w));
      }
      if (hasErrors(analysis.diagnostics) || !analysis.dataflow) {
        throw new CliError(
          `\`dora node ${what}\` does not fit ${label}: ${errors.length} problem${
            errors.length === 1 ? "" : "s"
          }; nothing changed`,
          { details: errors.map(formatDiagnostic) },
        );
      }
      if (edit.kind === "add" || edit.kind === "replace") {
        await consentToBuild(analysis, edit.file, allowShellNodes);
      }
      try {
        return await peer.call<GraphApplyResult>("graph_apply", {
          ref: graph.uuid,
          revision: graph.revision,
          descriptor: analysis.dataflow,
          source: analysis.flat,
          graceMs,
          what: `node ${what}`,
        });
      } catch (err) {
        if (
          err instanceof RemoteError && err.code === "conflict" &&
          attempt < ATTEMPTS
        ) continue;
        throw err;
      }
    }
  });
  if (json) {
    console.log(JSON.stringify({ ...result, name: result.name ?? null }));
  } else console.log(describeChange(result));
  return result;
}

/**
 * The `build:` commands of the nodes FILE brings run only with consent, as
 * at `dora run` / `dora build`: `--allow-shell-nodes`, a file trusted
 * before, or a "yes" on a terminal (remembered for FILE and its commands).
 */
async function consentToBuild(
  analysis: EditAnalysis,
  file: string,
  allowShellNodes: boolean | undefined,
): Promise<void> {
  const ids = analysis.upsert.map((n) => n.id);
  const nodes = analysis.dataflow!.nodes.filter((n) => ids.includes(n.id));
  let path = file;
  try {
    path = Deno.realPathSync(file);
  } catch {
    // read already by the check: keep the name as given
  }
  await requireBuildConsent(
    { ...analysis.dataflow!, path, nodes },
    allowShellNodes,
  );
}

/** One line: what changed, in which dataflow, at which revision. */
function describeChange(r: GraphApplyResult): string {
  const parts: string[] = [];
  const q = (ids: string[]) => ids.map((i) => `"${i}"`).join(", ");
  if (r.added.length) {
    parts.push(
      `added ${q(r.added)}${
        Object.keys(r.placed).length
          ? ` (on ${
            [...new Set(Object.values(r.placed))].map((d) => `daemon "${d}"`)
              .join(", ")
          })`
          : ""
      }`,
    );
  }
  if (r.replaced.length) parts.push(`replaced ${q(r.replaced)}`);
  if (r.removed.length) parts.push(`removed ${q(r.removed)}`);
  if (r.connected.length) parts.push(`connected ${q(r.connected)}`);
  if (r.disconnected.length) parts.push(`disconnected ${q(r.disconnected)}`);
  return `${parts.join("; ") || "nothing changed"} in ${
    dataflowLabel(r)
  } (revision ${r.revision})`;
}
