/**
 * One POSIX shared-memory region mapped into this process.
 *
 * @module
 */
import type { Mapping, ShmCalls } from "./shm_calls.ts";
export { ShmError, ShmSizeError } from "./shm_errors.ts";

/**
 * A mapped region. The `buffer` aliases the mapping: it stays valid until
 * {@link ShmRegion.unmap}, after which touching it may kill the process
 * (SIGSEGV), so dora never unmaps a region whose views may be in use.
 */
export class ShmRegion {
  /** POSIX name, starting with `/`. */
  readonly name: string;
  /** Mapped size in bytes. */
  readonly size: number;
  /** The mapping as an ArrayBuffer (zero-copy; may be longer than `size`). */
  readonly buffer: ArrayBuffer;
  /** Whether this process may write it. */
  readonly writable: boolean;
  #c: ShmCalls;
  #mapping: Mapping;

  private constructor(
    c: ShmCalls,
    name: string,
    mapping: Mapping,
    writable: boolean,
  ) {
    this.#c = c;
    this.name = name;
    this.size = mapping.size;
    this.buffer = mapping.buffer;
    this.#mapping = mapping;
    this.writable = writable;
  }

  /**
   * Creates a new region (fails with `EEXIST` if the name is taken), reserves
   * its memory (so a full /dev/shm fails here with `ENOSPC` instead of a
   * SIGBUS later) and pre-faults it.
   */
  static create(c: ShmCalls, name: string, size: number): ShmRegion {
    const region = new ShmRegion(c, name, c.create(name, size), true);
    // Fault every page in now, not on the first message.
    new Uint8Array(region.buffer, 0, size).fill(0);
    return region;
  }

  /**
   * Maps an existing region read-only (receivers: writing through it
   * crashes), all of it as it is now. Throws {@link ShmSizeError} when it is
   * smaller than `size`, the size the message claims: its real size is
   * taken from the open descriptor, so what is mapped is what exists.
   */
  static open(c: ShmCalls, name: string, size: number): ShmRegion {
    return new ShmRegion(c, name, c.open(name, size), false);
  }

  /** Removes the name (existing mappings stay valid). */
  unlink(): void {
    this.#c.unlink(this.name);
  }

  /** Unmaps. Only when no view of {@link buffer} can be touched again. */
  unmap(): void {
    this.#mapping.release();
  }
}
