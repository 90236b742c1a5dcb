/**
 * Shared-memory payloads for receivers that cannot map regions (`shm: false`:
 * a TypeScript node without FFI, a dynamic node, or a node whose `hello` said
 * `shm: false`): the daemon copies the buffers out of the sender's region
 * into the frame payload, at the same offsets (so the layout `d` stays
 * valid), and the token is released for that receiver at once
 * (docs/protocol.md, "Shared memory"). This is the only place where the
 * daemon reads a region.
 *
 * @module
 */
import type { DataLayout, ShmRef } from "../../message/mod.ts";
import { MAX_FRAME_LEN } from "../../message/mod.ts";
import { libc, ShmRegion } from "../../shm/mod.ts";

/** Bytes of the region that the layout's buffers reach (0 without data). */
export function layoutExtent(d: DataLayout | undefined): number {
  if (!d) return 0;
  let end = 0;
  for (const b of d.bufs ?? []) {
    if (Array.isArray(b) && b[1] > 0) end = Math.max(end, b[0] + b[1]);
  }
  for (const c of d.ch ?? []) end = Math.max(end, layoutExtent(c));
  return end;
}

/** Read-only mappings of regions, kept while the dataflow runs. */
export class InlineCopier {
  #maps = new Map<string, ShmRegion>();

  /**
   * A copy of the bytes of `ref`'s region that layout `d` refers to, or
   * `null` when there are none. Throws with a message naming the region
   * when it cannot be read.
   */
  copy(
    ref: ShmRef,
    d: DataLayout | undefined,
    /** Copy at most this many bytes (the message tap's `maxBytes`). */
    limit = Infinity,
  ): Uint8Array | null {
    const extent = Math.min(layoutExtent(d), limit);
    if (extent === 0) return null;
    if (extent > ref.size) {
      throw new Error(
        `its layout reaches byte ${extent} of shared-memory region ${ref.name}, which has ${ref.size} bytes`,
      );
    }
    if (extent > MAX_FRAME_LEN - 64 * 1024) {
      throw new Error(
        `${extent} bytes in shared-memory region ${ref.name} do not fit in a socket frame (64 MiB)`,
      );
    }
    const c = libc();
    if (!c) return readFile(ref.name, extent);
    let region = this.#maps.get(ref.name);
    if (!region || region.size < ref.size) {
      region?.unmap();
      this.#maps.delete(ref.name);
      try {
        region = ShmRegion.open(c, ref.name, ref.size);
      } catch (e) {
        throw new Error(
          `cannot read shared-memory region ${ref.name}: ${
            (e as Error).message
          }`,
        );
      }
      this.#maps.set(ref.name, region);
    }
    return new Uint8Array(region.buffer, 0, extent).slice();
  }

  /** Unmaps every region (no view of them ever leaves `copy`). */
  close(): void {
    for (const r of this.#maps.values()) r.unmap();
    this.#maps.clear();
  }
}

/** Without FFI: read `/dev/shm/<name>` as a file. */
function readFile(name: string, extent: number): Uint8Array {
  const out = new Uint8Array(extent);
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(`/dev/shm${name.startsWith("/") ? "" : "/"}${name}`);
    let off = 0;
    while (off < extent) {
      const n = file.readSync(out.subarray(off));
      if (n === null) throw new Error("the region is shorter than its layout");
      off += n;
    }
    return out;
  } catch (e) {
    throw new Error(
      `cannot read shared-memory region ${name}: ${(e as Error).message}`,
    );
  } finally {
    file?.close();
  }
}
