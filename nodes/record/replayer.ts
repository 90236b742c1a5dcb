/**
 * The replay node that `dora replay` puts in place of a recorded node: same
 * id and outputs; it publishes the node's recorded messages in recorded
 * order, paced by their recorded times divided by the speed (0 = as fast as
 * possible), then closes its outputs (or starts over with `--loop`). STOP
 * ends it at once. A truncated tail or damaged chunks are reported as
 * warnings; what could be read is replayed.
 *
 * Environment (set by `dora replay`): `DORA_REPLAY_FILE`,
 * `DORA_REPLAY_SPEED`, `DORA_REPLAY_LOOP`, `DORA_REPLAY_START` (the log
 * time, in ns, of the recording's first message: replay time 0).
 *
 * @module
 */
import { Node } from "dora";
import { readMessages } from "../../src/record/recording.ts";
import { newScanReport } from "../../src/record/mcap/scanner.ts";

const file = Deno.env.get("DORA_REPLAY_FILE");
if (!file) {
  throw new Error("DORA_REPLAY_FILE is not set (run through `dora replay`)");
}
const speed = Number(Deno.env.get("DORA_REPLAY_SPEED") ?? "1");
const loop = Deno.env.get("DORA_REPLAY_LOOP") === "true";
const start = BigInt(Deno.env.get("DORA_REPLAY_START") ?? "0");

const node = await Node.init();
const prefix = `${node.nodeId}/`;
const topics = new Set(node.outputs.map((o) => prefix + o));
let stopped = false;
const waker: { wake: (() => void) | null } = { wake: null };
const events = (async () => {
  for await (const event of node) {
    if (event.type === "ERROR") node.log("warn", event.error);
  }
  // STOP (or the daemon went away): stop publishing.
  stopped = true;
  waker.wake?.();
})();

/** Waits until `ms` from now, or less if STOP arrives. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      waker.wake = null;
      resolve();
    }
    waker.wake = done;
  });
}

let sent = 0;
const began = performance.now();
do {
  const report = newScanReport();
  const loopStart = performance.now();
  // Read buffers are reused once what was sent from them is written out.
  const options = { topics, beforeReuse: () => node.flush() };
  for await (const m of readMessages(file, report, options)) {
    if (stopped) break;
    if (speed > 0) {
      const due = Number(m.logTime - start) / 1e6 / speed;
      const wait = due - (performance.now() - loopStart);
      if (wait > 1) await sleep(wait);
      if (stopped) break;
    }
    const { value, params } = m.decode();
    await node.sendOutput(m.topic.slice(prefix.length), value, params);
    sent++;
  }
  if (report.truncatedAt !== undefined && !report.complete) {
    node.log(
      "warn",
      `${file} ends early (at byte ${report.truncatedAt}): replayed up to its last complete chunk`,
    );
  }
  if (report.corruptChunks + report.corruptRecords > 0) {
    node.log(
      "warn",
      `${file}: skipped ${report.corruptChunks} damaged chunks and ${report.corruptRecords} damaged records (${report.firstProblem})`,
    );
  }
} while (loop && !stopped);
await node.flush();
const seconds = (performance.now() - began) / 1000;
node.log("info", `replayed ${sent} messages`, { sent, seconds });
await node.close();
await events;
