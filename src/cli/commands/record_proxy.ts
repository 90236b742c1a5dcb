/**
 * `dora record --proxy`: records a dataflow that is already running (through
 * a coordinator, or a `dora run`) without adding a node to it: the CLI
 * subscribes to the recorded outputs through the message tap (whole
 * payloads) and writes the copies to one MCAP file with the recorder's core.
 * The dataflow is never slowed: the tap's queue per topic drops its oldest
 * copy when this recorder falls behind, and what was dropped is counted per
 * topic in the file. It ends on Ctrl-C, `--stop-after`, or when the dataflow
 * ends.
 *
 * @module
 */
import { resolve } from "node:path";
import type { GraphResult } from "../../control/changes.ts";
import type { Dataflow } from "../../descriptor/mod.ts";
import {
  type Compression,
  fileSink,
  recordBatch,
  Recorder,
  RecordingWriter,
} from "../../record/mod.ts";
import { DORA_VERSION } from "../../version.ts";
import { durationOption } from "../_options.ts";
import { writeLines } from "../_output.ts";
import {
  type InspectedDataflow,
  type InspectFlags,
  withDataflow,
} from "../inspect_target.ts";
import type { Peer } from "../../control/peer.ts";
import { loadWithFlat } from "../load_descriptor.ts";
import {
  claimOutput,
  defaultOutput,
  reportRecorded,
} from "./_record_output.ts";
import { endedLine, lostError, openTap, type TapStream } from "./topic/_tap.ts";

/** The options of `dora record` that `--proxy` reads. */
export interface ProxyOptions extends InspectFlags {
  output?: string;
  topics?: string;
  compression?: string;
  stopAfter?: string;
  /** The original's name for `-d` under `--proxy`. */
  name?: string;
}

/** Copies each topic's tap keeps while the recorder is behind. */
export const PROXY_QUEUE = 64;
/** The recorder's own buffer. */
const BUFFER_BYTES = 512 << 20;
/** Payload bytes copied per message: all of it. */
const WHOLE = Number.MAX_SAFE_INTEGER;

function err(line: string): void {
  writeLines([line], Deno.stderr);
}

/** The expanded YAML, its file, folder and output types of what is recorded. */
async function describe(
  yaml: string | undefined,
  graph: () => Promise<GraphResult>,
): Promise<{ flat: string; dataflow: Dataflow }> {
  if (yaml !== undefined) return await loadWithFlat(yaml);
  const g = await graph();
  const dataflow = g.descriptor as Dataflow;
  // A `dora run` keeps no flat YAML; it runs on this machine: expand it here.
  if (g.source !== undefined) return { flat: g.source, dataflow };
  return { flat: (await loadWithFlat(g.path)).flat, dataflow };
}

/** Runs `dora record --proxy`; resolves with the exit code. */
export async function recordProxy(
  yaml: string | undefined,
  opts: ProxyOptions,
  queueSize: number | undefined,
): Promise<number> {
  const stopAfter = durationOption("--stop-after", opts.stopAfter);
  const compression = (opts.compression ?? "none") as Compression;
  const wanted = opts.topics?.split(",").map((t) => t.trim()).filter((t) => t);
  const output = resolve(opts.output ?? defaultOutput());
  const flags = { ...opts, dataflow: opts.dataflow ?? opts.name };
  // A bad output path fails before anything is subscribed.
  await claimOutput(output);
  let started = false;
  try {
    return await withDataflow(flags, async (peer, target) => {
      const { flat, dataflow } = await describe(
        yaml,
        () => peer.call<GraphResult>("graph_get", { ref: target.uuid }),
      );
      started = await recordTarget(peer, target, flat, dataflow, {
        output,
        compression,
        wanted,
        queueSize,
        stopAfter,
      });
      return 0;
    });
  } finally {
    if (!started) {
      // Nothing was recorded: leave no empty file behind.
      const info = await Deno.stat(output).catch(() => undefined);
      if (info && info.size === 0) await Deno.remove(output).catch(() => {});
    }
  }
}

/**
 * Subscribes and records until the stream ends; resolves true once the
 * recording started (the file holds a recording, complete or not), throws
 * what went wrong.
 */
async function recordTarget(
  peer: Peer,
  target: InspectedDataflow,
  flat: string,
  dataflow: Dataflow,
  settings: {
    output: string;
    compression: Compression;
    wanted: string[] | undefined;
    queueSize: number | undefined;
    stopAfter: number | undefined;
  },
): Promise<boolean> {
  const { output, compression, wanted, queueSize, stopAfter } = settings;
  let started = false;
  const file = await Deno.open(output, { write: true, truncate: true });
  const writer = new RecordingWriter(fileSink(file), {
    compression,
    library: `dora ${DORA_VERSION}`,
  });
  let recorder: Recorder | undefined;
  let failure: unknown;
  // Batches are written in order, once the recorder started.
  const ready = Promise.withResolvers<void>();
  let chain: Promise<void> = ready.promise;
  try {
    const types: Record<string, string> = {};
    for (const n of dataflow.nodes) {
      for (const [o, urn] of Object.entries(n.outputTypes ?? {})) {
        types[`${n.id}/${o}`] = urn;
      }
    }
    recorder = new Recorder(writer, { bufferBytes: BUFFER_BYTES, types });
    const rec = recorder;
    const opened: { stream?: TapStream } = {};
    const stream = opened.stream = await openTap(peer, target, {
      topics: wanted ?? [],
      mode: "full",
      maxBytes: WHOLE,
      queueSize: queueSize ?? PROXY_QUEUE,
    }, (batch) => {
      chain = chain.then(() => {
        if (failure === undefined) recordBatch(rec, batch);
      }).catch((e) => {
        failure ??= e;
        opened.stream?.stop();
      });
    });
    try {
      await rec.start({
        descriptor: flat,
        source: dataflow.path,
        working_dir: dataflow.workingDir,
        topics: JSON.stringify(stream.result.topics),
        dataflow_id: target.uuid,
        dora_version: DORA_VERSION,
        started_at: new Date().toISOString(),
        compression,
        proxy: "true",
      });
      ready.resolve();
      started = true;
    } catch (e) {
      ready.reject(e);
      stream.stop();
      throw e;
    }
    err(
      `dora: recording ${stream.result.topics.length} topics of ${
        target.name ?? target.uuid
      } to ${output} (Ctrl-C to stop)`,
    );
    const timer = stopAfter !== undefined
      ? setTimeout(() => stream.stop(), stopAfter)
      : undefined;
    const end = await stream.ended;
    clearTimeout(timer);
    if (end.kind === "ended") err(`dora: ${endedLine(target, end)}`);
    if (end.kind === "lost") failure ??= lostError(target);
  } finally {
    ready.resolve();
    await chain.catch(() => {});
    try {
      // The per-topic counts and the summary close the file.
      if (started) await recorder?.finish();
    } catch (e) {
      failure ??= e;
    }
    file.close();
  }
  if (started) await reportRecorded(output);
  if (failure !== undefined) throw failure;
  return started;
}
