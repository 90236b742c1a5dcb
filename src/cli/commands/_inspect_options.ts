/**
 * Options the inspection commands share: `-d/--dataflow`, the coordinator
 * address, and `-f/--format table|json`.
 *
 * @module
 */
import type { Command } from "commander";
import { UsageError } from "../errors.ts";
import { withTargetOptions } from "../target.ts";

/** Adds `-d/--dataflow` and `--coordinator-addr/--coordinator-port`. */
// deno-lint-ignore no-explicit-any
export function withDataflowOptions<C extends Command<any, any, any>>(
  cmd: C,
): C {
  cmd.option(
    "-d, --dataflow <UUID_OR_NAME>",
    "dataflow uuid, name or a unique prefix (default: the only running one; several: a picker on a terminal)",
  );
  return withTargetOptions(cmd);
}

/** Adds `-f/--format table|json`. */
// deno-lint-ignore no-explicit-any
export function withFormatOption<C extends Command<any, any, any>>(cmd: C): C {
  cmd.option("-f, --format <FORMAT>", "table | json", "table");
  return cmd;
}

/** Checks a `--format` value. */
export function formatOption(text: string | undefined): "table" | "json" {
  const f = text ?? "table";
  if (f !== "table" && f !== "json") {
    throw new UsageError(`invalid --format "${f}": expected table or json`);
  }
  return f;
}

/** A positive number of seconds (`--window`, `--duration`, …), with a minimum. */
export function secondsOption(
  name: string,
  text: string | undefined,
  fallback: number | undefined,
  min: number,
): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/s$/, ""));
  if (!Number.isFinite(n) || n < min) {
    throw new UsageError(
      `invalid ${name} "${text}": expected a number of seconds, at least ${min}`,
    );
  }
  return n;
}

/** A positive whole number (`--count`). */
export function countOption(
  name: string,
  text: string | undefined,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1) {
    throw new UsageError(
      `invalid ${name} "${text}": expected a whole number, at least 1`,
    );
  }
  return n;
}
