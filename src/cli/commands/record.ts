/**
 * `dora record <DATAFLOW_YAML>`: runs the dataflow with a recorder node
 * attached to every recorded output and writes them to one MCAP file
 * (docs/record-replay.md). `--output-yaml` writes the rewritten dataflow and
 * runs nothing.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { resolve } from "node:path";
import { CliError, UsageError } from "../errors.ts";
import { loadForCli } from "../load_descriptor.ts";
import { writeLines } from "../_output.ts";
import { runDataflow, type RunOptions } from "./run.ts";
import { PROXY_QUEUE, type ProxyOptions, recordProxy } from "./record_proxy.ts";
import {
  checkFolder,
  claimOutput,
  defaultOutput,
  reportRecorded,
} from "./_record_output.ts";
import { withTargetOptions } from "../target.ts";
import { sourceRoot } from "../../dora_command.ts";
import { errorMessage } from "../../errors.ts";
import {
  analyze,
  analyzeSource,
  formatDiagnostic,
  hasErrors,
  SourceFile,
} from "../../descriptor/mod.ts";
import {
  appendMetadata,
  type Compression,
  COMPRESSIONS,
  META_QUEUE_DROPS,
  planRecording,
  RecorderIdTakenError,
  selectTopics,
  UnknownTopicError,
} from "../../record/mod.ts";
import type { RunSummary } from "../../runtime/mod.ts";

interface RecordOptions extends RunOptions, Omit<ProxyOptions, "name"> {
  proxy?: boolean;
  output?: string;
  topics?: string;
  queueSize?: string;
  compression?: string;
  outputYaml?: string;
}

/** Default queue size of each recorder input. */
const DEFAULT_QUEUE = 1000;
/** The recorder's own buffer. */
const BUFFER_BYTES = 512 << 20;

/** Registers `dora record`. */
export function registerRecord(program: Command): void {
  const cmd = program
    .command("record")
    .description(
      "run a dataflow and record its outputs to an MCAP file (--proxy: record one that runs)",
    )
    .argument(
      "[DATAFLOW_YAML]",
      "path to the dataflow descriptor YAML (optional with --proxy)",
    )
    .option(
      "-o, --output <FILE>",
      "the MCAP file to write (default recording_<timestamp>.mcap)",
    )
    .option(
      "--topics <LIST>",
      "record only these outputs, comma-separated node/output",
    )
    .option(
      "--queue-size <N>",
      `messages buffered per topic for the recorder (drop_oldest, default ${DEFAULT_QUEUE}; ${PROXY_QUEUE} with --proxy)`,
    )
    .addOption(
      new Option("--compression <KIND>", "chunk compression")
        .choices(COMPRESSIONS).default("none"),
    )
    .option(
      "--output-yaml <PATH>",
      "write the dataflow with the recorder added to PATH and run nothing",
    )
    .option(
      "--stop-after <DURATION>",
      "stop the dataflow after this long (e.g. 30s, 5m); with --proxy: stop recording",
    )
    .option(
      "--grace-duration <DURATION>",
      "how long nodes get to exit after STOP before SIGTERM (default 10s)",
    )
    .option("--allow-shell-nodes", "allow `path: shell` nodes")
    .option("--log-level <LEVEL>", "minimum level shown (see dora run)")
    .option("--log-format <FORMAT>", "console format: pretty|json|compact")
    .option("--log-filter <FILTER>", "per-node levels (see dora run)")
    .option(
      "--proxy",
      "record a running dataflow through the message tap (needs `--debug`), adding nothing to it",
    )
    .option(
      "-d, --dataflow <UUID_OR_NAME>",
      "with --proxy: the dataflow to record (uuid, name or a unique prefix; default: the only running one)",
    )
    .option("--name <NAME>", "with --proxy: the same as -d");
  withTargetOptions(cmd)
    .action(
      async (
        path: string | undefined,
        opts: RecordOptions & { name?: string },
      ) => {
        if (opts.proxy) {
          if (opts.outputYaml) {
            throw new UsageError("--output-yaml cannot be used with --proxy");
          }
          const size = opts.queueSize === undefined
            ? undefined
            : queueSizeOption(opts.queueSize);
          Deno.exitCode = await recordProxy(path, opts, size);
          return;
        }
        if (path === undefined) {
          throw new UsageError(
            "missing the dataflow YAML (or --proxy to record a running dataflow)",
          );
        }
        for (
          const [flag, set] of [["-d", opts.dataflow], ["--name", opts.name]]
        ) {
          if (set !== undefined) {
            throw new UsageError(`${flag} needs --proxy`);
          }
        }
        Deno.exitCode = await record(path, opts);
      },
    );
}

function err(line: string): void {
  writeLines([line], Deno.stderr);
}

function queueSizeOption(text: string | undefined): number {
  if (text === undefined) return DEFAULT_QUEUE;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) {
    throw new UsageError(
      `invalid --queue-size "${text}": expected a whole number ≥ 1`,
    );
  }
  return n;
}

async function record(path: string, opts: RecordOptions): Promise<number> {
  const queueSize = queueSizeOption(opts.queueSize);
  const compression = (opts.compression ?? "none") as Compression;
  const wanted = opts.topics?.split(",").map((t) => t.trim()).filter((t) => t);
  const dataflow = await loadForCli(path);
  const analysis = await analyze(path, { skipPaths: true });
  let topics: string[];
  try {
    topics = selectTopics(dataflow, wanted);
  } catch (e) {
    if (e instanceof UnknownTopicError) throw new CliError(e.message);
    throw e;
  }
  if (topics.length === 0) {
    throw new CliError(`the dataflow ${path} has no outputs to record`);
  }
  const output = resolve(opts.output ?? defaultOutput());
  const plan = (() => {
    try {
      return planRecording(
        dataflow,
        analysis.data,
        analysis.nodes.map((n) => n.raw as Record<string, unknown>),
        topics,
        {
          output,
          compression,
          queueSize,
          bufferBytes: BUFFER_BYTES,
          root: sourceRoot(),
        },
      );
    } catch (e) {
      if (e instanceof RecorderIdTakenError) throw new CliError(e.message);
      throw e;
    }
  })();
  if (opts.outputYaml) {
    const target = resolve(opts.outputYaml);
    await checkFolder(target, "the dataflow");
    await Deno.writeTextFile(target, plan.yaml);
    err(
      `dora: wrote ${opts.outputYaml} (records ${topics.length} topics to ${output}); run it with \`dora run\` from the same folder as ${path}`,
    );
    return 0;
  }
  await claimOutput(output);
  // The rewritten dataflow stands beside the original: same folder, same
  // relative paths and types/.
  const virtual = `${dataflow.workingDir}/.${
    dataflow.path.split("/").pop()
  }.record.yml`;
  const rewritten = await analyzeSource(
    new SourceFile(virtual, virtual, plan.yaml),
  );
  if (!rewritten.dataflow || hasErrors(rewritten.diagnostics)) {
    await Deno.remove(output).catch(() => {});
    throw new CliError("internal error: the recording dataflow is invalid", {
      details: rewritten.diagnostics.map(formatDiagnostic),
    });
  }
  err(`dora: recording ${topics.length} topics to ${output}`);
  let started = false;
  try {
    return await runDataflow(path, opts, {
      dataflow: { ...rewritten.dataflow, path: dataflow.path },
      drainOnStop: [plan.recorderId],
      onSummary: async (summary) => {
        started = true;
        await reportRecording(output, plan.recorderId, summary);
      },
    });
  } finally {
    if (!started) {
      // Nothing ran: leave no empty recording behind.
      const info = await Deno.stat(output).catch(() => undefined);
      if (info && info.size === 0) await Deno.remove(output).catch(() => {});
    }
  }
}

/** Stores the input-queue drops and prints what was recorded. */
async function reportRecording(
  output: string,
  recorderId: string,
  summary: RunSummary,
): Promise<void> {
  const recorder = summary.nodes.find((n) => n.id === recorderId);
  const queueDrops = Object.entries(recorder?.drops ?? {}).filter(([, n]) =>
    n > 0
  );
  const size = (await Deno.stat(output).catch(() => undefined))?.size ?? 0;
  if (size === 0) {
    err(`dora: warning: nothing was recorded to ${output}`);
    return;
  }
  if (queueDrops.length > 0) {
    try {
      await appendMetadata(
        output,
        META_QUEUE_DROPS,
        Object.fromEntries(queueDrops.map(([t, n]) => [t, String(n)])),
      );
    } catch (e) {
      err(`dora: warning: cannot read back ${output}: ${errorMessage(e)}`);
      return;
    }
  }
  await reportRecorded(output);
}
