/**
 * `dora daemon`: run one machine's daemon (usually started by `dora up`).
 *
 * @module
 */
import { Command } from "commander";
import { CliError, UsageError } from "../errors.ts";
import { zenohEndpointOption } from "../_open_data.ts";
import { guardProcess } from "../_guard.ts";
import { durationOption } from "../_options.ts";

/** How long a daemon runs without its coordinator (after having one). */
const DEFAULT_COORDINATOR_TIMEOUT_MS = 5 * 60_000;
import { parsePort } from "../target.ts";
import {
  DEFAULT_COORDINATOR_ADDR,
  DEFAULT_COORDINATOR_PORT,
} from "../../control/protocol.ts";
import {
  DaemonAgent,
  launchWithRuntime,
  serveDiscovery,
} from "../../daemon/mod.ts";
import {
  type DataTransport,
  TcpTransport,
  ZenohTransport,
} from "../../transport/mod.ts";
import { sourceRoot } from "../../dora_command.ts";
import {
  DEFAULT_ZENOH_ENDPOINT,
  findBridge,
  parseEndpoint,
  SupervisedBridge,
  ZenohConfigError,
} from "../../zenoh/mod.ts";
import { runtimeBase } from "../../runtime/spawn/runtime_dir.ts";

/** Parses `k=v,k2=v2`. */
export function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(",")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`--labels expects k=v[,k=v…], got "${part}"`);
    }
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Registers `dora daemon`. */
export function registerDaemon(program: Command): void {
  program.addCommand(
    new Command("daemon")
      .description(
        "run this machine's daemon: spawns nodes for the coordinator",
      )
      .option(
        "--machine-id <ID>",
        "this machine's id (matched by deploy.machine)",
      )
      .option(
        "-c, --coordinator-addr <IP>",
        "coordinator address (env DORA_COORDINATOR_ADDR)",
      )
      .option(
        "--coordinator-port <PORT>",
        "coordinator port (env DORA_COORDINATOR_PORT)",
      )
      .option("--labels <LABELS>", "labels k=v,k2=v2 matched by deploy.labels")
      .option(
        "--interface <IP>",
        "address for daemon-to-daemon data connections (advertised to peers)",
        "127.0.0.1",
      )
      .option(
        "--local-listen-port <PORT>",
        "port of the data port for other daemons (default: any free port)",
      )
      .option(
        "--allow-shell-nodes",
        "allow `path: shell` nodes (env DORA_ALLOW_SHELL_NODES)",
      )
      .option(
        "--transport <KIND>",
        "daemon-to-daemon data transport: tcp or zenoh (env DORA_TRANSPORT; default tcp)",
      )
      .option(
        "--zenoh",
        "start and supervise a local zenoh-bridge-remote-api and use the zenoh transport",
      )
      .option(
        "--zenoh-endpoint <ENDPOINT>",
        `the bridge's WebSocket, ws/HOST:PORT, for the zenoh transport, open data and zenoh nodes (env DORA_ZENOH_ENDPOINT; default ${DEFAULT_ZENOH_ENDPOINT})`,
      )
      .option(
        "--zenoh-listen <ENDPOINTS>",
        "with --zenoh: where the bridge accepts other bridges, tcp/IP:PORT[,…] (default tcp/<interface>:7447)",
      )
      .option(
        "--zenoh-connect <ENDPOINTS>",
        "with --zenoh: other machines' bridges to link to, tcp/HOST:PORT[,…]",
      )
      .option(
        "--coordinator-timeout <DURATION>",
        "stop the dataflows and exit after this long without the coordinator (0: never; env DORA_COORDINATOR_TIMEOUT)",
      )
      .option("--quiet", "do not log events to stderr")
      .option(
        "--rt",
        "real-time: lock the daemon's memory and run it with SCHED_FIFO (a warning where not permitted)",
      )
      .action(async (opts) => {
        const machineId = opts.machineId;
        if (opts.rt) {
          const { enableRealtime } = await import("../../runtime/realtime.ts");
          const rt = enableRealtime();
          for (const w of rt.warnings) {
            console.error(`dora daemon: warning: ${w}`);
          }
        }
        if (opts.allowShellNodes) {
          Deno.env.set("DORA_ALLOW_SHELL_NODES", "true");
        }
        if (
          machineId !== undefined && !/^[A-Za-z0-9_.-]{1,256}$/.test(machineId)
        ) {
          throw new UsageError(
            `--machine-id must be 1-256 characters of A-Z a-z 0-9 _ . -, got "${machineId}"`,
          );
        }
        const addr = opts.coordinatorAddr ??
          Deno.env.get("DORA_COORDINATOR_ADDR") ??
          DEFAULT_COORDINATOR_ADDR;
        const portText = opts.coordinatorPort ??
          Deno.env.get("DORA_COORDINATOR_PORT");
        const port = portText
          ? parsePort(portText, "--coordinator-port")
          : DEFAULT_COORDINATOR_PORT;
        const dataPort = opts.localListenPort === undefined
          ? 0
          : parsePort(opts.localListenPort, "--local-listen-port");
        // The token stays in this process: nodes inherit the environment.
        const token = Deno.env.get("DORA_AUTH_TOKEN")?.trim() || undefined;
        Deno.env.delete("DORA_AUTH_TOKEN");
        const log = opts.quiet
          ? () => {}
          : (m: string) =>
            console.error(`daemon${machineId ? ` ${machineId}` : ""}: ${m}`);
        // A bug in one callback must not end the daemon and its nodes.
        guardProcess((m) =>
          console.error(`daemon${machineId ? ` ${machineId}` : ""}: ${m}`)
        );
        const coordinatorTimeoutMs = durationOption(
          "--coordinator-timeout",
          opts.coordinatorTimeout ?? Deno.env.get("DORA_COORDINATOR_TIMEOUT"),
        ) ?? DEFAULT_COORDINATOR_TIMEOUT_MS;
        const zenoh = zenohSettings(opts);
        let bridge: SupervisedBridge | undefined;
        if (zenoh?.supervise) {
          bridge = await SupervisedBridge.start({
            program: findBridge(sourceRoot()),
            endpoint: zenoh.endpoint,
            listen: zenoh.listen.length
              ? zenoh.listen
              : [`tcp/${opts.interface}:7447`],
            connect: zenoh.connect,
            log,
          });
          log(`started zenoh bridge (pid ${bridge.pid}) at ${zenoh.endpoint}`);
        }
        const transport: DataTransport = zenoh
          ? new ZenohTransport({ endpoint: zenoh.endpoint, onError: log })
          : new TcpTransport((m) => log(m));
        const agent = new DaemonAgent({
          machineId,
          coordinatorTimeoutMs,
          labels: parseLabels(opts.labels),
          target: { addr, port },
          interface: opts.interface,
          dataPort,
          token,
          transport,
          // Open data and zenoh nodes use this bridge under either transport.
          zenohEndpoint: zenoh?.endpoint ??
            zenohEndpointOption(opts.zenohEndpoint),
          zenohRequired: Boolean(
            zenoh || opts.zenohEndpoint || Deno.env.get("DORA_ZENOH_ENDPOINT"),
          ),
          launch: launchWithRuntime,
          log,
        });
        const discovery = serveDiscovery(
          machineId,
          (node, df) => agent.dynamicConfig(node, df),
        );
        if (machineId !== undefined) {
          // Two daemons on one machine may run parts of the same dataflow:
          // give each its own runtime folder (sockets are per dataflow id).
          const own = `${runtimeBase()}/machine-${machineId}`;
          Deno.mkdirSync(own, { recursive: true, mode: 0o700 });
          Deno.env.set("XDG_RUNTIME_DIR", own);
        }
        try {
          await agent.start();
          if (transport instanceof ZenohTransport) {
            log(
              `data transport: zenoh through the bridge at ${transport.endpoint} (${
                transport.bridgeVersion
                  ? `zenoh-bridge-remote-api ${transport.bridgeVersion}`
                  : "warning: it did not report its version"
              })`,
            );
          }
        } catch (err) {
          discovery.close();
          transport.close();
          await bridge?.stop();
          if (err instanceof Deno.errors.AddrInUse) {
            throw new CliError(
              `cannot listen for daemon data connections on ${opts.interface}:${dataPort}: the address is in use (another daemon? pick another --local-listen-port)`,
            );
          }
          throw err;
        }
        let signals = 0;
        const onSignal = () => {
          signals++;
          agent.shutdown(signals > 1);
        };
        Deno.addSignalListener("SIGINT", onSignal);
        Deno.addSignalListener("SIGTERM", onSignal);
        await agent.exited;
        // Let the reply to `destroy` reach the coordinator before closing.
        await new Promise((r) => setTimeout(r, 50));
        agent.close();
        discovery.close();
        await bridge?.stop();
        Deno.removeSignalListener("SIGINT", onSignal);
        Deno.removeSignalListener("SIGTERM", onSignal);
        Deno.exit(agent.exitCode);
      }),
  );
}

/** The zenoh settings of `dora daemon`, or undefined for TCP. */
function zenohSettings(opts: {
  transport?: string;
  zenoh?: boolean;
  zenohEndpoint?: string;
  zenohListen?: string;
  zenohConnect?: string;
}):
  | {
    endpoint: string;
    supervise: boolean;
    listen: string[];
    connect: string[];
  }
  | undefined {
  const kind = opts.transport ?? Deno.env.get("DORA_TRANSPORT") ??
    (opts.zenoh ? "zenoh" : "tcp");
  if (kind !== "tcp" && kind !== "zenoh") {
    throw new UsageError(`--transport expects tcp or zenoh, got "${kind}"`);
  }
  if (kind === "tcp") {
    if (opts.zenoh) {
      throw new UsageError(
        "--zenoh needs --transport zenoh (or no --transport)",
      );
    }
    return undefined;
  }
  const list = (text: string | undefined, what: string) =>
    (text ?? "").split(",").map((e) => e.trim()).filter(Boolean).map((e) => {
      try {
        return parseEndpoint(e, ["tcp", "udp", "tls", "quic"], what).text;
      } catch (err) {
        if (err instanceof ZenohConfigError) throw new UsageError(err.message);
        throw err;
      }
    });
  const endpointText = opts.zenohEndpoint ??
    Deno.env.get("DORA_ZENOH_ENDPOINT") ?? DEFAULT_ZENOH_ENDPOINT;
  let endpoint: string;
  try {
    endpoint = parseEndpoint(endpointText, ["ws"]).text;
  } catch (err) {
    if (err instanceof ZenohConfigError) throw new UsageError(err.message);
    throw err;
  }
  const listen = list(opts.zenohListen, "--zenoh-listen");
  const connect = list(opts.zenohConnect, "--zenoh-connect");
  if (!opts.zenoh && (listen.length || connect.length)) {
    throw new UsageError(
      "--zenoh-listen and --zenoh-connect configure the bridge that --zenoh starts",
    );
  }
  return { endpoint, supervise: Boolean(opts.zenoh), listen, connect };
}
