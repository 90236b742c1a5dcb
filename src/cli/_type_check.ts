/**
 * `--type-check <MODE>` of `run` and `start`: runtime type checks in the
 * node APIs, from the flag or `DORA_RUNTIME_TYPE_CHECK` (docs/types.md).
 *
 * @module
 */
import { Option } from "commander";
import {
  parseTypeCheckMode,
  TYPE_CHECK_ENV,
} from "../descriptor/types/runtime_config.ts";

/** A fresh `--type-check` option (commander options belong to one command). */
export function typeCheckOption(): Option {
  return new Option(
    "--type-check <MODE>",
    `check the data nodes send and receive against the type annotations (default: $${TYPE_CHECK_ENV})`,
  ).choices(["warn", "error", "off"]);
}

/**
 * The mode for the dataflow: the flag, else `DORA_RUNTIME_TYPE_CHECK` (an
 * unknown value is reported on stderr and leaves the checks off).
 */
export function typeCheckMode(
  flag: string | undefined,
): "warn" | "error" | "off" | undefined {
  const value = parseTypeCheckMode(flag ?? Deno.env.get(TYPE_CHECK_ENV));
  if (typeof value === "object") {
    console.error(
      `warning: unknown ${TYPE_CHECK_ENV} value "${value.invalid}" (expected warn or error): runtime type checks are off`,
    );
    return "off";
  }
  return value;
}
