/**
 * `dora coordinator`: serve the control plane (usually started by `dora up`).
 *
 * @module
 */
import { storeOption } from "../_options.ts";
import { Command, Option } from "commander";
import { CliError } from "../errors.ts";
import { guardProcess } from "../_guard.ts";
import {
  DEFAULT_COORDINATOR_ADDR,
  DEFAULT_COORDINATOR_PORT,
} from "../../control/protocol.ts";
import { coordinatorToken } from "../../control/auth.ts";
import { parsePort } from "../target.ts";
import { startCoordinator } from "../../coordinator/mod.ts";

/** The token this coordinator requires (see docs/security.md). */
function resolveToken(): string {
  const { token, created } = coordinatorToken();
  if (created) {
    console.error(
      `auth token written to ${created} (mode 0600); clients on this machine read it from there, others need it in DORA_AUTH_TOKEN or .dora-token`,
    );
  }
  return token;
}

function envMs(name: string): number | undefined {
  const v = Deno.env.get(name);
  return v && Number(v) > 0 ? Number(v) : undefined;
}

/** Registers `dora coordinator`. */
export function registerCoordinator(program: Command): void {
  program.addCommand(
    new Command("coordinator")
      .description("run the coordinator (control plane) in the foreground")
      .option(
        "--interface <IP>",
        "address to listen on (env DORA_COORDINATOR_INTERFACE)",
      )
      .option(
        "--port <PORT>",
        "WebSocket port",
        String(DEFAULT_COORDINATOR_PORT),
      )
      .option(
        "--store <STORE>",
        "state backend: memory | sqlite[:PATH]",
        "memory",
      )
      // Tokens are always required now; the flag stays for old scripts.
      .addOption(new Option("--auth").hideHelp())
      .option("--quiet", "do not log events to stderr")
      .action(async (opts) => {
        const iface = opts.interface ??
          Deno.env.get("DORA_COORDINATOR_INTERFACE") ??
          DEFAULT_COORDINATOR_ADDR;
        const port = parsePort(opts.port, "--port");
        storeOption(opts.store);
        const token = resolveToken();
        let running;
        try {
          running = startCoordinator({
            interface: iface,
            port,
            store: opts.store,
            token,
            heartbeatMs: envMs("DORA_HEARTBEAT_MS"),
            daemonTimeoutMs: envMs("DORA_DAEMON_TIMEOUT_MS"),
            log: opts.quiet
              ? () => {}
              : (m) => console.error(`coordinator: ${m}`),
          });
        } catch (err) {
          if (err instanceof Deno.errors.AddrInUse) {
            throw new CliError(
              `cannot listen on ${iface}:${port}: the address is in use (is a coordinator already running? try \`dora status\`)`,
            );
          }
          if (err instanceof CliError) throw err;
          throw new CliError(
            `cannot start the coordinator: ${
              err instanceof Error ? err.message : err
            }`,
          );
        }
        console.error(
          `dora coordinator listening on ${iface}:${running.port} (store: ${running.coordinator.config.store.kind}, auth: bearer token)`,
        );
        // A bug in one handler must not end the control plane.
        const unguard = guardProcess((m) => console.error(`coordinator: ${m}`));
        const stop = () => void running.shutdown();
        Deno.addSignalListener("SIGINT", stop);
        Deno.addSignalListener("SIGTERM", stop);
        await running.finished;
        Deno.removeSignalListener("SIGINT", stop);
        Deno.removeSignalListener("SIGTERM", stop);
        unguard();
      }),
  );
}
