/**
 * The deterministic regression check of `dora replay --check`: what the
 * nodes under test published during the replay against what they published
 * in the recording, topic by topic, message by message (Arrow type, values
 * and parameters).
 *
 * @module
 */
import type { Params } from "../message/metadata.ts";
import type { DecodedMessage } from "./arrow_ipc.ts";
import { readMessages } from "./recording.ts";
import { newScanReport } from "./mcap/scanner.ts";

/** The first difference on one topic. */
export interface Difference {
  topic: string;
  /** 0-based message index within the topic. */
  index: number;
  /** What the recording has (`(none)` past its end). */
  expected: string;
  /** What the replay produced. */
  got: string;
  /** Log time of the expected message (for ordering topics). */
  time?: bigint;
}

/** The result of a check. */
export interface CheckResult {
  /** Messages compared and equal. */
  matched: number;
  topics: string[];
  /** The first difference of each topic that has one, earliest first. */
  differences: Difference[];
}

const MAX_SHOWN = 200;

/** A short readable rendering of a message for the report. */
export function describeMessage(m: DecodedMessage): string {
  const values = JSON.stringify(
    [...m.value].map(plain),
    (_k, v) => typeof v === "bigint" ? `${v}n` : v,
  );
  const shown = values.length > MAX_SHOWN
    ? `${values.slice(0, MAX_SHOWN)}… (${m.value.length} values)`
    : values;
  const params = Object.keys(m.params).length
    ? ` params ${stringifyParams(m.params)}`
    : "";
  return `${String(m.value.type)} ${shown}${params}`;
}

function plain(v: unknown): unknown {
  if (v && typeof v === "object" && "toJSON" in v) {
    return (v as { toJSON(): unknown }).toJSON();
  }
  if (ArrayBuffer.isView(v)) {
    return Array.from(v as unknown as ArrayLike<number>);
  }
  return v;
}

function stringifyParams(p: Params): string {
  return JSON.stringify(
    p,
    (_k, v) => typeof v === "bigint" ? `${v}n` : v,
  );
}

/** Whether two decoded messages are equal: type, values, parameters. */
export function sameMessage(a: DecodedMessage, b: DecodedMessage): boolean {
  if (String(a.value.type) !== String(b.value.type)) return false;
  if (a.value.length !== b.value.length) return false;
  if (stringifyParams(a.params) !== stringifyParams(b.params)) return false;
  const data = (m: DecodedMessage) => m.value.data[0];
  const da = data(a);
  const db = data(b);
  // Fast path: same buffers byte for byte (no nulls, no offsets).
  if (
    da && db && da.nullCount === 0 && db.nullCount === 0 &&
    da.values && db.values && da.children.length === 0 &&
    db.children.length === 0 && !da.valueOffsets && !db.valueOffsets
  ) {
    return bytesEqual(
      da.values as ArrayBufferView,
      db.values as ArrayBufferView,
    );
  }
  const ja = JSON.stringify([...a.value].map(plain), bigints);
  const jb = JSON.stringify([...b.value].map(plain), bigints);
  return ja === jb;
}

function bigints(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

async function byTopic(
  path: string,
  topics: Set<string>,
): Promise<Map<string, { time: bigint; message: DecodedMessage }[]>> {
  const out = new Map<string, { time: bigint; message: DecodedMessage }[]>();
  for (const t of topics) out.set(t, []);
  for await (
    const m of readMessages(path, newScanReport(), { topics })
  ) {
    out.get(m.topic)!.push({ time: m.logTime, message: m.decode() });
  }
  return out;
}

/**
 * Compares `topics` of the recording with the replay's output.
 */
export async function compareRecordings(
  recording: string,
  replay: string,
  topics: string[],
): Promise<CheckResult> {
  const set = new Set(topics);
  const expected = await byTopic(recording, set);
  const got = await byTopic(replay, set);
  const differences: Difference[] = [];
  let matched = 0;
  for (const topic of [...topics].sort()) {
    const e = expected.get(topic)!;
    const g = got.get(topic)!;
    const n = Math.max(e.length, g.length);
    for (let i = 0; i < n; i++) {
      const a = e[i];
      const b = g[i];
      if (a && b && sameMessage(a.message, b.message)) {
        matched++;
        continue;
      }
      differences.push({
        topic,
        index: i,
        expected: a
          ? describeMessage(a.message)
          : `(none: the recording has ${e.length} messages)`,
        got: b
          ? describeMessage(b.message)
          : `(none: the replay published ${g.length} messages)`,
        time: a?.time,
      });
      break;
    }
  }
  differences.sort((x, y) =>
    x.time === undefined
      ? 1
      : y.time === undefined
      ? -1
      : x.time < y.time
      ? -1
      : x.time > y.time
      ? 1
      : 0
  );
  return { matched, topics: [...set], differences };
}
