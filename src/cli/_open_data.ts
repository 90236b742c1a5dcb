/**
 * The zenoh options of the commands that run a dataflow here (`dora run`):
 * `--zenoh-endpoint` (the bridge of the built-in zenoh nodes and of open
 * data), `--zenoh` / `--zenoh-listen` (a bridge of the run's own) and
 * `--debug` (open data).
 *
 * @module
 */
import {
  DEFAULT_ZENOH_ENDPOINT,
  findBridge,
  parseEndpoint,
  SupervisedBridge,
  ZenohBridgeMissingError,
  ZenohConfigError,
  ZenohUnreachableError,
  ZenohVersionError,
} from "../zenoh/mod.ts";
import { sourceRoot } from "../dora_command.ts";
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
 * `runtime.start()`). A `required` bridge (named by the user) that is not
 * there is a runtime error naming the endpoint; without one, open data is
 * off (said once) and the dataflow runs with the message tap alone.
 */
export async function startOpenData(
  runtime: DataflowRuntime,
  endpoint: string,
  required: boolean,
  say: (level: "warn" | "info", text: string) => void,
): Promise<OpenDataPublisher | undefined> {
  try {
    return await OpenDataPublisher.start(
      runtime,
      runtime.dataflow.nodes.map((n) => n.id),
      endpoint,
      (t) => say("warn", t),
    );
  } catch (err) {
    if (err instanceof ZenohUnreachableError && !required) {
      say(
        "info",
        `open data on zenoh is off: no zenoh bridge at ${endpoint} (\`--zenoh\` starts one, \`--zenoh-endpoint\` names another)`,
      );
      return undefined;
    }
    if (
      err instanceof ZenohUnreachableError || err instanceof ZenohVersionError
    ) {
      throw new CliError(`open data (--debug): ${err.message}`);
    }
    throw err;
  }
}

/** Where `dora run --zenoh`'s bridge accepts zenoh peers by default. */
export const RUN_BRIDGE_LISTEN = "tcp/127.0.0.1:7447";

/**
 * Starts and supervises a local `zenoh-bridge-remote-api` serving
 * `endpoint` for the time of a run (`dora run --zenoh`), listening on
 * `listen` (comma-separated zenoh endpoints, default
 * {@link RUN_BRIDGE_LISTEN}) for the applications that read the dataflow.
 */
export async function startRunBridge(
  endpoint: string,
  listen: string | undefined,
  log: (text: string) => void,
): Promise<SupervisedBridge> {
  const endpoints = (listen ?? RUN_BRIDGE_LISTEN).split(",").map((e) =>
    e.trim()
  ).filter(Boolean).map((e) => {
    try {
      return parseEndpoint(e, ["tcp", "udp", "tls", "quic"], "--zenoh-listen")
        .text;
    } catch (err) {
      if (err instanceof ZenohConfigError) throw new UsageError(err.message);
      throw err;
    }
  });
  try {
    return await SupervisedBridge.start({
      program: findBridge(sourceRoot()),
      endpoint,
      listen: endpoints,
      connect: [],
      log,
    });
  } catch (err) {
    if (
      err instanceof ZenohBridgeMissingError ||
      err instanceof ZenohVersionError || err instanceof ZenohUnreachableError
    ) throw new CliError(`--zenoh: ${err.message}`);
    throw err;
  }
}
