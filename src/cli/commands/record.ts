/**
 * `dora record <DATAFLOW_YAML>`: runs the dataflow with a recorder node
 * attached to every recorded output and writes them to one MCAP file
 * (docs/record-replay.md). `--output-yaml` writes the rewritten dataflow and
 * runs nothing.
 *
 * @module
 */
import { type Command, Option } from "commander";
import { dirname, resolve } from "node:path";
import { CliError, UsageError } from "../errors.ts";
import { loadForCli } from "../load_descriptor.ts";
import { formatBytes, writeLines } from "../_output.ts";
import { runDataflow, type RunOptions } from "./run.ts";
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
  recordingInfo,
  selectTopics,
  UnknownTopicError,
} from "../../record/mod.ts";
import type { RunSummary } from "../../runtime/mod.ts";

interface RecordOptions extends RunOptions {
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
  program
    .command("record")
    .description("run a dataflow and record its outputs to an MCAP file")
    .argument("<DATAFLOW_YAML>", "path to the dataflow descriptor YAML")
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
      `messages buffered per topic for the recorder (drop_oldest, default ${DEFAULT_QUEUE})`,
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
      "stop the dataflow after this long (e.g. 30s, 5m)",
    )
    .option(
      "--grace-duration <DURATION>",
      "how long nodes get to exit after STOP before SIGTERM (default 10s)",
    )
    .option("--allow-shell-nodes", "allow `path: shell` nodes")
    .option("--log-level <LEVEL>", "minimum level shown (see dora run)")
    .option("--log-format <FORMAT>", "console format: pretty|json|compact")
    .option("--log-filter <FILTER>", "per-node levels (see dora run)")
    .action(async (path: string, opts: RecordOptions) => {
      Deno.exitCode = await record(path, opts);
    });
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

function defaultOutput(): string {
  const t = new Date().toISOString().replace(/\..*$/, "").replace(/[-:]/g, "")
    .replace("T", "_");
  return `recording_${t}.mcap`;
}

/** Checks that `path`'s folder exists and is a folder. */
async function checkFolder(path: string, what: string): Promise<void> {
  const dir = dirname(path);
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) {
      throw new CliError(
        `cannot write ${what} ${path}: ${dir} is not a folder`,
      );
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(
        `cannot write ${what} ${path}: the folder ${dir} does not exist`,
      );
    }
    throw e;
  }
}

/** Creates the (new, empty) output file now, so a bad path fails first. */
async function claimOutput(path: string): Promise<void> {
  await checkFolder(path, "the recording");
  try {
    (await Deno.open(path, { write: true, createNew: true })).close();
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new CliError(
        `the recording ${path} already exists (choose another --output or remove it)`,
      );
    }
    throw new CliError(
      `cannot write the recording ${path}: ${errorMessage(e)}`,
    );
  }
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
  let info;
  try {
    if (queueDrops.length > 0) {
      await appendMetadata(
        output,
        META_QUEUE_DROPS,
        Object.fromEntries(queueDrops.map(([t, n]) => [t, String(n)])),
      );
    }
    info = await recordingInfo(output);
  } catch (e) {
    err(`dora: warning: cannot read back ${output}: ${errorMessage(e)}`);
    return;
  }
  if (!info.finished) {
    err(
      `dora: warning: the recorder did not finish ${output}; it is readable up to its last complete chunk`,
    );
  }
  const dropped = info.topics.filter((t) => t.dropped > 0);
  err(
    `dora: recorded ${info.messages} messages (${
      formatBytes(info.bytes)
    }) on ${info.topics.length} topics to ${output}`,
  );
  for (const t of dropped) {
    err(
      `dora: warning: "${t.topic}": ${t.dropped} messages could not be recorded in time (recorded ${t.messages})`,
    );
  }
}
