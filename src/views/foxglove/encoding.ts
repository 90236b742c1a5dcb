/**
 * dora messages as Foxglove sees them: JSON encoding with a JSON schema
 * derived from the Arrow type. Every message is `{"data": [...]}` (the
 * Arrow array's elements: numbers, strings, objects for structs, arrays for
 * lists); bytes (a `u8` array, binary elements) travel base64 with
 * `contentEncoding: base64`, Foxglove's way for raw bytes in JSON. An image
 * (annotated `std/media/v1/Image`, or a struct {width, height, encoding,
 * data}) becomes a `foxglove.RawImage`.
 *
 * @module
 */
import { toPlain } from "../../inspect/mod.ts";
import { type DataLayout, decodeValue } from "../../message/mod.ts";
import type { DataTypeSpec } from "../../message/layout_types.ts";

/** How a channel's messages are encoded. */
export interface ChannelEncoding {
  /** `dora.Value` (the envelope), `dora.Bytes` or `foxglove.RawImage`. */
  schemaName: string;
  /** A JSON schema (object). */
  schema: Record<string, unknown>;
  kind: "value" | "bytes" | "image";
}

const INTEGER = new Set(["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"]);
const NUMBER = new Set(["f16", "f32", "f64"]);
const BYTES = { type: "string", contentEncoding: "base64" };

/** The JSON schema of one element of Arrow type `dt`. */
export function elementSchema(dt: DataTypeSpec): Record<string, unknown> {
  if (typeof dt === "string") {
    if (INTEGER.has(dt)) return { type: "integer" };
    if (NUMBER.has(dt)) return { type: "number" };
    if (dt === "bool") return { type: "boolean" };
    if (dt === "utf8" || dt === "large_utf8") return { type: "string" };
    if (dt === "binary" || dt === "large_binary") return { ...BYTES };
    if (dt === "date32" || dt === "date64") {
      return { type: "string", format: "date-time" };
    }
    if (dt === "null") return { type: "null" };
    return {};
  }
  if ("fixed_binary" in dt) return { ...BYTES };
  if ("ts" in dt) return { type: "string", format: "date-time" };
  if ("list" in dt) return { type: "array", items: elementSchema(dt.list.dt) };
  if ("large_list" in dt) {
    return { type: "array", items: elementSchema(dt.large_list.dt) };
  }
  if ("fixed_list" in dt) {
    return {
      type: "array",
      items: elementSchema(dt.fixed_list.dt),
      minItems: dt.size,
      maxItems: dt.size,
    };
  }
  if ("struct" in dt) {
    return {
      type: "object",
      properties: Object.fromEntries(
        dt.struct.map((f) => [f.name, elementSchema(f.dt)]),
      ),
    };
  }
  return {};
}

/** The schema of Foxglove's `foxglove.RawImage` (JSON encoding). */
export const RAW_IMAGE_SCHEMA = {
  title: "foxglove.RawImage",
  description: "A raw image",
  type: "object",
  properties: {
    timestamp: {
      type: "object",
      title: "time",
      properties: {
        sec: { type: "integer", minimum: 0 },
        nsec: { type: "integer", minimum: 0, maximum: 999999999 },
      },
    },
    frame_id: { type: "string" },
    width: { type: "integer" },
    height: { type: "integer" },
    encoding: { type: "string" },
    step: { type: "integer" },
    data: { type: "string", contentEncoding: "base64" },
  },
};

/** Whether a struct type is an image: fields width, height, encoding, data. */
export function isImageType(dt: DataTypeSpec | undefined): boolean {
  if (!dt || typeof dt === "string" || !("struct" in dt)) return false;
  const names = new Set(dt.struct.map((f) => f.name));
  return ["width", "height", "encoding", "data"].every((n) => names.has(n));
}

/** Whether a type annotation names the type library's Image. */
export function isImageAnnotation(type: string | null | undefined): boolean {
  return !!type && /^std\/media\/v\d+\/Image(\[|$)/.test(type);
}

/** The generic envelope, for outputs whose type is not known yet. */
export const ANY_VALUE: ChannelEncoding = {
  schemaName: "dora.Value",
  schema: {
    title: "dora.Value",
    description:
      "a dora message: the elements of its Arrow array (its type was not known when the channel was advertised)",
    type: "object",
    properties: { data: { type: "array" } },
  },
  kind: "value",
};

/**
 * How a channel is encoded, from its type annotation and the data layout
 * of a message seen on it (either may be missing).
 */
export function channelEncoding(
  annotation: string | null | undefined,
  layout: DataLayout | undefined,
): ChannelEncoding {
  if (isImageAnnotation(annotation) || isImageType(layout?.dt)) {
    return {
      schemaName: "foxglove.RawImage",
      schema: RAW_IMAGE_SCHEMA,
      kind: "image",
    };
  }
  if (!layout) return ANY_VALUE;
  if (layout.dt === "u8") {
    return {
      schemaName: "dora.Bytes",
      schema: {
        title: "dora.Bytes",
        description: "a dora message of raw bytes (a u8 array), base64",
        type: "object",
        properties: { data: { ...BYTES } },
      },
      kind: "bytes",
    };
  }
  return {
    schemaName: "dora.Value",
    schema: {
      title: "dora.Value",
      description: `a dora message: an Arrow array of ${
        JSON.stringify(layout.dt)
      }`,
      type: "object",
      properties: {
        data: { type: "array", items: elementSchema(layout.dt) },
      },
    },
    kind: "value",
  };
}

/** One decoded element as JSON for Foxglove (bytes as base64). */
export function jsonValue(v: unknown): unknown {
  return toPlain(v, "base64");
}

const BYTES_PER_PIXEL: Record<string, number> = {
  rgb8: 3,
  bgr8: 3,
  rgba8: 4,
  bgra8: 4,
  mono8: 1,
  "8UC1": 1,
  "8UC3": 3,
  mono16: 2,
  "16UC1": 2,
  yuv422: 2,
  uyvy: 2,
  yuyv: 2,
  nv12: 1,
};

const encoder = new TextEncoder();

/**
 * The JSON bytes of one message on a channel of `kind`, from its layout
 * and whole payload; `frameId` and `tsNs` fill an image's header.
 */
export function encodeMessage(
  kind: ChannelEncoding["kind"],
  layout: DataLayout | undefined,
  payload: Uint8Array,
  frameId: string,
  tsNs: bigint,
): Uint8Array {
  if (!layout) return encoder.encode('{"data":[]}');
  const vector = decodeValue(layout, payload);
  if (kind === "bytes" && layout.dt === "u8") {
    const bytes = vector.toArray() as Uint8Array;
    return encoder.encode(`{"data":"${bytes.toBase64()}"}`);
  }
  if (kind === "image" && vector.length > 0) {
    const row = jsonValue(vector.get(0)) as Record<string, unknown> | null;
    if (row && typeof row === "object") {
      const width = Number(row.width ?? 0);
      const encoding = String(row.encoding ?? "");
      const image = {
        timestamp: {
          sec: Number(tsNs / 1_000_000_000n),
          nsec: Number(tsNs % 1_000_000_000n),
        },
        frame_id: frameId,
        width,
        height: Number(row.height ?? 0),
        encoding,
        step: width * (BYTES_PER_PIXEL[encoding] ?? 1),
        data: typeof row.data === "string" ? row.data : "",
      };
      return encoder.encode(JSON.stringify(image));
    }
  }
  return encoder.encode(JSON.stringify({ data: [...vector].map(jsonValue) }));
}
