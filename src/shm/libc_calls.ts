/**
 * {@link ShmCalls} through libc: `shm_open`, `posix_fallocate`, `mmap`, and
 * a pointer view over the mapping (needs unscoped FFI).
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
  PR_SET_PDEATHSIG,
  PROT_READ,
  PROT_WRITE,
  SEEK_END,
  SIGKILL,
} from "./libc.ts";
import type { Mapping, ShmCalls } from "./shm_calls.ts";
import { ShmError, ShmSizeError } from "./shm_errors.ts";

const encoder = new TextEncoder();
const MAP_FAILED = 0xffffffffffffffffn;

function cName(name: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(name + "\0");
}

/** The shared-memory calls of loaded libc `c`. */
export function libcCalls(c: Libc): ShmCalls {
  const mapping = (ptr: Deno.PointerObject, size: number): Mapping => {
    let live: Deno.PointerValue = ptr;
    return {
      buffer: Deno.UnsafePointerView.getArrayBuffer(ptr, size),
      size,
      release() {
        if (live) c.munmap(live, BigInt(size));
        live = null;
      },
    };
  };
  const map = (name: string, fd: number, size: number, prot: number) => {
    const ptr = c.mmap(null, BigInt(size), prot, MAP_SHARED, fd, 0n);
    if (!ptr || Deno.UnsafePointer.value(ptr) === MAP_FAILED) {
      throw new ShmError(`mmap(${name}, ${size})`, errnoName(errno(c)));
    }
    return mapping(ptr, size);
  };
  return {
    source: "libc",
    create(name, size) {
      const fd = c.shm_open(cName(name), O_CREAT | O_EXCL | O_RDWR, 0o600);
      if (fd < 0) throw new ShmError(`shm_open(${name})`, errnoName(errno(c)));
      try {
        const err = c.posix_fallocate(fd, 0n, BigInt(size));
        if (err !== 0) {
          throw new ShmError(
            `posix_fallocate(${name}, ${size})`,
            errnoName(err),
          );
        }
        return map(name, fd, size, PROT_READ | PROT_WRITE);
      } catch (e) {
        c.shm_unlink(cName(name));
        throw e;
      } finally {
        c.close(fd);
      }
    },
    open(name, claimed) {
      const fd = c.shm_open(cName(name), O_RDONLY, 0);
      if (fd < 0) throw new ShmError(`shm_open(${name})`, errnoName(errno(c)));
      try {
        const end = c.lseek(fd, 0n, SEEK_END);
        if (end < 0) throw new ShmError(`lseek(${name})`, errnoName(errno(c)));
        const real = Number(end);
        if (real < claimed || real === 0) {
          throw new ShmSizeError(name, real, claimed);
        }
        return map(name, fd, real, PROT_READ);
      } finally {
        c.close(fd);
      }
    },
    unlink(name) {
      c.shm_unlink(cName(name));
    },
    dieWithParent() {
      return c.prctl(PR_SET_PDEATHSIG, BigInt(SIGKILL), 0n, 0n, 0n) === 0;
    },
    lowerPriority(nice) {
      // PRIO_PROCESS (0), this process (0).
      return c.setpriority(0, 0, nice) === 0;
    },
    yieldCpu() {
      c.sched_yield();
    },
  };
}
