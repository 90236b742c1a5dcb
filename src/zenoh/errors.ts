/**
 * Errors of the zenoh layer, by meaning: the bridge cannot be reached, it
 * speaks another version, no bridge program is installed, or an endpoint is
 * written wrong.
 *
 * @module
 */

/** The zenoh bridge's WebSocket endpoint did not answer. */
export class ZenohUnreachableError extends Error {
  override name = "ZenohUnreachableError";
  /** The endpoint as the user wrote it (`ws/HOST:PORT`). */
  readonly endpoint: string;
  constructor(endpoint: string, reason: string) {
    super(
      `cannot reach the zenoh bridge at ${endpoint}: ${reason} (start one with \`dora daemon --zenoh\` or \`dora run --zenoh\`, or run \`zenoh-bridge-remote-api --ws-port ...\` and point --zenoh-endpoint at it)`,
    );
    this.endpoint = endpoint;
  }
}

/** zenoh-ts and the bridge are of different zenoh versions. */
export class ZenohVersionError extends Error {
  override name = "ZenohVersionError";
  constructor(
    readonly clientVersion: string,
    readonly bridgeVersion: string,
    where: string,
  ) {
    super(
      `zenoh version mismatch: dora uses zenoh-ts ${clientVersion} but the bridge ${where}${
        where ? " " : ""
      }is zenoh-bridge-remote-api ${bridgeVersion}; install zenoh-bridge-remote-api ${
        clientVersion.split(".").slice(0, 2).join(".")
      }.x (\`scripts/setup.sh --zenoh\`)`,
    );
  }
}

/** No `zenoh-bridge-remote-api` program was found. */
export class ZenohBridgeMissingError extends Error {
  override name = "ZenohBridgeMissingError";
  constructor(searched: string[]) {
    super(
      `no zenoh-bridge-remote-api found (looked in ${
        searched.join(", ")
      }); build one with \`scripts/setup.sh --zenoh\` (cargo install zenoh-bridge-remote-api --version 1.10.2 --locked into .tools/), or name it with DORA_ZENOH_BRIDGE`,
    );
  }
}

/** An endpoint or key expression that is not well formed. */
export class ZenohConfigError extends Error {
  override name = "ZenohConfigError";
}
