/**
 * One POSIX shared-memory region mapped into this process.
 *
 * @module
 */
import {
  errno,
  errnoName,
  type Libc,
  MAP_SHARED,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
  SEEK_END,
} from "./libc.ts";

/**
 * A region is smaller than a message says (a truncated region, or a sender
 * that lies about its size): mapping it would kill the reader with SIGBUS on
 * the first byte past its end, so it is refused.
 */
export class ShmSizeError extends Error {
  /** Creates the error. */
  constructor(name: string, real: number, claimed: number) {
    super(
      `shared-memory region ${name} has ${real} bytes, but the message says ${claimed}`,
    );
    this.name = "ShmSizeError";
  }
}

/** A libc call failed; `code` is the errno name (`ENOSPC`, `EMFILE`, `EEXIST`, …). */
export class ShmError extends Error {
  /** errno name, e.g. `ENOSPC`. */
  readonly code: string;
  /** Creates the error. */
  constructor(message: string, code: string) {
    super(`${message}: ${code}`);
    this.name = "ShmError";
    this.code = code;
  }
}

const encoder = new TextEncoder();
const MAP_FAILED = 0xffffffffffffffffn;

function cName(name: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(name + "\0");
}

/**
 * A mapped region. The `buffer` aliases the mapping: it stays valid until
 * {@link ShmRegion.unmap}, after which touching it kills the process
 * (SIGSEGV), so dora never unmaps a region whose views may be in use.
 */
export class ShmRegion {
  /** POSIX name, starting with `/`. */
  readonly name: string;
  /** Mapped size in bytes. */
  readonly size: number;
  /** The mapping as an ArrayBuffer (zero-copy). */
  readonly buffer: ArrayBuffer;
  /** Whether this process may write it. */
  readonly writable: boolean;
  #c: Libc;
  #ptr: Deno.PointerValue;

  private constructor(
    c: Libc,
    name: string,
    size: number,
    ptr: Deno.PointerObject,
    writable: boolean,
  ) {
    this.#c = c;
    this.name = name;
    this.size = size;
    this.#ptr = ptr;
    this.writable = writable;
    this.buffer = Deno.UnsafePointerView.getArrayBuffer(ptr, size);
  }

  /**
   * Creates a new region (fails with `EEXIST` if the name is taken), reserves
   * its memory (so a full /dev/shm fails here with `ENOSPC` instead of a
   * SIGBUS later) and pre-faults it.
   */
  static create(c: Libc, name: string, size: number): ShmRegion {
    const fd = c.shm_open(cName(name), O_CREAT | O_EXCL | O_RDWR, 0o600);
    if (fd < 0) throw new ShmError(`shm_open(${name})`, errnoName(errno(c)));
    try {
      const err = c.posix_fallocate(fd, 0n, BigInt(size));
      if (err !== 0) {
        throw new ShmError(`posix_fallocate(${name}, ${size})`, errnoName(err));
      }
      const ptr = c.mmap(
        null,
        BigInt(size),
        PROT_READ | PROT_WRITE,
        MAP_SHARED,
        fd,
        0n,
      );
      if (!ptr || Deno.UnsafePointer.value(ptr) === MAP_FAILED) {
        throw new ShmError(`mmap(${name}, ${size})`, errnoName(errno(c)));
      }
      const region = new ShmRegion(c, name, size, ptr, true);
      // Fault every page in now, not on the first message.
      new Uint8Array(region.buffer).fill(0);
      return region;
    } catch (e) {
      c.shm_unlink(cName(name));
      throw e;
    } finally {
      c.close(fd);
    }
  }

  /**
   * Maps an existing region read-only (receivers: writing through it
   * crashes), all of it as it is now. Throws {@link ShmSizeError} when it is
   * smaller than `size`, the size the message claims: its real size is
   * taken from the open descriptor, so what is mapped is what exists.
   */
  static open(c: Libc, name: string, size: number): ShmRegion {
    const fd = c.shm_open(cName(name), O_RDONLY, 0);
    if (fd < 0) throw new ShmError(`shm_open(${name})`, errnoName(errno(c)));
    try {
      const end = c.lseek(fd, 0n, SEEK_END);
      if (end < 0) {
        throw new ShmError(`lseek(${name})`, errnoName(errno(c)));
      }
      const real = Number(end);
      if (real < size || real === 0) throw new ShmSizeError(name, real, size);
      const ptr = c.mmap(null, BigInt(real), PROT_READ, MAP_SHARED, fd, 0n);
      if (!ptr || Deno.UnsafePointer.value(ptr) === MAP_FAILED) {
        throw new ShmError(`mmap(${name}, ${real})`, errnoName(errno(c)));
      }
      return new ShmRegion(c, name, real, ptr, false);
    } finally {
      c.close(fd);
    }
  }

  /** Removes the name (existing mappings stay valid). */
  unlink(): void {
    this.#c.shm_unlink(cName(this.name));
  }

  /** Unmaps. Only when no view of {@link buffer} can be touched again. */
  unmap(): void {
    if (this.#ptr) this.#c.munmap(this.#ptr, BigInt(this.size));
    this.#ptr = null;
  }
}
