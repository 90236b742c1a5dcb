/**
 * Where the inspection commands (`top`, `node`, `topic`, `trace`) look: the
 * coordinator (when one answers) and every `dora run` on this machine (each
 * serves the same methods on a local endpoint it announces in its runtime
 * folder). `-d` names a dataflow by uuid, name, or a unique prefix of either; without
 * it the only running dataflow is chosen, several give a picker on a
 * terminal and an error listing them otherwise.
 *
 * @module
 */
import {
  connectCoordinator,
  ControlAuthError,
  CoordinatorUnreachableError,
} from "../control/connect.ts";
import type { RunningResult } from "../control/inspect.ts";
import {
  type LocalAnnounce,
  readAnnounces,
} from "../control/local_endpoint.ts";
import { LinkClosedError, type Peer, RemoteError } from "../control/peer.ts";
import { VersionMismatchError } from "../control/protocol.ts";
import { runtimeBase } from "../runtime/spawn/runtime_dir.ts";
import { asCliError } from "./coordinator_client.ts";
import { CliError, UsageError } from "./errors.ts";
import {
  type CoordinatorTarget,
  formatTarget,
  resolveTarget,
  type TargetFlags,
} from "./target.ts";
import { pick } from "./tui/picker.ts";
import { interactive } from "./tui/terminal.ts";

/** The flags of every inspection command. */
export interface InspectFlags extends TargetFlags {
  dataflow?: string;
}

/** An endpoint serving the inspection methods. */
export interface InspectSource {
  kind: "coordinator" | "run";
  target: CoordinatorTarget;
  /** A `dora run`'s announce (kind `run`). */
  announce?: LocalAnnounce;
}

/** A running dataflow and where to inspect it. */
export interface InspectedDataflow {
  uuid: string;
  name?: string;
  source: InspectSource;
}

/** `robot (0192…)`, or the uuid alone. */
export function describeDataflow(
  d: { uuid: string; name?: string | null },
): string {
  return d.name ? `${d.name} (${d.uuid})` : d.uuid;
}

/** How a source is named in messages. */
export function describeSource(s: InspectSource): string {
  return s.kind === "coordinator"
    ? `the coordinator at ${formatTarget(s.target)}`
    : `\`dora run\` (pid ${s.announce!.pid})`;
}

function mapRunError(err: unknown, a: LocalAnnounce): unknown {
  if (
    err instanceof CoordinatorUnreachableError || err instanceof LinkClosedError
  ) {
    return new CliError(
      `the \`dora run\` of dataflow ${
        describeDataflow(a)
      } (pid ${a.pid}) does not answer at 127.0.0.1:${a.port} (did it just end?)`,
    );
  }
  if (err instanceof ControlAuthError) {
    return new CliError(
      `the \`dora run\` of dataflow ${
        describeDataflow(a)
      } refused this CLI's token (its announce file is stale)`,
    );
  }
  if (err instanceof VersionMismatchError || err instanceof RemoteError) {
    return new CliError(err.message);
  }
  return err;
}

/**
 * The coordinator (if one answers) and the `dora run`s of this machine, with
 * their running dataflows. Close it when done.
 */
export class InspectSession {
  readonly coordinator?: { peer: Peer; source: InspectSource };
  readonly runs: LocalAnnounce[];
  readonly dataflows: InspectedDataflow[];
  readonly target: CoordinatorTarget;
  #peers: Peer[] = [];

  private constructor(
    target: CoordinatorTarget,
    coordinator: { peer: Peer; source: InspectSource } | undefined,
    runs: LocalAnnounce[],
    dataflows: InspectedDataflow[],
  ) {
    this.target = target;
    this.coordinator = coordinator;
    this.runs = runs;
    this.dataflows = dataflows;
    if (coordinator) this.#peers.push(coordinator.peer);
  }

  /**
   * Finds the sources. An unreachable coordinator is simply absent, unless
   * `--coordinator-addr` / `--coordinator-port` named it.
   */
  static async open(flags: TargetFlags): Promise<InspectSession> {
    const target = resolveTarget(flags);
    let coordinator: { peer: Peer; source: InspectSource } | undefined;
    const dataflows: InspectedDataflow[] = [];
    try {
      const { peer } = await connectCoordinator(target);
      coordinator = { peer, source: { kind: "coordinator", target } };
      try {
        const { dataflows: list } = await peer.call<RunningResult>("running");
        for (const d of list) {
          dataflows.push({ ...d, source: coordinator.source });
        }
      } catch (err) {
        peer.close(1000, "done");
        throw asCliError(err, target);
      }
    } catch (err) {
      // A coordinator named on the command line must answer; the default
      // one (or the environment's) may simply not be running.
      const named = flags.coordinatorAddr !== undefined ||
        flags.coordinatorPort !== undefined;
      if (!(err instanceof CoordinatorUnreachableError) || named) {
        throw asCliError(err, target);
      }
    }
    const runs = readAnnounces(runtimeBase());
    for (const a of runs) {
      dataflows.push({
        uuid: a.uuid,
        name: a.name,
        source: {
          kind: "run",
          target: { addr: a.addr, port: a.port },
          announce: a,
        },
      });
    }
    return new InspectSession(target, coordinator, runs, dataflows);
  }

  /** Whether anything answers at all. */
  get empty(): boolean {
    return !this.coordinator && this.runs.length === 0;
  }

  /** The error for "nothing to inspect". */
  nothingRunning(): CliError {
    return new CliError(
      this.coordinator
        ? `no dataflow is running (the coordinator at ${
          formatTarget(this.target)
        } runs none, and no \`dora run\` runs on this machine)`
        : `no running dataflow found: no coordinator answers at ${
          formatTarget(this.target)
        } and no \`dora run\` runs on this machine (start one with \`dora run PATH\`, or \`dora up\` and \`dora start PATH\`)`,
    );
  }

  /** Opens a link to `source` (the coordinator's is shared). */
  async connect(source: InspectSource): Promise<Peer> {
    if (source.kind === "coordinator") return this.coordinator!.peer;
    const a = source.announce!;
    try {
      const { peer } = await connectCoordinator(source.target, {
        token: a.token,
        timeoutMs: 3000,
      });
      this.#peers.push(peer);
      return peer;
    } catch (err) {
      throw mapRunError(err, a);
    }
  }

  /** Maps an error of a call to `source` to a one-line CLI error. */
  asCliError(err: unknown, source: InspectSource): unknown {
    return source.kind === "coordinator"
      ? asCliError(err, source.target)
      : mapRunError(err, source.announce!);
  }

  /**
   * The dataflow `ref` names (uuid, name, unique uuid prefix), or the only
   * running one; several: a picker on a terminal, else a usage error that
   * lists them.
   */
  async choose(ref: string | undefined): Promise<InspectedDataflow> {
    const all = this.dataflows;
    if (ref !== undefined) {
      const exact = all.filter((d) => d.uuid === ref);
      const byName = all.filter((d) => d.name === ref);
      const byPrefix = all.filter((d) =>
        d.uuid.toLowerCase().startsWith(ref.toLowerCase())
      );
      const byNamePrefix = all.filter((d) => d.name?.startsWith(ref));
      const matches = exact.length
        ? exact
        : byName.length
        ? byName
        : byPrefix.length
        ? byPrefix
        : byNamePrefix;
      if (matches.length === 1) return matches[0]!;
      if (matches.length === 0) {
        if (this.empty) throw this.nothingRunning();
        throw new CliError(
          `no running dataflow matches "${ref}" (by uuid, name or prefix); running: ${
            all.map(describeDataflow).join(", ") || "none"
          }`,
        );
      }
      return await this.#pickOne(
        matches,
        `"${ref}" matches ${matches.length} running dataflows`,
      );
    }
    if (all.length === 1) return all[0]!;
    if (all.length === 0) throw this.nothingRunning();
    return await this.#pickOne(all, `${all.length} dataflows are running`);
  }

  async #pickOne(
    list: InspectedDataflow[],
    why: string,
  ): Promise<InspectedDataflow> {
    const label = (d: InspectedDataflow) =>
      `${describeDataflow(d)}  [${
        d.source.kind === "coordinator"
          ? "coordinator"
          : `dora run, pid ${d.source.announce!.pid}`
      }]`;
    if (!interactive()) {
      throw new UsageError(
        `${why}; choose one with -d UUID_OR_NAME: ${
          list.map(label).join(", ")
        }`,
      );
    }
    const i = await pick(`${why}: which one?`, list, label);
    if (i === undefined) throw new CliError("no dataflow chosen");
    return list[i]!;
  }

  /** Closes every link this session opened. */
  close(): void {
    for (const p of this.#peers) p.close(1000, "done");
  }
}

/** Opens a session, runs `fn`, and always closes it. */
export async function withInspection<T>(
  flags: TargetFlags,
  fn: (session: InspectSession) => Promise<T>,
): Promise<T> {
  const session = await InspectSession.open(flags);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

/**
 * Chooses the dataflow of `flags.dataflow` and calls `fn` with a link to
 * the endpoint that serves it.
 */
export function withDataflow<T>(
  flags: InspectFlags,
  fn: (
    peer: Peer,
    dataflow: InspectedDataflow,
    session: InspectSession,
  ) => Promise<T>,
): Promise<T> {
  return withInspection(flags, async (session) => {
    const dataflow = await session.choose(flags.dataflow);
    const peer = await session.connect(dataflow.source);
    try {
      return await fn(peer, dataflow, session);
    } catch (err) {
      throw session.asCliError(err, dataflow.source);
    }
  });
}
