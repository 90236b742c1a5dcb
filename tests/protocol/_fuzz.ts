/**
 * Protocol fuzzing of the TypeScript decoders: random and mutated byte
 * streams (seeded from the shared vectors in tests/protocol_vectors/) fed to
 * the node side (frames from the daemon or another node: header check,
 * metadata, the data layout rebuilt into a Vector and read whole) and to the
 * daemon side (frames from a node: header check, metadata). Each stream must
 * be decoded or refused with a `ProtocolError`; any other exception, or a
 * stream that does not end, is a finding. Deterministic for a seed.
 *
 * Used by tests/protocol/fuzz_test.ts (a short budget) and by
 * `scripts/fuzz_protocol.ts` (a million frames and more).
 *
 * @module
 */
import {
  asDaemonToNode,
  asNodeToDaemon,
  type DataLayout,
  decodeMetadata,
  decodeValue,
  FrameReader,
  ProtocolError,
} from "../../src/message/mod.ts";

const VECTORS = new URL("../protocol_vectors/", import.meta.url).pathname;

/** A small, fast, seeded generator (mulberry32). */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#s += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** One seed stream: its bytes and which side receives it. */
interface Seed {
  bytes: Uint8Array;
  toNode: boolean;
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** The valid and invalid vectors as seeds. */
export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const file of ["frames.json", "invalid.json"]) {
    const doc = JSON.parse(Deno.readTextFileSync(`${VECTORS}${file}`));
    for (const v of [...(doc.valid ?? []), ...(doc.invalid ?? [])]) {
      seeds.push({
        bytes: hex(v.hex),
        toNode: v.direction === "daemon_to_node",
      });
    }
  }
  return seeds;
}

const INTERESTING_U32 = [
  0,
  1,
  7,
  8,
  63,
  64,
  255,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  64 * 1024 * 1024,
  64 * 1024 * 1024 + 1,
];

const WEIRD_JSON: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 63),
  1e308,
  "",
  "x".repeat(300),
  "-1",
  "NaN",
  "18446744073709551616",
  [],
  [[]],
  [0, 0],
  [-1, 5],
  [0, 2 ** 40],
  {},
  { t: "input" },
  { __proto__: null },
];

/** Encodes a frame with a header text and a payload (lengths consistent). */
function frame(headerText: string, payload: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const start = Math.ceil((8 + h.length) / 64) * 64;
  const size = payload.length > 0 ? start + payload.length : 8 + h.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, size - 4, true);
  dv.setUint32(4, h.length, true);
  out.set(h, 8);
  if (payload.length > 0) out.set(payload, start);
  return out;
}

/** Splits a seed into its header object and payload, when it parses. */
function parts(
  bytes: Uint8Array,
): { header: Record<string, unknown>; payload: Uint8Array } | undefined {
  if (bytes.length < 8) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = dv.getUint32(4, true);
  if (8 + hlen > bytes.length) return undefined;
  try {
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(8, 8 + hlen)),
    );
    if (typeof header !== "object" || header === null) return undefined;
    const start = Math.ceil((8 + hlen) / 64) * 64;
    return { header, payload: bytes.slice(Math.min(start, bytes.length)) };
  } catch {
    return undefined;
  }
}

/** Replaces a random value somewhere in `value` with something odd. */
function mutateJson(value: unknown, rng: Rng, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") {
    return rng.int(3) === 0 && typeof value === "number"
      ? value + rng.pick([-1, 1, 64, -64, 2 ** 31, 2 ** 32])
      : rng.pick(WEIRD_JSON);
  }
  const obj = (Array.isArray(value) ? [...value] : { ...value }) as Record<
    string,
    unknown
  >;
  const keys = Object.keys(obj);
  const roll = rng.int(10);
  if (keys.length === 0 || roll === 0) {
    obj[rng.pick(["t", "d", "m", "len", "off", "bufs", "children", "x"])] = rng
      .pick(WEIRD_JSON);
  } else if (roll === 1) {
    delete obj[rng.pick(keys)];
  } else {
    const k = rng.pick(keys);
    obj[k] = mutateJson(obj[k], rng, depth + 1);
  }
  return obj;
}

/** One fuzz case: a byte stream built from the seeds. */
export function makeCase(seeds: Seed[], rng: Rng): Seed {
  const seed = rng.pick(seeds);
  const b = seed.bytes.slice();
  switch (rng.int(9)) {
    case 0: { // random bytes
      const out = new Uint8Array(rng.int(200));
      for (let i = 0; i < out.length; i++) out[i] = rng.int(256);
      if (out.length >= 8 && rng.int(2) === 0) {
        new DataView(out.buffer).setUint32(0, out.length - 4, true);
        new DataView(out.buffer).setUint32(4, rng.int(out.length), true);
      }
      return { bytes: out, toNode: rng.int(2) === 0 };
    }
    case 1: // flip bits
      for (let i = 1 + rng.int(8); i > 0 && b.length > 0; i--) {
        b[rng.int(b.length)]! ^= 1 << rng.int(8);
      }
      return { bytes: b, toNode: seed.toNode };
    case 2: // odd bytes
      for (let i = 1 + rng.int(4); i > 0 && b.length > 0; i--) {
        b[rng.int(b.length)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x22, 0x5c]);
      }
      return { bytes: b, toNode: seed.toNode };
    case 3: // truncated
      return { bytes: b.slice(0, rng.int(b.length + 1)), toNode: seed.toNode };
    case 4: { // odd length fields
      if (b.length >= 8) {
        new DataView(b.buffer).setUint32(
          rng.int(2) * 4,
          rng.pick(INTERESTING_U32),
          true,
        );
      }
      return { bytes: b, toNode: seed.toNode };
    }
    case 5: // several frames in one stream
    {
      const all = [b, rng.pick(seeds).bytes, rng.pick(seeds).bytes];
      const out = new Uint8Array(all.reduce((n, x) => n + x.length, 0));
      let at = 0;
      for (const x of all.slice(0, 2 + rng.int(2))) {
        out.set(x, at);
        at += x.length;
      }
      return { bytes: out.subarray(0, at), toNode: seed.toNode };
    }
    default: { // a well-framed header with odd fields
      const p = parts(b);
      if (!p) return { bytes: b, toNode: seed.toNode };
      let header = p.header;
      for (let i = 1 + rng.int(3); i > 0; i--) {
        header = mutateJson(header, rng) as Record<string, unknown>;
      }
      let payload = p.payload;
      if (rng.int(4) === 0) {
        payload = payload.slice(0, rng.int(payload.length + 1));
      }
      return {
        bytes: frame(JSON.stringify(header), payload),
        toNode: seed.toNode,
      };
    }
  }
}

/** A byte source that hands out `bytes` in random pieces, then EOF. */
function source(bytes: Uint8Array, rng: Rng) {
  let at = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (at >= bytes.length) return Promise.resolve(null);
      const n = Math.min(p.length, bytes.length - at, 1 + rng.int(97));
      p.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
}

/** Decodes a frame the way a node does and reads the value whole. */
function nodeSide(header: Record<string, unknown>, payload: Uint8Array | null) {
  const h = asDaemonToNode(header) as unknown as Record<string, unknown>;
  if (h.t !== "input") return;
  decodeMetadata(h.m as never);
  if (h.shm !== undefined) return; // mapped from shared memory, not here
  const vector = decodeValue(h.d as DataLayout | undefined, payload);
  let n = 0;
  for (const _ of vector) if (++n > 1_000_000) break;
}

/** Decodes a frame the way the daemon does. */
function daemonSide(header: Record<string, unknown>) {
  const h = asNodeToDaemon(header) as unknown as Record<string, unknown>;
  if ("m" in h && h.m !== undefined) decodeMetadata(h.m as never);
}

/** What a run found. */
export interface FuzzReport {
  streams: number;
  frames: number;
  accepted: number;
  refused: number;
  /** Streams that threw something other than a ProtocolError. */
  findings: { hex: string; toNode: boolean; error: string }[];
}

/** Feeds `count` fuzzed frames (at least) to both decoders. */
export async function fuzz(count: number, seed = 1): Promise<FuzzReport> {
  const seeds = loadSeeds();
  const rng = new Rng(seed);
  const report: FuzzReport = {
    streams: 0,
    frames: 0,
    accepted: 0,
    refused: 0,
    findings: [],
  };
  while (report.frames < count) {
    const c = makeCase(seeds, rng);
    report.streams++;
    const reader = new FrameReader(source(c.bytes, rng), 4096);
    try {
      for (let f = await reader.next(); f; f = await reader.next()) {
        report.frames++;
        try {
          if (c.toNode) nodeSide(f.header, f.payload);
          else daemonSide(f.header);
          report.accepted++;
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          report.refused++;
        }
      }
    } catch (err) {
      if (err instanceof ProtocolError) {
        report.frames++;
        report.refused++;
        continue;
      }
      report.frames++;
      if (report.findings.length < 20) {
        report.findings.push({
          hex: [...c.bytes].map((x) => x.toString(16).padStart(2, "0")).join(
            "",
          ),
          toNode: c.toNode,
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(
            err,
          ),
        });
      } else report.findings.length++;
    }
  }
  return report;
}
