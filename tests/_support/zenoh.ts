/**
 * Zenoh for the end-to-end tests: the bridge program (the prebuilt one in
 * `shared/tools` beside the checkout, else the one `scripts/setup.sh
 * --zenoh` built into `.tools/bin`), and daemons that each start their own
 * bridge on free loopback ports, linked over `tcp/127.0.0.1`.
 *
 * @module
 */
import { ROOT } from "./dora.ts";
import { type Background, freePort, type Sandbox } from "./cluster.ts";

/** Where the tests look for `zenoh-bridge-remote-api`, in order. */
export function bridgeCandidates(): string[] {
  const out: string[] = [];
  const named = Deno.env.get("DORA_ZENOH_BRIDGE");
  if (named) out.push(named);
  out.push(`${ROOT}/../shared/tools/zenoh-bridge-remote-api`);
  try {
    // A worktree's .tools links to the main checkout's: shared/ is beside that.
    const tools = Deno.realPathSync(`${ROOT}/.tools`);
    out.push(`${tools}/../../shared/tools/zenoh-bridge-remote-api`);
  } catch {
    // no .tools
  }
  out.push(`${ROOT}/.tools/bin/zenoh-bridge-remote-api`);
  return out;
}

/**
 * The bridge program the tests run.
 *
 * @throws {Error} none exists: the zenoh tests fail with how to get one
 *   (they never pass without a bridge).
 */
export function zenohBridge(): string {
  for (const c of bridgeCandidates()) {
    try {
      if (Deno.statSync(c).isFile) return Deno.realPathSync(c);
    } catch {
      // not here
    }
  }
  throw new Error(
    `no zenoh-bridge-remote-api for the zenoh tests (looked at ${
      bridgeCandidates().join(", ")
    }): run \`scripts/setup.sh --zenoh\` (cargo install, about 15 minutes) or set DORA_ZENOH_BRIDGE`,
  );
}

/** Ports of one daemon's bridge. */
export interface BridgePorts {
  ws: number;
  zenoh: number;
}

/** Free ports for a bridge. */
export function bridgePorts(): BridgePorts {
  return { ws: freePort(), zenoh: freePort() };
}

/**
 * Starts `dora daemon --zenoh` with its own bridge on `ports`, linked to
 * the bridges at `connect` (zenoh tcp ports), and waits for registration.
 */
export function zenohDaemon(
  sb: Sandbox,
  machine: string,
  ports: BridgePorts,
  connect: number[] = [],
  extra: string[] = [],
): Promise<Background> {
  return sb.daemon(
    [
      "--machine-id",
      machine,
      "--zenoh",
      "--zenoh-endpoint",
      `ws/127.0.0.1:${ports.ws}`,
      "--zenoh-listen",
      `tcp/127.0.0.1:${ports.zenoh}`,
      ...(connect.length
        ? [
          "--zenoh-connect",
          connect.map((p) => `tcp/127.0.0.1:${p}`).join(","),
        ]
        : []),
      ...extra,
    ],
    { DORA_ZENOH_BRIDGE: zenohBridge() },
  );
}
