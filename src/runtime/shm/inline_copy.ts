/**
 * Shared-memory payloads for receivers that cannot map regions (`shm: false`:
 * a TypeScript node without FFI, a dynamic node, or a node whose `hello` said
 * `shm: false`): the daemon copies the buffers out of the sender's region
 * into the frame payload, at the same offsets (so the layout `d` stays
 * valid), and the token is released for that receiver at once
 * (docs/protocol.md, "Shared memory"). This is the only place where the
 * daemon reads a region, and it reads it as a file, never through a mapping:
 * a region smaller than its reference is an error naming its sender, not a
 * SIGBUS that would take every node down (see shm/region_file.ts).
 *
 * @module
 */
import type { DataLayout, ShmRef } from "../../message/mod.ts";
import { MAX_FRAME_LEN } from "../../message/mod.ts";
import { RegionFiles, ShmSizeError } from "../../shm/mod.ts";

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

/** Copies out of regions; their files are kept open while the dataflow runs. */
export class InlineCopier {
  #files = new RegionFiles();

  /**
   * A copy of the bytes of `ref`'s region that layout `d` refers to (at most
   * the first `maxBytes`), or `null` when there are none. Throws with a
   * message naming the region when it cannot be read.
   */
  copy(
    ref: ShmRef,
    d: DataLayout | undefined,
    maxBytes = Infinity,
  ): Uint8Array | null {
    const extent = Math.min(layoutExtent(d), maxBytes);
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
    return this.read(ref.name, extent);
  }

  /** The first `bytes` bytes of region `name`; errors name the region. */
  read(name: string, bytes: number): Uint8Array {
    try {
      return this.#files.read(name, bytes);
    } catch (e) {
      if (e instanceof ShmSizeError) throw e;
      throw new Error(
        `cannot read shared-memory region ${name}: ${(e as Error).message}`,
      );
    }
  }

  /** Forgets regions that were unlinked (their memory is freed once closed). */
  forget(names: Iterable<string>): void {
    this.#files.forget(names);
  }

  /** Closes every region file. */
  close(): void {
    this.#files.close();
  }
}
