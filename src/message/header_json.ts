/**
 * `JSON.stringify` of an `output` (or `input`) header, built as a string for the common
 * shape (no parameters, a flat layout): the sender's part of the latency
 * path. After the process slept, serialising nested objects costs several
 * microseconds; this is a few string concatenations. Other shapes use
 * `JSON.stringify`. The text is the same either way.
 *
 * @module
 */
import type { ShmRef } from "./header.ts";
import type { DataLayout } from "./layout_types.ts";
import type { WireMetadata } from "./metadata.ts";

/** The compact JSON of `{t: "output", o, m, d?, shm?}` (`idJson` is `JSON.stringify(o)`). */
export function outputHeaderJson(
  idJson: string,
  m: WireMetadata,
  d?: DataLayout,
  shm?: ShmRef,
): string {
  return messageHeaderJson("output", "o", idJson, m, d, shm);
}

/**
 * The compact JSON of `{t: "input", id, m, d?, shm?}` (`idJson` is
 * `JSON.stringify(id)`): what a sender writes on a link.
 */
export function inputHeaderJson(
  idJson: string,
  m: WireMetadata,
  d?: DataLayout,
  shm?: ShmRef,
): string {
  return messageHeaderJson("input", "id", idJson, m, d, shm);
}

function messageHeaderJson(
  t: "output" | "input",
  key: "o" | "id",
  idJson: string,
  m: WireMetadata,
  d?: DataLayout,
  shm?: ShmRef,
): string {
  const dJson = d === undefined ? "" : flatLayoutJson(d);
  if (m.p !== undefined || dJson === undefined) {
    const header: Record<string, unknown> = { t, [key]: JSON.parse(idJson), m };
    if (d !== undefined) header.d = d;
    if (shm !== undefined) header.shm = shm;
    return JSON.stringify(header);
  }
  let json = `{"t":"${t}","${key}":${idJson},"m":{"ts":${
    JSON.stringify(m.ts)
  }}`;
  if (d !== undefined) json += `,"d":${dJson}`;
  if (shm !== undefined) {
    json += `,"shm":{"name":${JSON.stringify(shm.name)},"size":${
      JSON.stringify(shm.size)
    },"token":${JSON.stringify(shm.token)}}`;
  }
  return json + "}";
}

/** The JSON of a layout with a simple type and no children, else undefined. */
function flatLayoutJson(d: DataLayout): string | undefined {
  if (typeof d.dt !== "string" || d.ch.length !== 0) return undefined;
  let bufs = "";
  for (let i = 0; i < d.bufs.length; i++) {
    const b = d.bufs[i];
    if (i > 0) bufs += ",";
    bufs += b === null ? "null" : `[${b[0]},${b[1]}]`;
  }
  return `{"dt":${
    JSON.stringify(d.dt)
  },"len":${d.len},"nulls":${d.nulls},"off":${d.off},"bufs":[${bufs}],"ch":[]}`;
}
