/**
 * What the views (dashboard, Foxglove server, MCP server) need from the rest
 * of dora: the running dataflows, a control link to the endpoint that
 * serves each one's inspection methods (a coordinator, or a `dora run`'s
 * local endpoint, see `docs/inspect.md`), and the coordinator when one
 * answers. The CLI provides it over its inspection session, so the views
 * find dataflows exactly like `dora top` does.
 *
 * @module
 */
import type { Peer } from "../control/peer.ts";

/** A running dataflow as the views list it. */
export interface ViewedDataflow {
  uuid: string;
  name: string | null;
  /** Where it runs, for people: `coordinator` or `dora run (pid 4242)`. */
  where: string;
  /** The `dora run` process serving it (absent under a coordinator). */
  runPid?: number;
  /** The descriptor file a `dora run` runs (absent under a coordinator). */
  descriptor?: string;
}

/** The CLI's side of the views. */
export interface DoraAccess {
  /** The dataflows running now (looked up again on every call). */
  list(): Promise<ViewedDataflow[]>;
  /**
   * A new control link to the endpoint serving `dataflow` (the caller
   * closes it). Its errors are one-line messages for people.
   */
  connect(dataflow: ViewedDataflow): Promise<Peer>;
  /** A new link to the coordinator, or undefined when none answers. */
  coordinator(): Promise<Peer | undefined>;
  /** How the coordinator is named in messages (`127.0.0.1:6013`). */
  readonly coordinatorName: string;
}

/** `robot (0192…)`, or the uuid alone. */
export function describeViewed(d: { uuid: string; name: string | null }) {
  return d.name ? `${d.name} (${d.uuid})` : d.uuid;
}

/** No running dataflow matches what the user asked for. */
export class NoDataflowError extends Error {
  /** A machine-readable kind for callers. */
  readonly code = "no_dataflow";
  constructor(message: string) {
    super(message);
    this.name = "NoDataflowError";
  }
}

/**
 * The dataflow `ref` names among `list` (uuid, name, or a unique prefix of
 * either), or the only one when `ref` is undefined. Throws
 * {@linkcode NoDataflowError} when none or several match.
 */
export function pickDataflow(
  list: ViewedDataflow[],
  ref: string | undefined,
): ViewedDataflow {
  const label = (d: ViewedDataflow) => `${describeViewed(d)} [${d.where}]`;
  if (ref === undefined) {
    if (list.length === 1) return list[0]!;
    if (list.length === 0) throw new NoDataflowError("no dataflow is running");
    throw new NoDataflowError(
      `${list.length} dataflows are running; name one (uuid or name): ${
        list.map(label).join(", ")
      }`,
    );
  }
  const tiers = [
    list.filter((d) => d.uuid === ref),
    list.filter((d) => d.name === ref),
    list.filter((d) => d.uuid.toLowerCase().startsWith(ref.toLowerCase())),
    list.filter((d) => d.name?.startsWith(ref)),
  ];
  const matches = tiers.find((t) => t.length > 0) ?? [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new NoDataflowError(
      `no running dataflow matches "${ref}" (by uuid, name or prefix); running: ${
        list.map(label).join(", ") || "none"
      }`,
    );
  }
  throw new NoDataflowError(
    `"${ref}" matches ${matches.length} running dataflows: ${
      matches.map(label).join(", ")
    }`,
  );
}
