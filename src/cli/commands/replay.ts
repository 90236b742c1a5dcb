/**
 * `dora replay FILE`: runs the recorded dataflow (or `--dataflow`) with the
 * replaced nodes substituted by replay nodes that publish the recorded
 * messages; `--check` compares what the other nodes publish with the
 * recording (docs/record-replay.md).
 *
 * @module
 */
import type { Command } from "commander";
import { resolve } from "node:path";
import { CliError, UsageError } from "../errors.ts";
import { loadForCli } from "../load_descriptor.ts";
import { writeLines } from "../_output.ts";
import { runDataflow, type RunOptions } from "./run.ts";
import { sourceRoot } from "../../dora_command.ts";
import { errorMessage } from "../../errors.ts";
import {
  analyze,
  analyzeSource,
  type Dataflow,
  formatDiagnostic,
  hasErrors,
  SourceFile,
} from "../../descriptor/mod.ts";
import {
  compareRecordings,
  MissingNodeError,
  NotADoraRecordingError,
  NotMcapError,
  planReplay,
  type RecordingInfo,
  recordingInfo,
  ReplayPlanError,
  summaryInfo,
} from "../../record/mod.ts";

interface ReplayOptions extends RunOptions {
  speed?: string;
  loop?: boolean;
  replace?: string;
  dataflow?: string;
  outputYaml?: string;
  check?: boolean;
}

/** Registers `dora replay`. */
export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description(
      "run a dataflow with recorded nodes replayed from an MCAP file",
    )
    .argument("<FILE>", "a recording made by `dora record`")
    .option(
      "--speed <F>",
      "playback speed factor, 0 = as fast as possible",
      "1",
    )
    .option("--loop", "start over at the end of the recording")
    .option(
      "--replace <NODES>",
      "nodes to replay, comma-separated (default: every recorded source node)",
    )
    .option(
      "--dataflow <YAML>",
      "run this dataflow instead of the recorded one",
    )
    .option(
      "--check",
      "compare what the other recorded nodes publish with the recording (exit 1 on the first difference)",
    )
    .option(
      "--output-yaml <PATH>",
      "write the replay dataflow to PATH and run nothing",
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
    .action(async (file: string, opts: ReplayOptions) => {
      Deno.exitCode = await replay(file, opts);
    });
}

function err(line: string): void {
  writeLines([line], Deno.stderr);
}

function speedOption(text: string | undefined): number {
  const speed = Number(text ?? "1");
  if (text !== undefined && (!/^\d*\.?\d+$/.test(text) || !isFinite(speed))) {
    throw new UsageError(
      `invalid --speed "${text}": expected a number ≥ 0 (0 = as fast as possible)`,
    );
  }
  return speed;
}

/** The recording, read once (topics, times, dataflow metadata). */
async function readRecording(path: string): Promise<RecordingInfo> {
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`recording not found: ${path}`);
    }
    throw e;
  }
  try {
    // A finished recording's summary says enough; a crashed one is scanned.
    return await summaryInfo(path) ?? await recordingInfo(path);
  } catch (e) {
    if (e instanceof NotMcapError) throw new CliError(e.message);
    throw e;
  }
}

/** The dataflow to run and its expanded form: `--dataflow` or the recorded one. */
async function dataflowToRun(
  file: string,
  info: RecordingInfo,
  opts: ReplayOptions,
): Promise<{
  dataflow: Dataflow;
  top: Record<string, unknown>;
  nodes: Record<string, unknown>[];
  path: string;
}> {
  if (opts.dataflow) {
    // Paths are checked on the replay dataflow: a replaced node needs none.
    await loadForCli(opts.dataflow, { skipPaths: true });
    const analysis = await analyze(opts.dataflow, { skipPaths: true });
    return {
      dataflow: analysis.dataflow!,
      top: analysis.data,
      nodes: analysis.nodes.map((n) => n.raw as Record<string, unknown>),
      path: opts.dataflow,
    };
  }
  const recorded = info.dataflow;
  if (!recorded?.descriptor) {
    throw new CliError(new NotADoraRecordingError(file).message);
  }
  const dir = recorded.working_dir;
  const exists = await Deno.stat(dir).then((s) => s.isDirectory, () => false);
  if (!exists) {
    throw new CliError(
      `the recorded dataflow's folder ${dir} does not exist here: pass the dataflow to run with --dataflow`,
    );
  }
  const name = (recorded.source ?? "dataflow.yml").split("/").pop();
  const virtual = `${dir}/.${name}.recorded.yml`;
  const analysis = await analyzeSource(
    new SourceFile(`${file} (recorded dataflow)`, virtual, recorded.descriptor),
    { skipPaths: true },
  );
  if (!analysis.dataflow || hasErrors(analysis.diagnostics)) {
    throw new CliError(
      `the dataflow recorded in ${file} is not valid here (pass one with --dataflow)`,
      { details: analysis.diagnostics.map(formatDiagnostic) },
    );
  }
  return {
    dataflow: analysis.dataflow,
    top: analysis.data,
    nodes: analysis.nodes.map((n) => n.raw as Record<string, unknown>),
    path: recorded.source ?? virtual,
  };
}

async function replay(fileArg: string, opts: ReplayOptions): Promise<number> {
  const speed = speedOption(opts.speed);
  if (opts.check && opts.loop) {
    throw new UsageError("--check and --loop cannot be combined");
  }
  const replace = opts.replace?.split(",").map((n) => n.trim()).filter((n) =>
    n
  );
  const file = resolve(fileArg);
  const info = await readRecording(file);
  if (info.report.truncatedAt !== undefined && !info.report.complete) {
    err(
      `dora: warning: ${fileArg} ends early (at byte ${info.report.truncatedAt}, the recorder did not finish): replaying up to its last complete chunk`,
    );
  }
  if (info.report.corruptChunks + info.report.corruptRecords > 0) {
    err(
      `dora: warning: ${fileArg}: ${info.report.corruptChunks} damaged chunks and ${info.report.corruptRecords} damaged records are skipped (${info.report.firstProblem})`,
    );
  }
  const target = await dataflowToRun(fileArg, info, opts);
  const recordedTopics = info.topics.filter((t) => t.messages > 0).map((t) =>
    t.topic
  );
  const checkOutput = opts.check
    ? await Deno.makeTempFile({ prefix: "dora-replay-check-", suffix: ".mcap" })
    : undefined;
  try {
    let plan;
    try {
      plan = planReplay(target.dataflow, target.top, target.nodes, {
        file,
        recordedTopics,
        replace,
        speed,
        loop: opts.loop === true,
        startTime: info.firstTime ?? 0n,
        checkOutput,
        root: sourceRoot(),
      });
    } catch (e) {
      if (e instanceof MissingNodeError || e instanceof ReplayPlanError) {
        throw new CliError(e.message);
      }
      throw e;
    }
    for (const t of plan.silentOutputs) {
      err(
        `dora: warning: "${t}" was not recorded: the replay sends nothing on it`,
      );
    }
    if (opts.outputYaml) {
      const out = resolve(opts.outputYaml);
      await Deno.writeTextFile(out, plan.yaml).catch((e) => {
        throw new CliError(`cannot write ${out}: ${errorMessage(e)}`);
      });
      err(
        `dora: wrote ${opts.outputYaml} (replays ${plan.replaced.join(", ")})`,
      );
      return 0;
    }
    const dir = target.dataflow.workingDir;
    const virtual = `${dir}/.${target.path.split("/").pop()}.replay.yml`;
    const rewritten = await analyzeSource(
      new SourceFile(virtual, virtual, plan.yaml),
    );
    if (!rewritten.dataflow || hasErrors(rewritten.diagnostics)) {
      throw new CliError("the replay dataflow cannot run", {
        details: rewritten.diagnostics.map(formatDiagnostic),
      });
    }
    err(
      `dora: replaying ${
        plan.replaced.map((n) => `"${n}"`).join(", ")
      } from ${fileArg} (${plan.replayedTopics.length} topics, speed ${
        speed === 0 ? "max" : speed
      }${opts.loop ? ", looping" : ""})`,
    );
    let failure: CliError | undefined;
    const code = await runDataflow(target.path, opts, {
      dataflow: { ...rewritten.dataflow, path: target.dataflow.path },
      drainOnStop: plan.checkRecorderId ? [plan.checkRecorderId] : [],
      onSummary: async () => {
        if (!checkOutput) return;
        failure = await check(file, checkOutput, plan.checkedTopics);
      },
    });
    if (failure) throw failure;
    return code;
  } finally {
    if (checkOutput) await Deno.remove(checkOutput).catch(() => {});
  }
}

/**
 * Compares the replay with the recording; prints the verdict and returns the
 * error to exit with when they differ.
 */
async function check(
  file: string,
  replayed: string,
  topics: string[],
): Promise<CliError | undefined> {
  const result = await compareRecordings(file, replayed, topics);
  const first = result.differences[0];
  if (!first) {
    err(
      `dora: check passed: ${result.matched} messages on ${result.topics.length} topics match the recording`,
    );
    return undefined;
  }
  const others = result.differences.slice(1).map((d) =>
    `"${d.topic}" from message ${d.index}`
  );
  const failure = new CliError(
    `replay check failed: topic "${first.topic}", message ${first.index}: expected ${first.expected}, got ${first.got}`,
    {
      details: [
        `  ${result.matched} messages matched; ${result.differences.length} of ${result.topics.length} topics differ${
          others.length ? ` (also ${others.join(", ")})` : ""
        }`,
      ],
    },
  );
  err(`dora: ${failure.message}`);
  return failure;
}
