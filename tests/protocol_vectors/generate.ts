/**
 * Regenerates tests/protocol_vectors/*.json from the TypeScript codec.
 * Run: `deno run -A tests/protocol_vectors/generate.ts`. Review the diff: the
 * vectors are the contract, a change here is a protocol change.
 *
 * @module
 */
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Int64,
  List,
  makeData,
  makeVector,
  Struct,
  TimestampNanosecond,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import {
  BINARY_INPUT,
  decodeFrame,
  decodeValue,
  encodeBinaryHeader,
  encodeFrame,
  encodeMetadata,
  encodeValue,
  type SendableValue,
} from "../../src/message/mod.ts";
import { hex, meaning } from "./_meaning.ts";

const TS = 1763712000123456789n;
const dir = new URL(".", import.meta.url).pathname;

interface Valid {
  name: string;
  direction:
    | "node_to_daemon"
    | "daemon_to_node"
    | "receiver_to_sender"
    | "sender_to_receiver";
  header: Record<string, unknown>;
  value?: { dt: unknown; values: unknown[] };
  encode: boolean;
  hex: string;
}

const valid: Valid[] = [];

function add(
  name: string,
  direction: Valid["direction"],
  header: Record<string, unknown>,
  data?: SendableValue,
  encode = true,
) {
  let h = header;
  let payload: Uint8Array | null = null;
  if (data !== undefined) {
    const enc = encodeValue(data);
    // the layout goes after m in the header (key order matters for byte-exact checks)
    h = { ...header, d: enc.layout };
    payload = new Uint8Array(enc.size);
    enc.write(payload);
  }
  const bytes = encodeFrame(h, payload);
  const back = decodeFrame(bytes);
  const entry: Valid = {
    name,
    direction,
    header: back.header,
    encode,
    hex: hex(bytes),
  };
  if (data !== undefined) {
    const vec = decodeValue(back.header.d as never, back.payload);
    entry.value = {
      dt: (back.header.d as { dt: unknown }).dt,
      values: meaning(vec),
    };
  }
  valid.push(entry);
}

const m = (p?: Record<string, never>) => encodeMetadata(TS, p);
const N2D = "node_to_daemon";
const D2N = "daemon_to_node";
const R2S = "receiver_to_sender";
const S2R = "sender_to_receiver";

add("hello", N2D, {
  t: "hello",
  v: 1,
  node: "camera",
  df: "0193a6f2-7c1e-7d2a-9b3c-4d5e6f708192",
  lang: "ts",
  pid: 4242,
});
add("next", N2D, { t: "next" });
add("next with max", N2D, { t: "next", max: 64 });
add("output, empty (no data)", N2D, { t: "output", o: "tick", m: m() });
add(
  "output f32 with every parameter type",
  N2D,
  {
    t: "output",
    o: "out",
    m: encodeMetadata(TS, {
      b: true,
      i: -7,
      big: 9007199254740993n,
      f: 0.5,
      nan: NaN,
      s: "x",
      is: [1, 2],
      fs: [0.25, Infinity],
      ss: ["a", "b"],
      empty: [],
      when: new Date(1763712000123),
    }),
  },
  new Float32Array([1, 2, 3]),
);
add(
  "output u8 bytes",
  N2D,
  { t: "output", o: "raw", m: m() },
  new Uint8Array([0, 1, 254, 255]),
);
add("output f64 scalar", N2D, { t: "output", o: "x", m: m() }, 1.5);
add("output utf8", N2D, { t: "output", o: "text", m: m() }, ["a", "héllo", ""]);
add("output bool", N2D, { t: "output", o: "flags", m: m() }, [
  true,
  false,
  true,
]);
add(
  "output i64 with nulls",
  N2D,
  { t: "output", o: "ids", m: m() },
  vectorFromArray([1n, null, 9007199254740993n], new Int64()),
);
add(
  "output u64",
  N2D,
  { t: "output", o: "u", m: m() },
  new BigUint64Array([0n, 18446744073709551615n]),
);
add(
  "output list<i32>",
  N2D,
  { t: "output", o: "lists", m: m() },
  vectorFromArray(
    [[1, 2], [], [3]],
    new List(new Field("item", new Int32(), true)),
  ),
);
add(
  "output fixed_list<f32, 2>",
  N2D,
  { t: "output", o: "points", m: m() },
  vectorFromArray(
    [[1, 2], [3, 4]],
    new FixedSizeList(2, new Field("item", new Float32(), true)),
  ),
);
add(
  "output struct",
  N2D,
  { t: "output", o: "rec", m: m() },
  vectorFromArray(
    [{ a: 1, b: "x" }, { a: 2, b: "yz" }],
    new Struct([
      new Field("a", new Int32(), true),
      new Field("b", new Utf8(), true),
    ]),
  ),
);
add(
  "output timestamp ns UTC",
  N2D,
  { t: "output", o: "stamp", m: m() },
  makeVector(
    makeData({
      type: new TimestampNanosecond("UTC"),
      length: 1,
      nullCount: 0,
      data: BigInt64Array.of(TS),
    }),
  ),
);
add("output via shared memory", N2D, {
  t: "output",
  o: "image",
  m: m(),
  d: { dt: "u8", len: 8192, nulls: 0, off: 0, bufs: [null, [0, 8192]], ch: [] },
  shm: {
    name: "/dora-0193a6f27c1e7d2a9b3c4d5e6f708192-camera-0",
    size: 65536,
    token: "camera-0-17",
  },
});
add("close_outputs", N2D, { t: "close_outputs", o: ["out", "text"] });
add("stop_dataflow", N2D, { t: "stop_dataflow" });
add("release (node)", N2D, { t: "release", tokens: ["camera-0-17"] });
add("shm_new", N2D, {
  t: "shm_new",
  name: "/dora-0193a6f27c1e7d2a9b3c4d5e6f708192-camera-0",
  size: 65536,
});

add("hello_ok", D2N, { t: "hello_ok", v: 1, daemon: "0.1.0" });
add("hello_ok with runtime parameters", D2N, {
  t: "hello_ok",
  v: 1,
  daemon: "0.1.0",
  params: { threshold: 0.5, config: { labels: ["cat", "dog"], nms: 0.4 } },
});
add("ready", D2N, { t: "ready" });
add(
  "input f64",
  D2N,
  { t: "input", id: "in", m: m() },
  new Float64Array([0.5, -2]),
);
add("input timer tick (no data)", D2N, { t: "input", id: "tick", m: m() });
// A layout with a non-zero array offset (as pyarrow sends slices): decoders must
// honour `off`; the TS encoder always normalises to off 0, so no encode check.
{
  const payload = new Uint8Array(64 + 24);
  payload[0] = 0b11111011; // validity: element 2 is null
  new Int32Array(payload.buffer, 64, 6).set([10, 11, 12, 13, 14, 15]);
  const header = {
    t: "input",
    id: "sliced",
    m: m(),
    d: {
      dt: "i32",
      len: 3,
      nulls: 1,
      off: 1,
      bufs: [[0, 1], [64, 24]],
      ch: [],
    },
  };
  const bytes = encodeFrame(header, payload);
  const back = decodeFrame(bytes);
  valid.push({
    name: "input i32 with offset and nulls",
    direction: D2N,
    header: back.header,
    value: {
      dt: "i32",
      values: meaning(decodeValue(back.header.d as never, back.payload)),
    },
    encode: false,
    hex: hex(bytes),
  });
}
add("input via shared memory", D2N, {
  t: "input",
  id: "image",
  m: m(),
  d: { dt: "u8", len: 8192, nulls: 0, off: 0, bufs: [null, [0, 8192]], ch: [] },
  shm: {
    name: "/dora-0193a6f27c1e7d2a9b3c4d5e6f708192-camera-0",
    size: 65536,
    token: "camera-0-17",
  },
});
add("input_closed", D2N, { t: "input_closed", id: "in" });
add("input_recovered", D2N, { t: "input_recovered", id: "in" });
add("node_restarted", D2N, { t: "node_restarted", id: "camera" });
add("param_update", D2N, {
  t: "param_update",
  key: "threshold",
  value: { confidence: 0.8, nms: [0.5, null] },
});
add("param_deleted", D2N, { t: "param_deleted", key: "threshold" });
add("node_failed", D2N, {
  t: "node_failed",
  id: "camera",
  inputs: ["image"],
  error: "exited with code 1",
});
add("stop manual", D2N, { t: "stop", cause: "MANUAL" });
add("stop all inputs closed", D2N, { t: "stop", cause: "ALL_INPUTS_CLOSED" });
add("error", D2N, { t: "error", message: 'output "nope" is not declared' });
add("release (daemon)", D2N, {
  t: "release",
  tokens: ["camera-0-17", "camera-1-18"],
});
add("batch_end", D2N, { t: "batch_end" });

// ---- direct delivery ----
add("hello, direct", N2D, {
  t: "hello",
  v: 1,
  node: "camera",
  df: "0193a6f2-7c1e-7d2a-9b3c-4d5e6f708192",
  lang: "py",
  pid: 4242,
  direct: true,
});
add("routes", D2N, {
  t: "routes",
  out: {
    image: {
      daemon: true,
      to: [{
        node: "detector",
        input: "frame",
        queue_size: 10,
        queue_policy: "drop_oldest",
        shm: true,
      }],
    },
    debug: { daemon: false, to: [] },
  },
  in: {
    tick_in: {
      node: "clock",
      sock: "/run/user/0/dora/0193a6f2-7c1e-7d2a-9b3c-4d5e6f708192/n0.sock",
      gen: 2,
      queue_size: 1,
      queue_policy: "backpressure",
    },
    other: {
      node: "gone",
      sock: null,
      gen: 1,
      queue_size: 10,
      queue_policy: "drop_oldest",
    },
  },
});
add("drain", D2N, { t: "drain", node: "camera", gen: 1 });
add("drained", N2D, { t: "drained", node: "camera", gen: 1 });
add("hand_over", D2N, { t: "hand_over", node: "detector", pid: 4242 });
add("link_handed", N2D, { t: "link_handed", node: "camera" });
add("stats", N2D, {
  t: "stats",
  sent: 10,
  shm_sent: 2,
  shm_bytes: 16384,
  inline_sent: 64,
  received: 5,
  shm_received: 0,
  inline_received: 40,
  drops: { frame: 3 },
  lost: { detector: { frame: 1 } },
  undelivered: { detector: 2 },
});
add("link_failed", N2D, {
  t: "link_failed",
  node: "clock",
  error: "Requires net access",
});
{
  // relay: link frames the node could not write, for the daemon to deliver.
  const inner = encodeFrame({ t: "input_closed", id: "frame" });
  add("relay", N2D, { t: "relay", to: "detector" }, undefined);
  const bytes = encodeFrame({ t: "relay", to: "detector" }, inner);
  const back = decodeFrame(bytes);
  valid[valid.length - 1] = {
    name: "relay",
    direction: N2D,
    header: back.header,
    encode: true,
    hex: hex(bytes),
  };
}
add("link", R2S, {
  t: "link",
  v: 1,
  df: "0193a6f2-7c1e-7d2a-9b3c-4d5e6f708192",
  node: "detector",
  pid: 4343,
});
add("release (receiver to sender)", R2S, {
  t: "release",
  tokens: ["camera-0-17"],
});
add(
  "input over a link",
  S2R,
  { t: "input", id: "frame", m: m() },
  new Uint8Array([1, 2, 3]),
);
add("input_closed over a link", S2R, { t: "input_closed", id: "frame" });
add("handed_over", S2R, { t: "handed_over" });

// ---- message frames with a JSON header (readers accept both forms) ----
const jsonEncoder = new TextEncoder();
function jsonForm(name: string, direction: Valid["direction"], of: string) {
  const v = valid.find((x) => x.name === of)!;
  const frame = decodeFrame(
    new Uint8Array(
      v.hex.match(/../g)!.map((h) => parseInt(h, 16)),
    ),
  );
  const json = jsonEncoder.encode(JSON.stringify(v.header));
  const payload = frame.payload;
  const size = payload
    ? ((8 + json.length + 63) & ~63) + payload.length
    : 8 + json.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, size - 4, true);
  dv.setUint32(4, json.length, true);
  out.set(json, 8);
  if (payload) out.set(payload, (8 + json.length + 63) & ~63);
  valid.push({
    name,
    direction,
    header: decodeFrame(out).header,
    ...(v.value ? { value: v.value } : {}),
    encode: false,
    hex: hex(out),
  });
}
jsonForm(
  "output f32 with every parameter type (JSON header)",
  N2D,
  "output f32 with every parameter type",
);
jsonForm(
  "output via shared memory (JSON header)",
  N2D,
  "output via shared memory",
);
jsonForm("input f64 (JSON header)", D2N, "input f64");
jsonForm("input timer tick (JSON header)", D2N, "input timer tick (no data)");
jsonForm("input over a link (JSON header)", S2R, "input over a link");

// ---- invalid frames ----
const enc = new TextEncoder();
function raw(
  frameLen: number,
  headerLen: number,
  rest: Uint8Array = new Uint8Array(),
) {
  const out = new Uint8Array(8 + rest.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, frameLen, true);
  v.setUint32(4, headerLen, true);
  out.set(rest, 8);
  return out;
}
function frameOf(header: string, payload?: Uint8Array) {
  const h = enc.encode(header);
  if (!payload) return raw(4 + h.length, h.length, h);
  const start = (8 + h.length + 63) & ~63;
  const body = new Uint8Array(start - 8 + payload.length);
  body.set(h);
  body.set(payload, start - 8);
  return raw(start - 4 + payload.length, h.length, body);
}

const invalid: {
  name: string;
  direction: string;
  stage: "frame" | "header" | "data";
  kind: string;
  error: string;
  hex: string;
}[] = [];
function bad(
  name: string,
  direction: string,
  stage: "frame" | "header" | "data",
  kind: string,
  error: string,
  bytes: Uint8Array,
) {
  invalid.push({ name, direction, stage, kind, error, hex: hex(bytes) });
}
bad(
  "frame over 64 MiB",
  N2D,
  "frame",
  "frame_too_large",
  "frame too large",
  raw(67108865, 2),
);
bad(
  "frame_len too short",
  N2D,
  "frame",
  "frame_too_short",
  "shorter than the 4-byte header_len",
  raw(2, 0),
);
bad(
  "header_len beyond frame",
  N2D,
  "frame",
  "header_too_long",
  "header_len 100 exceeds the frame",
  raw(12, 100, enc.encode('{"t":"next"}')),
);
bad(
  "truncated padding",
  N2D,
  "frame",
  "payload_truncated",
  "frame payload is truncated",
  raw(4 + 12 + 3, 12, enc.encode('{"t":"next"}abc')),
);
bad(
  "header not UTF-8",
  N2D,
  "frame",
  "header_not_utf8",
  "not valid UTF-8",
  frameOf('{"t":"\xff"}'.replace("\xff", "")).map((b, i, a) =>
    i === a.length - 3 ? 0xff : b
  ),
);
bad(
  "header not JSON",
  N2D,
  "frame",
  "header_not_json",
  "not valid JSON",
  frameOf("{t: next}"),
);
bad(
  "header is an array",
  N2D,
  "frame",
  "header_not_object",
  "not a JSON object",
  frameOf('["next"]'),
);
bad(
  "header without t",
  N2D,
  "frame",
  "header_no_type",
  'no string field "t"',
  frameOf('{"type":"next"}'),
);
{
  // Binary message headers: truncated fields, unknown kind or flags.
  const good = encodeBinaryHeader(BINARY_INPUT, "in", { ts: "5" }, {
    dt: "u8",
    len: 1,
    nulls: 0,
    off: 0,
    bufs: [null, [0, 1]],
    ch: [],
  });
  const framed = (h: Uint8Array) => raw(4 + h.length, h.length, h);
  bad(
    "binary header truncated",
    D2N,
    "frame",
    "binary_truncated",
    "binary header: truncated",
    framed(good.subarray(0, good.length - 3)),
  );
  const flags = good.slice();
  flags[1] = 0x40;
  bad(
    "binary header with unknown flags",
    D2N,
    "frame",
    "binary_flags",
    "binary header: unknown flags 64",
    framed(flags),
  );
  const dt = good.slice();
  dt[14] = 99;
  bad(
    "binary header with an unknown data type code",
    D2N,
    "frame",
    "binary_dt",
    "binary header: unknown data type code 99",
    framed(dt),
  );
  bad(
    "binary header shorter than its fixed fields",
    D2N,
    "frame",
    "binary_short",
    "binary header: 5 bytes, at least 12 needed",
    framed(good.subarray(0, 5)),
  );
}
bad(
  "unknown t",
  N2D,
  "header",
  "unknown_type",
  'unknown message type "bogus"',
  frameOf('{"t":"bogus"}'),
);
bad(
  "daemon message sent by a node",
  N2D,
  "header",
  "unknown_type",
  'unknown message type "input"',
  frameOf('{"t":"input","id":"x","m":{"ts":"1"}}'),
);
bad(
  "node message sent by the daemon",
  D2N,
  "header",
  "unknown_type",
  'unknown message type "next"',
  frameOf('{"t":"next"}'),
);
bad(
  "output id not a string",
  N2D,
  "header",
  "bad_field",
  'field "o" must be a string',
  frameOf('{"t":"output","o":3,"m":{"ts":"1"}}'),
);
bad(
  "stop with an unknown cause",
  D2N,
  "header",
  "bad_field",
  'field "cause" must be',
  frameOf('{"t":"stop","cause":"LATER"}'),
);
bad(
  "metadata ts not a string",
  D2N,
  "data",
  "bad_metadata",
  'metadata "ts" must be a decimal string',
  frameOf('{"t":"input","id":"x","m":{"ts":5}}'),
);
bad(
  "unknown data type",
  D2N,
  "data",
  "bad_layout",
  "unknown data type",
  frameOf(
    '{"t":"input","id":"x","m":{"ts":"1"},"d":{"dt":"f128","len":1,"nulls":0,"off":0,"bufs":[null,[0,16]],"ch":[]}}',
    new Uint8Array(16),
  ),
);
bad(
  "buffer beyond the payload",
  D2N,
  "data",
  "bad_layout",
  "exceeds the payload",
  frameOf(
    '{"t":"input","id":"x","m":{"ts":"1"},"d":{"dt":"f32","len":4,"nulls":0,"off":0,"bufs":[null,[0,16]],"ch":[]}}',
    new Uint8Array(8),
  ),
);
bad(
  "buffer not 64-aligned",
  D2N,
  "data",
  "bad_layout",
  "not a multiple of 64",
  frameOf(
    '{"t":"input","id":"x","m":{"ts":"1"},"d":{"dt":"u8","len":4,"nulls":0,"off":0,"bufs":[null,[8,4]],"ch":[]}}',
    new Uint8Array(16),
  ),
);
bad(
  "values buffer too short",
  D2N,
  "data",
  "bad_layout",
  "needs at least 16",
  frameOf(
    '{"t":"input","id":"x","m":{"ts":"1"},"d":{"dt":"f32","len":4,"nulls":0,"off":0,"bufs":[null,[0,8]],"ch":[]}}',
    new Uint8Array(8),
  ),
);
bad(
  "wrong buffer count",
  D2N,
  "data",
  "bad_layout",
  "needs 3 buffers, got 2",
  frameOf(
    '{"t":"input","id":"x","m":{"ts":"1"},"d":{"dt":"utf8","len":1,"nulls":0,"off":0,"bufs":[null,[0,8]],"ch":[]}}',
    new Uint8Array(8),
  ),
);
bad(
  "connection closed inside a frame",
  D2N,
  "frame",
  "eof_in_frame",
  "connection closed in the middle of a frame",
  frameOf('{"t":"ready"}').subarray(0, 10),
);

// ---- metadata parameters ----
const params = [
  { name: "bool", wire: ["bool", true], value: true },
  { name: "int", wire: ["int", -7], value: -7 },
  {
    name: "int beyond 2^53 as a string",
    wire: ["int", "9007199254740993"],
    value: "9007199254740993",
  },
  { name: "float", wire: ["float", 0.5], value: 0.5 },
  { name: "float NaN", wire: ["float", "NaN"], value: "NaN" },
  { name: "float -inf", wire: ["float", "-inf"], value: "-inf" },
  { name: "str", wire: ["str", "héllo"], value: "héllo" },
  {
    name: "ints",
    wire: ["ints", [1, -2, "9223372036854775807"]],
    value: [1, -2, "9223372036854775807"],
  },
  { name: "floats", wire: ["floats", [0.25, "inf"]], value: [0.25, "inf"] },
  { name: "strs", wire: ["strs", ["a", ""]], value: ["a", ""] },
  { name: "empty list", wire: ["strs", []], value: [] },
  {
    name: "ts",
    wire: ["ts", "1763712000123456789"],
    value: "1763712000123456789",
  },
];
const badParams = [
  { name: "not a pair", wire: ["int"], error: "not a [type, value] pair" },
  {
    name: "unknown type",
    wire: ["complex", 1],
    error: 'unknown type "complex"',
  },
  { name: "bool with a number", wire: ["bool", 1], error: "invalid bool" },
  { name: "int with a fraction", wire: ["int", 1.5], error: "invalid int" },
  { name: "ints not a list", wire: ["ints", 1], error: "needs a list" },
];

const note = (s: string) => s;
await Deno.writeTextFile(
  `${dir}frames.json`,
  JSON.stringify(
    {
      protocol: 1,
      notes: [
        note(
          "Each valid frame: `hex` is the complete frame; `header` is its JSON header; `value` (when present) is the decoded array: `dt` and one JSON element per array element (null for nulls; 64-bit ints, dates and timestamps as their raw stored integers, decimal strings beyond 2^53; binary and fixed_binary as hex; lists as arrays; structs as objects).",
        ),
        note(
          "Encoding check (when `encode` is true): building the same header (keys in the order shown, compact JSON without spaces) and payload must give exactly `hex`. Decoders must accept any key order and whitespace.",
        ),
        note("Metadata timestamps are 1763712000123456789."),
      ],
      valid,
    },
    null,
    1,
  ) + "\n",
);
await Deno.writeTextFile(
  `${dir}invalid.json`,
  JSON.stringify(
    {
      protocol: 1,
      notes: [
        note(
          "Each entry is the byte stream a peer receives (`hex`) and then EOF. `stage` says where it must fail: `frame` (framing and header JSON), `header` (message type and fields for the receiving direction), or `data` (metadata and data layout of input/output). `kind` is a stable identifier; `error` is a substring of the TypeScript error message (other implementations should name the same problem).",
        ),
      ],
      invalid,
    },
    null,
    1,
  ) + "\n",
);
await Deno.writeTextFile(
  `${dir}metadata.json`,
  JSON.stringify(
    {
      protocol: 1,
      notes: [
        note(
          '`wire` is the [type, value] pair in `m.p`; `value` is the decoded value in JSON (ints beyond 2^53 and ts as decimal strings, non-finite floats as "NaN"/"inf"/"-inf"). `invalid` entries must be rejected with an error containing `error`.',
        ),
      ],
      params,
      invalid: badParams,
    },
    null,
    1,
  ) + "\n",
);
console.log(
  `${valid.length} valid, ${invalid.length} invalid frames, ${params.length} params`,
);
