/**
 * Helpers for the shared-memory end-to-end tests: node log lines of a
 * `--log-format json` run, the regions of a dataflow in /dev/shm, and what a
 * process has mapped or read.
 *
 * @module
 */
import type { RunSummary } from "../../src/runtime/ending/summary.ts";
import type { DoraProcess } from "./dora.ts";

/** Absolute path of a file in tests/fixtures/shm/. */
export function shmFixture(name: string): string {
  return new URL(`../fixtures/shm/${name}`, import.meta.url).pathname;
}

/** The messages of node `node` in the JSON log lines of a run. */
export function nodeMessages(lines: string[], node: string): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    try {
      const rec = JSON.parse(line);
      if (rec.node === node && typeof rec.msg === "string") out.push(rec.msg);
    } catch {
      // not a log record
    }
  }
  return out;
}

/** Waits for a message of `node` matching `re` and returns its match. */
export async function waitForNode(
  dora: DoraProcess,
  node: string,
  re: RegExp,
): Promise<RegExpExecArray> {
  const line = await dora.waitForLine(
    new RegExp(`"node":"${node}".*"msg":"${re.source}`),
  );
  return re.exec(JSON.parse(line).msg)!;
}

/** The pid a fixture printed as `<prefix>: pid <n>`. */
export async function nodePid(
  dora: DoraProcess,
  node: string,
): Promise<number> {
  return Number((await waitForNode(dora, node, /shm_\w+: pid (\d+)/))[1]);
}

/** The dataflow id of a run, from its `started` line. */
export async function dataflowId(dora: DoraProcess): Promise<string> {
  const line = await dora.waitForLine(/dataflow [0-9a-f-]{36} started/);
  return /dataflow ([0-9a-f-]{36}) started/.exec(line)![1]!;
}

/** Names of the regions of dataflow `id` that exist in /dev/shm. */
export function regionsOf(id: string): string[] {
  const prefix = `dora-${id.replace(/-/g, "")}`;
  return [...Deno.readDirSync("/dev/shm")]
    .map((e) => e.name)
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/** Removes whatever a failed test left of dataflow `id` in /dev/shm. */
export function removeRegionsOf(id: string): void {
  for (const name of regionsOf(id)) {
    Deno.removeSync(`/dev/shm/${name}`);
  }
}

/** How many mappings process `pid` has of each region of dataflow `id`. */
export function mappingsOf(pid: number, id: string): Map<string, number> {
  const hex = id.replace(/-/g, "");
  const counts = new Map<string, number>();
  for (const line of Deno.readTextFileSync(`/proc/${pid}/maps`).split("\n")) {
    const m = /\/dev\/shm\/(dora-([0-9a-f]{32})-\S+)/.exec(line);
    if (m && m[2] === hex) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return counts;
}

/** Bytes process `pid` has read and written through system calls so far. */
export function ioOf(pid: number): { read: number; written: number } {
  const io = Deno.readTextFileSync(`/proc/${pid}/io`);
  return {
    read: Number(/^rchar: (\d+)/m.exec(io)![1]),
    written: Number(/^wchar: (\d+)/m.exec(io)![1]),
  };
}

/** Kills `dora` (after a failed assertion) unless it already exited. */
export function stop(dora: DoraProcess): void {
  try {
    dora.kill("SIGKILL");
  } catch {
    // already exited
  }
}

/** The run summary of a `--log-format json` run. */
export function summaryOf(stderr: string): RunSummary {
  for (const line of stderr.split("\n")) {
    if (line.startsWith("{") && line.includes('"summary"')) {
      return JSON.parse(line).summary;
    }
  }
  throw new Error(`no summary in:\n${stderr}`);
}

/**
 * A dataflow where a TypeScript and a Python sender send 1 MB messages every
 * 5 ms to `counter` (inputs `from_ts`, `from_py`).
 */
export const SENDING_DATAFLOW = `
nodes:
  - id: ts_sender
    path: ${shmFixture("sender.ts")}
    inputs: { tick: dora/timer/millis/5 }
    outputs: [data]
  - id: py_sender
    path: ${shmFixture("sender.py")}
    inputs: { tick: dora/timer/millis/5 }
    outputs: [data]
  - id: counter
    path: ${shmFixture("counter.ts")}
    inputs:
      from_ts: ts_sender/data
      from_py: py_sender/data
`;

/** Waits until both senders of {@link SENDING_DATAFLOW} are under way. */
export async function untilSending(dora: DoraProcess): Promise<void> {
  await waitForNode(dora, "counter", /shm_counter: from_ts reached 5/);
  await waitForNode(dora, "counter", /shm_counter: from_py reached 5/);
}
