/**
 * The sender's pool of pre-faulted shared-memory regions, in power-of-two
 * size classes. A region is lent out under a token with every message that
 * uses it and comes back when the daemon relays `release` for that token.
 * Regions are never unmapped or truncated while lent (that would crash the
 * readers), and never created per message (58 ms for 40 MB vs 0.27 ms reused).
 *
 * @module
 */
import type { ShmCalls } from "./shm_calls.ts";
import { ShmError, ShmRegion } from "./region.ts";
export { regionPrefix } from "./region_name.ts";

/** Smallest region size (64 KiB). */
export const MIN_REGION = 64 * 1024;

/** A region owned by the pool. */
export interface PooledRegion {
  readonly region: ShmRegion;
  /** The whole region, writable. */
  readonly bytes: Uint8Array;
}

/** Options of {@link ShmPool}. */
export interface ShmPoolOptions {
  /**
   * Region names are `<prefix><pid>-<n>`; see {@link regionPrefix}. The pid
   * keeps a restarted node from reusing a name of its predecessor: receivers
   * cache mappings by name and would keep reading the old region.
   */
  prefix: string;
  /** Tokens are `<tokenPrefix><n>`; unique per node process. */
  tokenPrefix: string;
  /** Most bytes the pool maps in total (default 1 GiB). */
  maxBytes?: number;
  /**
   * Regions per size class before `acquire` prefers the socket (default 8);
   * `acquire(size, true)` may exceed it (payloads too big for the socket).
   */
  regionsPerSize?: number;
  /** Called for each new region (send `shm_new`). */
  onCreate?: (name: string, size: number) => void;
  /** Called once per failure kind when the pool falls back to the socket. */
  warn?: (message: string) => void;
}

/** The size class for a payload of `size` bytes. */
export function sizeClass(size: number): number {
  let c = MIN_REGION;
  while (c < size) c *= 2;
  return c;
}

/** See the module docs. */
export class ShmPool {
  #c: ShmCalls;
  #opts: ShmPoolOptions;
  #free = new Map<number, PooledRegion[]>();
  #counts = new Map<number, number>();
  #lent = new Map<string, PooledRegion>();
  #all: PooledRegion[] = [];
  #mapped = 0;
  #nextName = 0;
  #nextToken = 0;
  #warned = new Set<string>();
  #disabled = false;

  /** Creates an empty pool; regions are made on demand. */
  constructor(c: ShmCalls, opts: ShmPoolOptions) {
    this.#c = c;
    this.#opts = opts;
  }

  /** Bytes currently mapped by the pool. */
  get mappedBytes(): number {
    return this.#mapped;
  }

  /** Number of regions lent out (awaiting `release`). */
  get lentCount(): number {
    return this.#lent.size;
  }

  /** Every region of the pool (for the daemon-side bookkeeping in tests). */
  get regions(): readonly PooledRegion[] {
    return this.#all;
  }

  #warn(kind: string, message: string): void {
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    this.#opts.warn?.(message);
  }

  /**
   * A free region of at least `size` bytes (reused, or created and
   * pre-faulted), or `null` when the message should go through the socket:
   * every region of that size is lent out (unless `mustFit`), the pool's
   * byte budget is spent, /dev/shm is full, or the process is out of fds.
   */
  acquire(size: number, mustFit = false): PooledRegion | null {
    if (this.#disabled) return null;
    const cls = sizeClass(size);
    const free = this.#free.get(cls);
    if (free?.length) return free.pop()!;
    // A new region costs ~4 µs per page to fault in: past a few per size, the
    // socket is cheaper than growing (unless the payload cannot go there).
    const count = this.#counts.get(cls) ?? 0;
    if (!mustFit && count >= (this.#opts.regionsPerSize ?? 8)) return null;
    const max = this.#opts.maxBytes ?? 1 << 30;
    if (this.#mapped + cls > max) {
      this.#warn(
        "full",
        `shared-memory pool is full (${this.#mapped} of ${max} bytes lent out); sending through the socket until regions are released`,
      );
      return null;
    }
    for (let attempt = 0; attempt < 1000; attempt++) {
      const name = `${this.#opts.prefix}${Deno.pid}-${this.#nextName++}`;
      try {
        const region = ShmRegion.create(this.#c, name, cls);
        const pooled = { region, bytes: new Uint8Array(region.buffer) };
        this.#all.push(pooled);
        this.#mapped += cls;
        this.#counts.set(cls, count + 1);
        this.#opts.onCreate?.(name, cls);
        return pooled;
      } catch (e) {
        if (e instanceof ShmError && e.code === "EEXIST") continue;
        const code = e instanceof ShmError ? e.code : "error";
        // These will not go away: stop trying.
        if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
          this.#disabled = true;
        }
        this.#warn(
          code,
          `cannot create shared memory (${
            (e as Error).message
          }); sending through the socket instead`,
        );
        return null;
      }
    }
    return null;
  }

  /** Returns an acquired region that was not sent. */
  putBack(p: PooledRegion): void {
    const list = this.#free.get(p.region.size) ?? [];
    list.push(p);
    this.#free.set(p.region.size, list);
  }

  /** Marks an acquired region as in flight; returns the token that will release it. */
  lend(p: PooledRegion): string {
    const token = `${this.#opts.tokenPrefix}${this.#nextToken++}`;
    this.#lent.set(token, p);
    return token;
  }

  /** Takes back the regions of released tokens (unknown tokens are ignored). */
  release(tokens: readonly string[]): void {
    for (const t of tokens) {
      const p = this.#lent.get(t);
      if (!p) continue;
      this.#lent.delete(t);
      this.putBack(p);
    }
  }
}
