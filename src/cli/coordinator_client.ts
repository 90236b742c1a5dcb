/**
 * The CLI's link to the coordinator: the control-plane connection of
 * `src/control/connect.ts` with every failure turned into one actionable
 * {@linkcode CliError} line.
 *
 * @module
 */
import {
  connectCoordinator as connectControl,
  type ConnectOptions,
  ControlAuthError,
  CoordinatorUnreachableError,
} from "../control/connect.ts";
import { LinkClosedError, type Peer, RemoteError } from "../control/peer.ts";
import { VersionMismatchError } from "../control/protocol.ts";
import { type CoordinatorTarget, formatTarget } from "../control/target.ts";
import { CliError } from "./errors.ts";
import { tokenFile } from "../control/auth.ts";

export type { ConnectOptions };

/** The coordinator is not there (connection refused, unreachable, timeout). */
export class CoordinatorUnreachable extends CliError {
  constructor(target: CoordinatorTarget) {
    super(
      `could not connect to the dora coordinator at ${
        formatTarget(target)
      }: is it running? (run \`dora up\`, or set --coordinator-addr/--coordinator-port or DORA_COORDINATOR_ADDR/DORA_COORDINATOR_PORT)`,
    );
    this.name = "CoordinatorUnreachable";
  }
}

/**
 * Opens a control link to the coordinator and performs the handshake.
 * Throws {@link CliError}s with one actionable line.
 */
export async function connectCoordinator(
  target: CoordinatorTarget,
  opts: ConnectOptions = {},
): ReturnType<typeof connectControl> {
  try {
    return await connectControl(target, opts);
  } catch (err) {
    throw asCliError(err, target);
  }
}

/**
 * Maps errors of a control link to one-line CLI errors: the remote message
 * verbatim, or a closed link explained. Other errors pass through.
 */
export function asCliError(err: unknown, target: CoordinatorTarget): unknown {
  if (err instanceof CoordinatorUnreachableError) {
    return new CoordinatorUnreachable(target);
  }
  if (err instanceof ControlAuthError) {
    return new CliError(
      err.kind === "missing"
        ? `the dora coordinator at ${
          formatTarget(target)
        } requires an auth token: set DORA_AUTH_TOKEN or put the token (\`<state dir>/token\` of the user running the coordinator, default ~/.dora/token) in .dora-token`
        : `the dora coordinator at ${
          formatTarget(target)
        } refused the auth token: check DORA_AUTH_TOKEN / .dora-token / ${tokenFile()}`,
    );
  }
  if (err instanceof VersionMismatchError || err instanceof RemoteError) {
    return new CliError(err.message);
  }
  if (err instanceof LinkClosedError) {
    return new CliError(
      `the dora coordinator at ${
        formatTarget(target)
      } closed the connection before answering (did it stop? see \`dora status\`)`,
    );
  }
  return err;
}

/**
 * Connects, runs `fn`, and always closes the link. Remote errors become
 * {@link CliError}s.
 */
export async function withCoordinator<T>(
  target: CoordinatorTarget,
  fn: (peer: Peer) => Promise<T>,
  opts: ConnectOptions = {},
): Promise<T> {
  const { peer } = await connectCoordinator(target, opts);
  try {
    return await fn(peer);
  } catch (err) {
    throw asCliError(err, target);
  } finally {
    peer.close(1000, "done");
  }
}
