/**
 * Where the coordinator is: `--coordinator-addr/--coordinator-port` flags,
 * else `DORA_COORDINATOR_ADDR/DORA_COORDINATOR_PORT`, else 127.0.0.1:6013.
 *
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "./errors.ts";
import {
  DEFAULT_COORDINATOR_ADDR,
  DEFAULT_COORDINATOR_PORT,
} from "../control/protocol.ts";
import type { CoordinatorTarget } from "../control/target.ts";
export { type CoordinatorTarget, formatTarget } from "../control/target.ts";

/** Flags every client command takes. */
export interface TargetFlags {
  coordinatorAddr?: string;
  coordinatorPort?: string;
}

/** Adds `--coordinator-addr` and `--coordinator-port` to `cmd`. */
// deno-lint-ignore no-explicit-any
export function withTargetOptions<C extends Command<any, any, any>>(cmd: C): C {
  cmd.option(
    "--coordinator-addr <IP>",
    "coordinator address (env DORA_COORDINATOR_ADDR, default 127.0.0.1)",
  );
  cmd.option(
    "--coordinator-port <PORT>",
    "coordinator port (env DORA_COORDINATOR_PORT, default 6013)",
  );
  return cmd;
}

/** Parses a TCP port, or throws a usage error naming `what`. */
export function parsePort(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 65535) {
    throw new UsageError(
      `${what} must be a port number (1-65535), got "${text}"`,
    );
  }
  return n;
}

/** Resolves the coordinator address from flags and environment. */
export function resolveTarget(flags: TargetFlags): CoordinatorTarget {
  const addr = flags.coordinatorAddr ??
    Deno.env.get("DORA_COORDINATOR_ADDR") ?? DEFAULT_COORDINATOR_ADDR;
  const portText = flags.coordinatorPort ??
    Deno.env.get("DORA_COORDINATOR_PORT");
  const port = portText === undefined ? DEFAULT_COORDINATOR_PORT : parsePort(
    portText,
    flags.coordinatorPort ? "--coordinator-port" : "DORA_COORDINATOR_PORT",
  );
  return { addr, port };
}
