/**
 * Receiver-side cache of read-only mappings, one per region name. Mappings are
 * kept for the life of the process: senders reuse their regions, so mapping
 * once makes every later message on that region free (0.2 µs vs 14 µs+).
 * Nothing here is ever unmapped while the process runs, so a view handed to
 * user code can never point at unmapped memory.
 *
 * @module
 */
import type { ShmCalls } from "./shm_calls.ts";
import { ShmRegion } from "./region.ts";

/** See the module docs. */
export class ShmMappings {
  #c: ShmCalls;
  #maps = new Map<string, { region: ShmRegion; bytes: Uint8Array }>();

  /** Creates an empty cache. */
  constructor(c: ShmCalls) {
    this.#c = c;
  }

  /** Number of cached mappings. */
  get size(): number {
    return this.#maps.size;
  }

  /**
   * The bytes of region `name` (`size` bytes), mapped read-only on first use.
   * Throws `ShmError` when the region cannot be opened.
   */
  bytes(name: string, size: number): Uint8Array {
    let m = this.#maps.get(name);
    if (!m || m.region.size < size) {
      // A bigger size under the same name cannot happen with dora senders,
      // but map afresh rather than read past the end; the old mapping stays.
      const region = ShmRegion.open(this.#c, name, size);
      m = { region, bytes: new Uint8Array(region.buffer) };
      this.#maps.set(name, m);
    }
    return m.bytes.subarray(0, size);
  }
}
