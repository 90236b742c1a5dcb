/**
 * The views' access to dora (`src/views/access.ts`) over the CLI's
 * inspection session: the same coordinator and `dora run` discovery as
 * `dora top`, links whose failures are one-line {@linkcode CliError}s.
 *
 * @module
 */
import { connectCoordinator as connectControl } from "../control/connect.ts";
import { CoordinatorUnreachableError } from "../control/connect.ts";
import type { Peer } from "../control/peer.ts";
import type { DoraAccess, ViewedDataflow } from "../views/mod.ts";
import { asCliError, connectCoordinator } from "./coordinator_client.ts";
import { CliError } from "./errors.ts";
import {
  describeDataflow,
  type InspectedDataflow,
  InspectSession,
} from "./inspect_target.ts";
import { formatTarget, resolveTarget, type TargetFlags } from "./target.ts";

/** {@linkcode DoraAccess} for the CLI's flags (`--coordinator-addr/-port`). */
export class CliAccess implements DoraAccess {
  readonly flags: TargetFlags;
  readonly coordinatorName: string;
  #known = new Map<string, InspectedDataflow>();

  constructor(flags: TargetFlags) {
    this.flags = flags;
    this.coordinatorName = formatTarget(resolveTarget(flags));
  }

  async list(): Promise<ViewedDataflow[]> {
    const session = await InspectSession.open(this.flags);
    try {
      this.#known = new Map(session.dataflows.map((d) => [d.uuid, d]));
      return session.dataflows.map((d) => ({
        uuid: d.uuid,
        name: d.name ?? null,
        where: d.source.kind === "coordinator"
          ? "coordinator"
          : `dora run, pid ${d.source.announce!.pid}`,
        ...(d.source.kind === "run"
          ? {
            runPid: d.source.announce!.pid,
            descriptor: d.source.announce!.path,
          }
          : {}),
      }));
    } finally {
      session.close();
    }
  }

  async connect(d: ViewedDataflow): Promise<Peer> {
    let known = this.#known.get(d.uuid);
    if (!known) {
      await this.list();
      known = this.#known.get(d.uuid);
    }
    if (!known && d.runPid === undefined) {
      // One the coordinator still remembers (ended): its logs and graph.
      return (await connectCoordinator(resolveTarget(this.flags))).peer;
    }
    if (!known) {
      throw new CliError(
        `dataflow ${describeDataflow(d)} is not running any more`,
      );
    }
    const source = known.source;
    if (source.kind === "coordinator") {
      return (await connectCoordinator(source.target)).peer;
    }
    const a = source.announce!;
    try {
      const { peer } = await connectControl(source.target, {
        token: a.token,
        timeoutMs: 3000,
      });
      return peer;
    } catch {
      throw new CliError(
        `the \`dora run\` of dataflow ${
          describeDataflow(a)
        } (pid ${a.pid}) does not answer at 127.0.0.1:${a.port} (did it just end?)`,
      );
    }
  }

  async coordinator(): Promise<Peer | undefined> {
    const target = resolveTarget(this.flags);
    try {
      return (await connectControl(target)).peer;
    } catch (err) {
      if (err instanceof CoordinatorUnreachableError) return undefined;
      throw asCliError(err, target);
    }
  }
}
