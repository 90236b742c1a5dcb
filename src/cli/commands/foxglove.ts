/**
 * `dora foxglove [-d DATAFLOW] [--port 8765]`: a Foxglove WebSocket server
 * (both subprotocols) for Foxglove and Lichtblick: every output a channel,
 * messages through the message tap, node parameters as Foxglove
 * parameters. See docs/views.md.
 *
 * @module
 */
import { Command } from "commander";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  describeViewed,
  serveFoxglove,
} from "../../views/mod.ts";
import { UsageError } from "../errors.ts";
import { CliAccess } from "../views_access.ts";
import {
  checkDataflow,
  serveUntilStopped,
  type ViewFlags,
  viewPort,
  viewToken,
  withViewOptions,
} from "./_view_options.ts";

/** The Foxglove server's default port (Foxglove's own default). */
export const FOXGLOVE_PORT = 8765;

interface FoxgloveFlags extends ViewFlags {
  maxMessageBytes?: string;
  allowOrigin?: string[];
}

/** Registers `dora foxglove`. */
export function registerFoxglove(program: Command): void {
  program.addCommand(
    withViewOptions(
      new Command("foxglove")
        .description(
          "serve a running dataflow to Foxglove or Lichtblick (Foxglove WebSocket protocol)",
        )
        .option(
          "--max-message-bytes <N>",
          `skip (and report) messages larger than this (default ${DEFAULT_MAX_MESSAGE_BYTES})`,
        )
        .option(
          "--allow-origin <ORIGIN>",
          "also accept WebSocket connections from pages of ORIGIN (repeatable; * for any)",
          (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
        ),
      FOXGLOVE_PORT,
    ).action(async (opts: FoxgloveFlags) => {
      const port = viewPort(opts.port, FOXGLOVE_PORT);
      let maxMessageBytes: number | undefined;
      if (opts.maxMessageBytes !== undefined) {
        maxMessageBytes = Number(opts.maxMessageBytes);
        if (
          !/^\d+$/.test(opts.maxMessageBytes.trim()) || maxMessageBytes < 1024
        ) {
          throw new UsageError(
            `invalid --max-message-bytes "${opts.maxMessageBytes}": expected a whole number of bytes, at least 1024`,
          );
        }
      }
      const token = viewToken(opts.host);
      const access = new CliAccess(opts);
      const dataflow = await checkDataflow(access, opts.dataflow);
      const server = serveFoxglove({
        access,
        ref: opts.dataflow,
        host: opts.host,
        port,
        token: token?.token,
        maxMessageBytes,
        allowOrigins: opts.allowOrigin,
      });
      try {
        console.log(server.url);
        console.error(
          `dora foxglove: serving ${
            dataflow ? describeViewed(dataflow) : "the running dataflow"
          } at ${server.url}: in Foxglove or Lichtblick, open a connection, "Foxglove WebSocket", this address (Ctrl-C to stop)`,
        );
        if (token) {
          console.error(
            `dora foxglove: listening on ${opts.host} (off loopback): clients need the coordinator's token (from ${token.from}), in Foxglove and Lichtblick as ${server.url}/?token=TOKEN`,
          );
        }
        await serveUntilStopped(
          access,
          dataflow,
          Boolean(opts.exitWithDataflow),
          "dora foxglove",
        );
      } finally {
        await server.close();
      }
    }),
  );
}
