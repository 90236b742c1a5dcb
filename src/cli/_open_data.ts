/**
 * The zenoh options of the commands that run a dataflow here (`dora run`):
 * `--zenoh-endpoint` (the bridge of the built-in zenoh nodes and of open
 * data) and `--debug` (open data).
 *
 * @module
 */
import { DEFAULT_ZENOH_ENDPOINT, parseEndpoint } from "../zenoh/mod.ts";
import {
  ZenohConfigError,
  ZenohUnreachableError,
  ZenohVersionError,
} from "../zenoh/mod.ts";
import { type DataflowRuntime, OpenDataPublisher } from "../runtime/mod.ts";
import { CliError, UsageError } from "./errors.ts";

/** `--zenoh-endpoint`, else `DORA_ZENOH_ENDPOINT`, else the default. */
export function zenohEndpointOption(text: string | undefined): string {
  try {
    return parseEndpoint(
      text ?? Deno.env.get("DORA_ZENOH_ENDPOINT") ?? DEFAULT_ZENOH_ENDPOINT,
      ["ws"],
    ).text;
  } catch (err) {
    if (err instanceof ZenohConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * Starts publishing every output of `runtime` as open data (before
 * `runtime.start()`); a bridge that is not there is a runtime error naming
 * the endpoint.
 */
export async function startOpenData(
  runtime: DataflowRuntime,
  endpoint: string,
  warn: (text: string) => void,
): Promise<OpenDataPublisher> {
  try {
    return await OpenDataPublisher.start(
      runtime,
      runtime.dataflow.nodes.map((n) => n.id),
      endpoint,
      warn,
    );
  } catch (err) {
    if (
      err instanceof ZenohUnreachableError || err instanceof ZenohVersionError
    ) {
      throw new CliError(`open data (--debug): ${err.message}`);
    }
    throw err;
  }
}
