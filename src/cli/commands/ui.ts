/**
 * `dora ui [-d DATAFLOW] [--port P] [--open]`: the live web dashboard of
 * running dataflows (graph with rates and drops, node table, logs, topic
 * values and plots), served by dora itself. See docs/views.md.
 *
 * @module
 */
import { Command } from "commander";
import { describeViewed, serveUi } from "../../views/mod.ts";
import { CliAccess } from "../views_access.ts";
import {
  checkDataflow,
  serveUntilStopped,
  type ViewFlags,
  viewPort,
  viewToken,
  withViewOptions,
} from "./_view_options.ts";

/** The dashboard's default port. */
export const UI_PORT = 6080;

interface UiFlags extends ViewFlags {
  open?: boolean;
}

/** Opens `url` in the desktop's browser; false when none could be started. */
async function openBrowser(url: string): Promise<boolean> {
  const cmd = Deno.build.os === "darwin" ? "open" : "xdg-open";
  try {
    const child = new Deno.Command(cmd, {
      args: [url],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    return (await child.status).success;
  } catch {
    return false;
  }
}

/** Registers `dora ui`. */
export function registerUi(program: Command): void {
  program.addCommand(
    withViewOptions(
      new Command("ui")
        .description(
          "serve a live web dashboard of running dataflows (graph, nodes, logs, topics)",
        )
        .option("--open", "open the dashboard in the default browser"),
      UI_PORT,
    ).action(async (opts: UiFlags) => {
      const port = viewPort(opts.port, UI_PORT);
      const token = viewToken(opts.host);
      const access = new CliAccess(opts);
      const dataflow = await checkDataflow(access, opts.dataflow);
      const ui = serveUi({
        access,
        host: opts.host,
        port,
        token: token?.token,
        select: dataflow?.uuid,
      });
      try {
        const url = dataflow ? `${ui.url}?dataflow=${dataflow.uuid}` : ui.url;
        console.log(url);
        console.error(
          `dora ui: dashboard of ${
            dataflow ? describeViewed(dataflow) : "the running dataflows"
          } at ${url} (Ctrl-C to stop)`,
        );
        if (token) {
          console.error(
            `dora ui: listening on ${opts.host} (off loopback): the page asks once for the coordinator's token (from ${token.from})`,
          );
        }
        if (opts.open && !(await openBrowser(url))) {
          console.error(
            "dora ui: warning: could not open a browser; open the address above",
          );
        }
        await serveUntilStopped(
          access,
          dataflow,
          Boolean(opts.exitWithDataflow),
          "dora ui",
        );
      } finally {
        await ui.close();
      }
    }),
  );
}
