/**
 * `dora run <PATH>`: run a dataflow locally with an in-process runtime (no
 * coordinator, no daemon), print node logs, stop on Ctrl-C / SIGTERM / SIGHUP
 * or `--stop-after`, and print the end-of-run summary.
 *
 * @module
 */
import { durationOption, envPairs, logSettings } from "../_options.ts";
import { useColor, writeLines } from "../_output.ts";
import type { Command } from "commander";
import { loadWithFlat } from "../load_descriptor.ts";
import { typeCheckMode, typeCheckOption } from "../_type_check.ts";
import {
  DataflowRuntime,
  formatSummary,
  SpawnError,
  trafficText,
} from "../../runtime/mod.ts";
import {
  formatRecord,
  type LogFormat,
  type LogLevel,
  type LogRecord,
  passesLevel,
} from "../../logs/mod.ts";
import { serveDiscovery } from "../../daemon/dynamic.ts";
import type { Dataflow } from "../../descriptor/mod.ts";
import type { RunSummary } from "../../runtime/mod.ts";
import { needsBuild } from "../../build/build_dataflow.ts";
import { serveLocalEndpoint } from "../../daemon/local_endpoint.ts";
import { LocalChanges } from "../../daemon/local_changes.ts";
import { startViewChild } from "./_view_child.ts";
import { Tracer } from "../../inspect/mod.ts";
import { CliError, UsageError } from "../errors.ts";
import { guardProcess } from "../_guard.ts";
import { requireBuildConsent } from "../_build_consent.ts";
import {
  startOpenData,
  startRunBridge,
  zenohEndpointOption,
} from "../_open_data.ts";
import type { OpenDataPublisher } from "../../runtime/mod.ts";

/** The options of `dora run` (and of the commands built on it). */
export interface RunOptions {
  /** False with `--no-build`. */
  build?: boolean;
  stopAfter?: string;
  env?: string[];
  graceDuration?: string;
  allowShellNodes?: boolean;
  logLevel?: string;
  logFormat?: string;
  logFilter?: string;
  uv?: boolean;
  rt?: boolean;
  debug?: boolean;
  name?: string;
  typeCheck?: string;
  hotReload?: boolean;
  zenohEndpoint?: string;
  zenoh?: boolean;
  zenohListen?: string;
  ui?: boolean;
  uiPort?: string;
  foxglove?: boolean;
  foxglovePort?: string;
}

/** Registers `dora run`. */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a dataflow locally, without a coordinator or daemon")
    .argument("<PATH>", "path to the dataflow descriptor YAML")
    .option(
      "--stop-after <DURATION>",
      "stop the dataflow after this long (e.g. 30s, 5m)",
    )
    .option(
      "--grace-duration <DURATION>",
      "how long nodes get to exit after STOP before SIGTERM (default 10s)",
    )
    .option(
      "--env <K=V>",
      "extra environment for every node (repeatable); nodes do not inherit this shell's variables",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--allow-shell-nodes",
      "allow `path: shell` nodes (env: DORA_ALLOW_SHELL_NODES)",
    )
    .option(
      "--log-level <LEVEL>",
      "minimum level shown: error|warn|info|debug|trace|stdout (env: DORA_LOG_LEVEL)",
    )
    .option(
      "--log-format <FORMAT>",
      "console format: pretty|json|compact (env: DORA_LOG_FORMAT)",
    )
    .option(
      "--log-filter <FILTER>",
      'per-node levels, e.g. "sensor=debug,planner=warn" (env: DORA_LOG_FILTER)',
    )
    .addOption(typeCheckOption())
    .option("--no-build", "skip git: clones and build: commands")
    .option(
      "--rt",
      "real-time: lock the runtime's memory and run it with SCHED_FIFO (a warning where not permitted)",
    )
    .option(
      "--uv",
      "run Python nodes with `uv run python` and builds with `uv pip` (uv is installed from PyPI when missing)",
    )
    .option(
      "--hot-reload",
      "reload Python and TypeScript operators when their files change",
    )
    .option(
      "--debug",
      "enable the message tap for `dora topic echo/hz/info/pub` (like `_unstable_debug.publish_all_messages_to_zenoh: true`) and, with a zenoh bridge, open data on zenoh (docs/zenoh.md)",
    )
    .option(
      "-n, --name <NAME>",
      "a name for `-d NAME` of the inspection commands (default: the file name without extension)",
    )
    .option(
      "--zenoh",
      "start a local zenoh-bridge-remote-api for the run at --zenoh-endpoint (stopped at the end)",
    )
    .option(
      "--zenoh-listen <ENDPOINTS>",
      "with --zenoh: where the bridge accepts zenoh applications, tcp/IP:PORT[,…] (default tcp/127.0.0.1:7447)",
    )
    .option(
      "--zenoh-endpoint <ENDPOINT>",
      "the zenoh bridge of open data and zenoh nodes, ws/HOST:PORT (env DORA_ZENOH_ENDPOINT; default ws/127.0.0.1:10000)",
    )
    .option(
      "--ui",
      "serve the live web dashboard of this dataflow (`dora ui`, port 6080; implies --debug)",
    )
    .option(
      "--foxglove",
      "serve this dataflow to Foxglove (`dora foxglove`, port 8765; implies --debug)",
    )
    .option(
      "--ui-port <PORT>",
      "port of the --ui dashboard (default 6080; 0: any free port)",
    )
    .option(
      "--foxglove-port <PORT>",
      "port of the --foxglove server (default 8765; 0: any free port)",
    )
    .action(async (path: string, opts: RunOptions) => {
      Deno.exitCode = await runDataflow(path, opts);
    });
}

/** `robot` for `/x/robot.yml`: the default name of a `dora run`. */
function dataflowName(path: string): string {
  const file = path.slice(path.lastIndexOf("/") + 1);
  return file.replace(/\.ya?ml$/i, "");
}

/** Writes one line to stderr; a closed stderr never stops the dataflow. */
function err(line: string): void {
  writeLines([line], Deno.stderr);
}

/** What commands built on `dora run` (record, replay) change about it. */
export interface RunHooks {
  /** Run this dataflow instead of loading `path`. */
  dataflow?: Dataflow;
  /** Nodes that drain their inputs instead of getting STOP (recorders). */
  drainOnStop?: string[];
  /** Called once every node exited, before the outcome is reported. */
  onSummary?(summary: RunSummary): Promise<void> | void;
}

/**
 * The build stage before spawning (src/build): uv when `--uv`, git clones and
 * `build:` commands unless `--no-build`, URL sources. Their output goes to
 * stderr as `<node>: <line>`; a failure is one error naming the node.
 */
async function prepareDataflow(
  dataflow: Dataflow,
  opts: RunOptions,
  say: (lvl: "error" | "warn" | "info" | "debug", msg: string) => void,
): Promise<{ dataflow: Dataflow; uv?: string }> {
  const build = opts.build !== false;
  if (!opts.uv && !dataflow.nodes.some(needsBuild)) return { dataflow };
  if (build) await requireBuildConsent(dataflow, opts.allowShellNodes);
  const { buildDataflow, BuildError, ensureUv, ensureUvVenv, UvError } =
    await import("../../build/mod.ts");
  try {
    let uv: string | undefined;
    if (opts.uv) {
      uv = await ensureUv((line) => say("info", line));
      if (build) {
        await ensureUvVenv(uv, dataflow.workingDir, (l) => say("info", l));
      }
    }
    if (build && dataflow.nodes.some((n) => n.git || n.build)) {
      say("info", "building the dataflow's nodes (skip with --no-build)");
    }
    const ready = await buildDataflow(dataflow, {
      build,
      uv,
      onLine: (node, line) => err(`${node}: ${line}`),
    });
    return { dataflow: ready, uv };
  } catch (e) {
    if (e instanceof BuildError) {
      throw new CliError(e.message, { details: e.details() });
    }
    if (e instanceof UvError) {
      throw new CliError(`uv: ${e.message}`, {
        details: [...e.tail.map((l) => `  ${l}`), `  ${e.hint}`],
      });
    }
    throw e;
  }
}

/** Runs the dataflow at `path`; resolves to the process exit code. */
export async function runDataflow(
  path: string,
  opts: RunOptions,
  hooks: RunHooks = {},
): Promise<number> {
  const { level, format, filter } = logSettings(opts);
  const say = (lvl: "error" | "warn" | "info" | "debug", msg: string) => {
    if (lvl === "debug" && level !== "debug" && level !== "trace") return;
    if (format === "json") {
      err(
        JSON.stringify({
          ts: new Date().toISOString(),
          level: lvl,
          node: "dora",
          msg,
        }),
      );
    } else err(`dora: ${lvl === "info" ? "" : `${lvl}: `}${msg}`);
  };
  const stopAfter = durationOption("--stop-after", opts.stopAfter);
  const zenohEndpoint = zenohEndpointOption(opts.zenohEndpoint);
  if (opts.zenohListen !== undefined && !opts.zenoh) {
    throw new UsageError(
      "--zenoh-listen configures the bridge that --zenoh starts",
    );
  }
  const graceMs = durationOption("--grace-duration", opts.graceDuration);
  const tracer = new Tracer("dora_run");
  // The flat YAML is what graph changes (`dora node add`, …) are checked
  // against; a dataflow given by a hook has none.
  const { dataflow: loaded, flat } = hooks.dataflow
    ? { dataflow: hooks.dataflow, flat: undefined }
    : await loadWithFlat(path);
  // The build stage is a trace of its own (`dora trace`), when there is one.
  const buildSpan = opts.uv || loaded.nodes.some(needsBuild)
    ? tracer.span("build_dataflow", { fields: { path: loaded.path } })
    : undefined;
  let prepared: Awaited<ReturnType<typeof prepareDataflow>>;
  try {
    prepared = await prepareDataflow(loaded, opts, say);
    buildSpan?.end();
  } catch (e) {
    buildSpan?.end({}, e instanceof Error ? e.message : String(e));
    throw e;
  }
  if (opts.rt) {
    const { enableRealtime, RT_PRIORITY } = await import(
      "../../runtime/realtime.ts"
    );
    const rt = enableRealtime();
    for (const w of rt.warnings) say("warn", w);
    if (rt.locked && rt.fifo) {
      say("info", `--rt: memory locked, SCHED_FIFO priority ${RT_PRIORITY}`);
    }
  }
  const extra = envPairs(opts.env);
  const dataflow = Object.keys(extra).length === 0 ? prepared.dataflow : {
    ...prepared.dataflow,
    nodes: prepared.dataflow.nodes.map((n) => ({
      ...n,
      env: { ...n.env, ...extra },
    })),
  };
  const typeCheck = typeCheckMode(opts.typeCheck);
  if (typeCheck !== undefined) dataflow.typeCheck = typeCheck;
  if (opts.debug || opts.ui || opts.foxglove) {
    dataflow.debug = { ...dataflow.debug, publishAllMessages: true };
  }
  const color = useColor(Deno.stderr);
  const show = (record: LogRecord) => {
    for (const f of followers) f(record);
    const min: LogLevel = filter?.get(record.node) ?? level;
    if (!passesLevel(record.level, min)) return;
    err(
      formatRecord(record, format as LogFormat, {
        color,
        extra: { dataflow_id: runtime.id },
      }),
    );
  };
  // The endpoint's `follow` (it starts after the runtime).
  const followers: ((record: LogRecord) => void)[] = [];
  const runtime: DataflowRuntime = new DataflowRuntime({
    dataflow,
    allowShellNodes: opts.allowShellNodes || undefined,
    uv: prepared.uv,
    hotReload: opts.hotReload || undefined,
    graceMs,
    drainOnStop: hooks.drainOnStop,
    zenohEndpoint,
    events: { onLog: show, onMessage: say },
    tracer,
  });
  const bridge = opts.zenoh
    ? await startRunBridge(
      zenohEndpoint,
      opts.zenohListen,
      (t) => say("warn", t),
    )
    : undefined;
  if (bridge) {
    say(
      "info",
      `started zenoh bridge (pid ${bridge.pid}) at ${zenohEndpoint}, listening on ${
        bridge.opts.listen.join(", ")
      }`,
    );
  }
  // Subscribed before the start: messages sent at once are published too.
  let openData: OpenDataPublisher | undefined;
  try {
    // A bridge named on the command line must be there; the default one
    // only adds open data to the message tap of `--debug` when it is.
    openData = dataflow.debug.publishAllMessages
      ? await startOpenData(
        runtime,
        zenohEndpoint,
        Boolean(
          opts.zenoh || opts.zenohEndpoint ||
            Deno.env.get("DORA_ZENOH_ENDPOINT"),
        ),
        (level, t) => say(level, t),
      )
      : undefined;
  } catch (e) {
    await bridge?.stop();
    throw e;
  }
  if (openData) {
    say(
      "info",
      `publishing every output on zenoh at ${openData.endpoint} (dora/default/${runtime.id}/output/<node>/<output>)`,
    );
  }
  // A signal while the nodes start (the run is listed already) stops the run
  // once it started, instead of killing dora run with its nodes half-spawned.
  const early: Deno.Signal[] = [];
  const earlyHandlers: [Deno.Signal, () => void][] =
    (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((s) => [s, () => {
      early.push(s);
    }]);
  for (const [s, h] of earlyHandlers) Deno.addSignalListener(s, h);
  const dropEarly = () => {
    for (const [s, h] of earlyHandlers) Deno.removeSignalListener(s, h);
  };
  try {
    await runtime.start();
  } catch (e) {
    dropEarly();
    await openData?.close();
    await bridge?.stop();
    if (e instanceof SpawnError) throw new CliError(e.message);
    throw e;
  }
  say("info", `dataflow ${runtime.id} started (logs in ${runtime.logDir})`);
  // `dora top`, `dora node`, `dora topic`, `dora trace` find it here.
  const name = opts.name ?? dataflowName(dataflow.path);
  const endpoint = serveLocalEndpoint({
    runtime,
    name,
    tracer,
    // `dora param`, `dora node restart/add/…` change it there.
    changes: new LocalChanges(runtime, name, {
      source: flat,
      env: extra,
      raw: loaded,
      // Nodes added or replaced later are built like the run's own.
      build: {
        build: opts.build !== false,
        uv: prepared.uv,
        onLine: (node, line) => err(`${node}: ${line}`),
      },
    }),
  });
  followers.push((record) => endpoint.publishLog(record));
  // `--ui` / `--foxglove`: view servers of their own, ending with the run.
  const views = [
    ...(opts.ui
      ? [startViewChild("ui", runtime.id, {}, opts.uiPort, say)]
      : []),
    ...(opts.foxglove
      ? [startViewChild("foxglove", runtime.id, {}, opts.foxglovePort, say)]
      : []),
  ];
  // `path: dynamic` nodes started by hand find their config here.
  const discovery = dataflow.nodes.some((n) => n.path === "dynamic")
    ? serveDiscovery(undefined, (nodeId) => {
      const config = runtime.dynamicNodeConfig(nodeId);
      if (!config) {
        throw new Error(
          `no running dataflow (dora run ${runtime.id}) declares a dynamic node "${nodeId}"`,
        );
      }
      return config;
    })
    : undefined;
  // A bug in one callback must not take every node down with dora run.
  const unguard = guardProcess((text) => say("error", text));
  let signals = 0;
  const onSignal = (sig: Deno.Signal) => () => {
    signals++;
    if (signals === 1) {
      say(
        "info",
        `${sig}: stopping the dataflow (press Ctrl-C again to force)`,
      );
      runtime.stop({ reason: "signal" });
    } else if (signals === 2) runtime.stop({ force: true, reason: "signal" });
    else {
      // Third time: don't wait for processes that won't die.
      err("dora: aborting");
      Deno.exit(130);
    }
  };
  const handlers: [Deno.Signal, () => void][] =
    (["SIGINT", "SIGTERM", "SIGHUP"] as const)
      .map((s) => [s, onSignal(s)]);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  dropEarly();
  for (const s of early) onSignal(s)();
  const stopTimer = stopAfter !== undefined
    ? setTimeout(() => {
      say(
        "info",
        `--stop-after ${opts.stopAfter} elapsed: stopping the dataflow`,
      );
      runtime.stop({ reason: "stop-after" });
    }, stopAfter)
    : undefined;
  const summary = await runtime.finished;
  await Promise.all(views.map((v) => v.stop()));
  await endpoint.close();
  await openData?.close();
  await bridge?.stop();
  if (openData && openData.lost + openData.failed > 0) {
    say(
      "warn",
      `open data: ${openData.lost + openData.failed} of ${
        openData.published + openData.lost + openData.failed
      } message(s) were not published (the zenoh bridge was slower than the dataflow, or gone)`,
    );
  }
  discovery?.close();
  clearTimeout(stopTimer);
  for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  unguard();
  await hooks.onSummary?.(summary);
  // Where the payload bytes went (inline vs shared memory): for debugging.
  const traffic = level === "debug" || level === "trace";
  const hasNews = summary.nodes.some((n) =>
    n.outcome !== "finished" || Object.values(n.drops).some((d) => d > 0) ||
    n.undelivered > 0 || (traffic && trafficText(n) !== "")
  );
  if (format === "json") {
    err(
      JSON.stringify({
        ts: new Date().toISOString(),
        level: "info",
        node: "dora",
        summary,
      }),
    );
  } else if (hasNews || !summary.success) {
    err(`dora: dataflow ${summary.dataflowId} summary:`);
    for (const line of formatSummary(summary, { traffic })) err(line);
  }
  if (!summary.success) {
    const failed = summary.nodes.filter((n) =>
      n.outcome === "failed" || n.outcome === "not_started"
    );
    const details: string[] = [];
    for (const n of failed) {
      details.push(n.message ?? `node "${n.id}" failed`);
      if (n.stderrTail.length > 0) {
        details.push(`  last stderr lines of "${n.id}":`);
        for (const l of n.stderrTail) details.push(`    ${l}`);
      }
    }
    const headline = summary.error ??
      (failed.length === 1
        ? failed[0]!.message ?? `node "${failed[0]!.id}" failed`
        : `${failed.length} nodes failed`);
    // The headline already says what the first detail line would.
    throw new CliError(headline, {
      details: details.filter((line) => line !== headline),
    });
  }
  say("info", `dataflow ${summary.dataflowId} finished`);
  return 0;
}
