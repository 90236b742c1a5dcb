/**
 * Where the commands that change a running dataflow (`dora param`, `dora
 * node restart/stop/add/…`) send their change: the coordinator or the
 * local endpoint of a `dora run` that runs the dataflow `-d` names (uuid,
 * name or unique prefix), else the only running one (several: a picker on
 * a terminal, an error listing them otherwise).
 *
 * @module
 */
import type { Command } from "commander";
import type { Peer } from "../../control/peer.ts";
import { withDataflow } from "../inspect_target.ts";
import { UsageError } from "../errors.ts";
import { type TargetFlags, withTargetOptions } from "../target.ts";

/** The flags every change command takes. */
export interface ChangeFlags extends TargetFlags {
  dataflow?: string;
  format?: string;
}

/** Adds `-d/--dataflow`, `-f/--format` and the coordinator flags. */
// deno-lint-ignore no-explicit-any
export function withChangeOptions<C extends Command<any, any, any>>(
  cmd: C,
): C {
  cmd.option(
    "-d, --dataflow <UUID_OR_NAME>",
    "dataflow (default: the only running one)",
  );
  cmd.option("-f, --format <FORMAT>", "table | json", "table");
  return withTargetOptions(cmd);
}

/** Whether `--format json` was asked for (a bad format is a usage error). */
export function jsonFormat(flags: ChangeFlags): boolean {
  const f = flags.format ?? "table";
  if (f !== "table" && f !== "json") {
    throw new UsageError(`--format must be table or json, got "${f}"`);
  }
  return f === "json";
}

/**
 * Chooses the dataflow (through the coordinator, or a `dora run` of this
 * machine) and calls `fn` with a link to the endpoint that serves it and
 * the dataflow's uuid. Remote errors become CLI errors.
 */
export function withChangeTarget<T>(
  flags: ChangeFlags,
  fn: (peer: Peer, ref: string) => Promise<T>,
): Promise<T> {
  return withDataflow(flags, (peer, dataflow) => fn(peer, dataflow.uuid));
}

/** `dataflow "demo"` or `dataflow 0192…`. */
export function dataflowLabel(r: { uuid: string; name?: string }): string {
  return r.name ? `dataflow "${r.name}"` : `dataflow ${r.uuid}`;
}
