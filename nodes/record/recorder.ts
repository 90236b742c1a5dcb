/**
 * The recorder node that `dora record` adds to a dataflow: every recorded
 * output is one of its inputs (input id = `node/output`); it writes them to
 * one MCAP file (docs/record-replay.md). It gets no STOP from the runtime
 * when the dataflow stops: it writes what its senders sent before exiting
 * and ends when its inputs close (or on SIGTERM).
 *
 * Environment (set by `dora record`): `DORA_RECORD_FILE`,
 * `DORA_RECORD_COMPRESSION`, `DORA_RECORD_BUFFER_BYTES`,
 * `DORA_RECORD_DATAFLOW` (JSON of the `dora.dataflow` metadata),
 * `DORA_RECORD_TYPES` (JSON topic → type URN).
 *
 * @module
 */
import { Node } from "dora";
import { Recorder } from "../../src/record/recorder.ts";
import { fileSink, RecordingWriter } from "../../src/record/mcap/writer.ts";
import type { Compression } from "../../src/record/mcap/compression.ts";
import { DORA_VERSION } from "../../src/version.ts";
import { lowerPriority } from "./_priority.ts";

const path = Deno.env.get("DORA_RECORD_FILE");
if (!path) {
  throw new Error("DORA_RECORD_FILE is not set (run through `dora record`)");
}
const compression =
  (Deno.env.get("DORA_RECORD_COMPRESSION") ?? "none") as Compression;
const bufferBytes = Number(
  Deno.env.get("DORA_RECORD_BUFFER_BYTES") ?? 512 << 20,
);
const dataflow = JSON.parse(
  Deno.env.get("DORA_RECORD_DATAFLOW") ?? "{}",
) as Record<string, string>;
const types = JSON.parse(Deno.env.get("DORA_RECORD_TYPES") ?? "{}") as Record<
  string,
  string
>;

const node = await Node.init();
// The dataflow's nodes come first; the recorder's queue absorbs the wait.
lowerPriority(10);
const file = await Deno.open(path, {
  write: true,
  create: true,
  truncate: true,
});
const writer = new RecordingWriter(fileSink(file), {
  compression,
  library: `dora ${DORA_VERSION}`,
});
const recorder = new Recorder(writer, { bufferBytes, types });
await recorder.start({
  ...dataflow,
  dataflow_id: node.dataflowId,
  dora_version: DORA_VERSION,
  started_at: new Date().toISOString(),
  compression,
});

let closing: Promise<void> | null = null;
const finish = () => closing ??= recorder.finish().finally(() => file.close());
// The stop ladder's SIGTERM: close the file properly before exiting.
Deno.addSignalListener("SIGTERM", () => {
  finish().finally(() => Deno.exit(0));
});

for await (const event of node) {
  if (event.type === "INPUT") {
    recorder.push(
      event.id,
      event.value,
      event.metadata.parameters,
      event.metadata.timestamp,
    );
  } else if (event.type === "ERROR") {
    node.log("warn", event.error);
  }
}
await finish();
const dropped = [...recorder.stats].filter(([, s]) => s.dropped > 0);
for (const [topic, s] of dropped) {
  node.log(
    "warn",
    `"${topic}": ${s.dropped} messages could not be written in time`,
  );
}
await node.close();
