/**
 * {@link ShmCalls} through dora's library (`dora_shm.c`), for a node whose
 * FFI is limited to that file. Deno refuses such a node pointer reads, so a
 * region is mapped over the memory of a `WebAssembly.Memory` (page-aligned,
 * already an ArrayBuffer) instead of being handed over as a pointer.
 *
 * @module
 */
import { errnoName } from "./libc.ts";
import type { Mapping, ShmCalls } from "./shm_calls.ts";
import { ShmError, ShmSizeError } from "./shm_errors.ts";

const SYMBOLS = {
  dora_shm_create: { parameters: ["buffer", "buffer", "u64"], result: "i64" },
  dora_shm_size: { parameters: ["buffer"], result: "i64" },
  dora_shm_map: { parameters: ["buffer", "buffer", "u64"], result: "i64" },
  dora_shm_unlink: { parameters: ["buffer"], result: "i32" },
  dora_shm_release: { parameters: ["buffer", "u64"], result: "i32" },
  dora_die_with_parent: { parameters: [], result: "i32" },
  dora_lower_priority: { parameters: ["i32"], result: "i32" },
  dora_yield: { parameters: [], result: "i32" },
} as const;

/** WebAssembly pages are 64 KiB; a memory has at most 65536 of them. */
const WASM_PAGE = 65536;
const MAX_PAGES = 65536;

/** What failed, by the library's step number. */
const STEPS: Record<number, string> = {
  1: "region name",
  2: "shm_open",
  3: "posix_fallocate",
  4: "mmap",
  5: "size",
  6: "mapping target",
};

const encoder = new TextEncoder();

function cName(name: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(name + "\0");
}

/**
 * The library's error for `name`: `-(step << 16 | errno)`; `size` shown for
 * sizing and mapping, as libc's messages do.
 */
function failure(name: string, code: number | bigint, size?: number): ShmError {
  const n = -Number(code);
  const step = STEPS[n >> 16] ?? "call";
  if (n >> 16 === 1) {
    return new ShmError(
      `region name ${
        JSON.stringify(name)
      } refused (not of the form /dora-<dataflow>-<node>-<pid>-<n>)`,
      "EINVAL",
    );
  }
  const what = (n >> 16 === 3 || n >> 16 === 4) && size !== undefined
    ? `${name}, ${size}`
    : name;
  return new ShmError(`${step}(${what})`, errnoName(n & 0xffff));
}

/** Zeroed, page-aligned memory of at least `size` bytes. */
function memory(name: string, size: number): WebAssembly.Memory {
  const pages = Math.ceil(size / WASM_PAGE);
  if (pages > MAX_PAGES) {
    throw new ShmError(
      `region ${name} of ${size} bytes is over 4 GiB (grant the node \`ffi: true\` for bigger ones)`,
      "EFBIG",
    );
  }
  return new WebAssembly.Memory({ initial: pages, maximum: pages });
}

/**
 * The calls of dora's library at `path`.
 *
 * @throws when it cannot be loaded (no FFI permission for it, not found).
 */
export function libraryCalls(path: string): ShmCalls {
  const lib = Deno.dlopen(path, SYMBOLS).symbols;
  const mapping = (mem: WebAssembly.Memory, size: number): Mapping => {
    let live = true;
    return {
      // Not shared: WebAssembly gives an ArrayBuffer.
      buffer: mem.buffer as ArrayBuffer,
      size,
      release() {
        // Private zero pages again: the memory may be freed like any other.
        if (live) lib.dora_shm_release(mem.buffer, BigInt(size));
        live = false;
      },
    };
  };
  return {
    source: path,
    create(name, size) {
      const mem = memory(name, size);
      const r = lib.dora_shm_create(cName(name), mem.buffer, BigInt(size));
      if (r < 0) throw failure(name, r, size);
      return mapping(mem, size);
    },
    open(name, claimed) {
      const real = Number(lib.dora_shm_size(cName(name)));
      if (real < 0) throw failure(name, real);
      if (real < claimed || real === 0) {
        throw new ShmSizeError(name, real, claimed);
      }
      const mem = memory(name, real);
      const r = lib.dora_shm_map(cName(name), mem.buffer, BigInt(real));
      if (r < 0) {
        // Shrunk since it was sized: say how big it is now.
        if (-Number(r) >> 16 === 5) {
          const now = Math.max(0, Number(lib.dora_shm_size(cName(name))));
          throw new ShmSizeError(name, now, claimed);
        }
        throw failure(name, r, real);
      }
      return mapping(mem, real);
    },
    unlink(name) {
      lib.dora_shm_unlink(cName(name));
    },
    dieWithParent() {
      return lib.dora_die_with_parent() === 0;
    },
    lowerPriority(nice) {
      return lib.dora_lower_priority(nice) === 0;
    },
    yieldCpu() {
      lib.dora_yield();
    },
  };
}
