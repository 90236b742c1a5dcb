/**
 * What `dora ui` and `dora foxglove` share: `--host`/`--port` (off loopback
 * only with the coordinator's token), `-d`, the dataflow check at start,
 * and running until Ctrl-C (or until the dataflow ends, for the servers
 * `dora run --ui` / `--foxglove` start).
 *
 * @module
 */
import { Option } from "commander";
import type { Command } from "commander";
import { findToken, tokenFile } from "../../control/auth.ts";
import {
  describeViewed,
  isLoopback,
  NoDataflowError,
  pickDataflow,
  type ViewedDataflow,
} from "../../views/mod.ts";
import { CliError, UsageError } from "../errors.ts";
import type { CliAccess } from "../views_access.ts";
import { withDataflowOptions } from "./_inspect_options.ts";

/** The flags of a view server command. */
export interface ViewFlags {
  dataflow?: string;
  host?: string;
  port?: string;
  coordinatorAddr?: string;
  coordinatorPort?: string;
  exitWithDataflow?: boolean;
}

/** Adds `-d`, `--host`, `--port` and the coordinator options. */
// deno-lint-ignore no-explicit-any
export function withViewOptions<C extends Command<any, any, any>>(
  cmd: C,
  defaultPort: number,
): C {
  withDataflowOptions(cmd);
  cmd.option(
    "--host <ADDR>",
    "address to listen on (default 127.0.0.1; off loopback the coordinator's token is required)",
  );
  cmd.option(
    "-p, --port <PORT>",
    `port to listen on (default ${defaultPort}; 0: any free port)`,
  );
  cmd.addOption(
    new Option(
      "--exit-with-dataflow",
      "exit when the dataflow ends (used by `--ui`/`--foxglove` of run and start)",
    ).hideHelp(),
  );
  return cmd;
}

/** The port of `--port` (0 allowed), or the default. */
export function viewPort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) {
    throw new UsageError(
      `--port must be a port number (0-65535), got "${text}"`,
    );
  }
  return n;
}

/** The token a server off loopback requires, and where it was read. */
export interface ViewToken {
  token: string;
  /** `DORA_AUTH_TOKEN`, or the file it was read from (said, never the token). */
  from: string;
}

/** The token a server off loopback requires (undefined on loopback). */
export function viewToken(host: string | undefined): ViewToken | undefined {
  if (host === undefined || isLoopback(host)) return undefined;
  const token = findToken();
  if (!token) {
    throw new CliError(
      `--host ${host} listens off loopback, which needs the coordinator's token, and none is set: set DORA_AUTH_TOKEN, put the token in ./.dora-token, or start \`dora coordinator\` once on this machine (it writes ${tokenFile()}); or listen on 127.0.0.1`,
    );
  }
  return { token, from: tokenSource(token) };
}

/** Where {@linkcode findToken} found `token`, for people. */
function tokenSource(token: string): string {
  if (Deno.env.get("DORA_AUTH_TOKEN")?.trim()) return "DORA_AUTH_TOKEN";
  try {
    if (Deno.readTextFileSync(".dora-token").trim() === token) {
      return "./.dora-token";
    }
  } catch {
    // not there
  }
  return tokenFile();
}

/**
 * The dataflow `-d` names, checked against the running ones (undefined
 * without `-d`: every running dataflow, chosen in the view).
 */
export async function checkDataflow(
  access: CliAccess,
  ref: string | undefined,
): Promise<ViewedDataflow | undefined> {
  if (ref === undefined) return undefined;
  const list = await access.list();
  try {
    return pickDataflow(list, ref);
  } catch (err) {
    if (err instanceof NoDataflowError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * Waits for Ctrl-C / SIGTERM, or (with `exitWithDataflow`) for `dataflow`
 * to end, polled every second.
 */
export async function serveUntilStopped(
  access: CliAccess,
  dataflow: ViewedDataflow | undefined,
  exitWithDataflow: boolean,
  what: string,
): Promise<void> {
  const done = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const handlers = signals.map((s) => {
    const h = () => done.resolve(s);
    Deno.addSignalListener(s, h);
    return [s, h] as const;
  });
  let poll: ReturnType<typeof setInterval> | undefined;
  if (exitWithDataflow && dataflow) {
    poll = setInterval(async () => {
      try {
        const list = await access.list();
        if (!list.some((d) => d.uuid === dataflow.uuid)) {
          done.resolve(`dataflow ${describeViewed(dataflow)} ended`);
        }
      } catch {
        // ask again next time
      }
    }, 1000);
  }
  try {
    const why = await done.promise;
    console.error(`${what} stopped (${why})`);
  } finally {
    clearInterval(poll);
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
}
