/**
 * The "data layout" `d` of docs/protocol.md: one Arrow array described as raw
 * buffers in a payload.
 *
 * @module
 */

/** A field of a nested type. */
export interface FieldSpec {
  name: string;
  dt: DataTypeSpec;
  nullable: boolean;
}

/** A data type on the wire. */
export type DataTypeSpec =
  | string
  | { fixed_binary: number }
  | { ts: "s" | "ms" | "us" | "ns"; tz: string | null }
  | { list: FieldSpec }
  | { large_list: FieldSpec }
  | { fixed_list: FieldSpec; size: number }
  | { struct: FieldSpec[] };

/** One array: type, length, null count, offset, buffers `[offset, length]` into the payload, children. */
export interface DataLayout {
  dt: DataTypeSpec;
  len: number;
  nulls: number;
  off: number;
  bufs: ([number, number] | null)[];
  ch: DataLayout[];
}
