/**
 * `dora start <PATH>`: run a dataflow on the coordinator's daemons. Attached
 * (default on a TTY) it streams logs until the dataflow ends; the first
 * Ctrl-C stops it, the second kills it.
 *
 * @module
 */
import { useColor } from "../_output.ts";
import { Command } from "commander";
import { UsageError } from "../errors.ts";
import { asCliError, connectCoordinator } from "../coordinator_client.ts";
import { envPairs } from "../_options.ts";
import { loadWithFlat } from "../load_descriptor.ts";
import { typeCheckMode, typeCheckOption } from "../_type_check.ts";
import { describeOutcome } from "../outcome.ts";
import { startViewChild, type ViewChild } from "./_view_child.ts";
import type { Peer } from "../../control/peer.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import { formatRecord, type LogRecord } from "../../logs/mod.ts";

interface Outcome {
  uuid: string;
  name?: string;
  status: string;
  error?: string;
}

/**
 * Streams logs of `uuid` until it ends; Ctrl-C stops it (twice: kills).
 * Returns the exit code (1 when the dataflow failed).
 */
export async function attach(peer: Peer, uuid: string): Promise<number> {
  const color = useColor();
  const seen = new Set<string>();
  const print = (r: LogRecord) => {
    const key = `${r.ts}\u0000${r.node}\u0000${r.msg}`;
    if (seen.has(key)) return;
    seen.add(key);
    console.log(formatRecord(r, "pretty", { color }));
  };
  peer.setHandlers({
    onEvent: (event, payload) => {
      if (event === "log") print((payload as { record: LogRecord }).record);
    },
  });
  await peer.call("follow", { ref: uuid });
  const { lines } = await peer.call<{ lines: LogRecord[] }>("logs", {
    ref: uuid,
  });
  for (const r of lines) print(r);
  let interrupts = 0;
  const onInt = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error("stopping dataflow (press Ctrl-C again to kill it)");
      peer.call("stop", { ref: uuid }).catch(() => {});
    } else {
      console.error("killing dataflow");
      peer.call("stop", { ref: uuid, force: true }).catch(() => {});
    }
  };
  Deno.addSignalListener("SIGINT", onInt);
  try {
    const outcome = await peer.call<Outcome>("wait", { uuid });
    const { line, failed } = describeOutcome(outcome);
    console.error(line);
    return failed ? 1 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onInt);
  }
}

interface StartOptions extends TargetFlags {
  name?: string;
  attach?: boolean;
  detach?: boolean;
  env?: string[];
  typeCheck?: string;
  hotReload?: boolean;
  debug?: boolean;
  uv?: boolean;
  ui?: boolean;
  uiPort?: string;
  foxglove?: boolean;
  foxglovePort?: string;
}

/** Registers `dora start`. */
export function registerStart(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("start")
        .description("start a dataflow on the running coordinator")
        .argument("<PATH>", "dataflow descriptor (YAML)")
        .option("-n, --name <NAME>", "name the dataflow")
        .option(
          "--attach",
          "stream logs and wait for the end (default on a TTY)",
        )
        .option(
          "--detach",
          "return once the dataflow is spawned (default when piped)",
        )
        .option(
          "--hot-reload",
          "reload Python and TypeScript operators when their files change",
        )
        .option(
          "--debug",
          "enable the message tap for `dora topic echo/hz/info/pub` and, with a zenoh bridge at the daemon's --zenoh-endpoint, open data on zenoh (like `_unstable_debug.publish_all_messages_to_zenoh: true`)",
        )
        .option(
          "--env <K=V>",
          "extra environment for every node (repeatable)",
          // No default value: commander would print "(default: [])" in --help.
          (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
        )
        .option(
          "--ui",
          "serve the live web dashboard of this dataflow while attached (`dora ui`; enables debug inspection)",
        )
        .option(
          "--foxglove",
          "serve this dataflow to Foxglove while attached (`dora foxglove`; enables debug inspection)",
        )
        .option(
          "--ui-port <PORT>",
          "port of the --ui dashboard (default 6080; 0: any free port)",
        )
        .option(
          "--foxglove-port <PORT>",
          "port of the --foxglove server (default 8765; 0: any free port)",
        )
        .addOption(typeCheckOption())
        .option(
          "--uv",
          "run Python nodes with `uv run python` on their daemons (uv is installed from PyPI when missing)",
        ),
    ).action(async (path: string, opts: StartOptions) => {
      if (opts.attach && opts.detach) {
        throw new UsageError("--attach and --detach exclude each other");
      }
      if (opts.name !== undefined && !/^[A-Za-z0-9_.-]+$/.test(opts.name)) {
        throw new UsageError(
          `invalid --name "${opts.name}": use letters, digits, '_', '.', '-'`,
        );
      }
      const env = envPairs(opts.env);
      const { dataflow, flat } = await loadWithFlat(path);
      const typeCheck = typeCheckMode(opts.typeCheck);
      if (typeCheck !== undefined) dataflow.typeCheck = typeCheck;
      if (opts.hotReload) dataflow.hotReload = true;
      if (opts.debug || opts.ui || opts.foxglove) {
        dataflow.debug = { ...dataflow.debug, publishAllMessages: true };
      }
      if (opts.uv) dataflow.uv = true;
      const attached = opts.attach ??
        (opts.detach
          ? false
          : Deno.stdin.isTerminal() && Deno.stdout.isTerminal());
      if ((opts.ui || opts.foxglove) && !attached) {
        throw new UsageError(
          `--${
            opts.ui ? "ui" : "foxglove"
          } serves the dataflow while \`dora start\` stays attached: drop --detach, or run \`dora ${
            opts.ui ? "ui" : "foxglove"
          } -d <UUID>\` for a detached one`,
        );
      }
      const views: ViewChild[] = [];
      const target = resolveTarget(opts);
      const { peer } = await connectCoordinator(target);
      try {
        const r = await peer.call<{ uuid: string; name?: string }>("start", {
          descriptor: dataflow,
          source: flat,
          name: opts.name,
          env,
        });
        if (!attached) {
          console.log(r.uuid);
          return;
        }
        const say = (_level: string, msg: string) => console.error(msg);
        views.push(
          ...(opts.ui
            ? [startViewChild("ui", r.uuid, opts, opts.uiPort, say)]
            : []),
          ...(opts.foxglove
            ? [startViewChild("foxglove", r.uuid, opts, opts.foxglovePort, say)]
            : []),
        );
        console.error(
          `dataflow ${r.name ? `${r.name} (${r.uuid})` : r.uuid} started`,
        );
        Deno.exitCode = await attach(peer, r.uuid);
      } catch (err) {
        throw asCliError(err, target);
      } finally {
        await Promise.all(views.map((v) => v.stop()));
        peer.close(1000, "done");
      }
    }),
  );
}
