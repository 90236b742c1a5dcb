/**
 * Reading regions as files (`/dev/shm/<name>`) for the runtime, which copies
 * payloads out of regions for receivers that cannot map them and for other
 * machines. A `read` of a file past its end returns fewer bytes, where a
 * mapping would kill the whole runtime with SIGBUS: a sender that lies
 * about its region's size, or truncates it while it is read, gets an error
 * naming it instead of taking the runtime down. Names must have been checked
 * (see region_name.ts) before they get here.
 *
 * @module
 */
import { SHM_DIR } from "./cleanup.ts";
import { ShmSizeError } from "./region.ts";

/** Open region files, kept while their regions are in use. */
export class RegionFiles {
  #files = new Map<string, Deno.FsFile>();

  /**
   * The first `bytes` bytes of region `name` (a copy). Throws
   * {@link ShmSizeError} when the region is smaller, other errors when it
   * cannot be opened.
   */
  read(name: string, bytes: number): Uint8Array {
    const out = new Uint8Array(bytes);
    if (bytes === 0) return out;
    let file = this.#files.get(name);
    if (!file) {
      file = Deno.openSync(`${SHM_DIR}/${name.replace(/^\//, "")}`);
      this.#files.set(name, file);
    }
    const real = file.statSync().size;
    if (real < bytes) throw new ShmSizeError(name, real, bytes);
    file.seekSync(0, Deno.SeekMode.Start);
    let off = 0;
    while (off < bytes) {
      const n = file.readSync(out.subarray(off));
      if (n === null || n === 0) {
        throw new ShmSizeError(name, off, bytes);
      }
      off += n;
    }
    return out;
  }

  /** Closes the files of `names` (their regions were unlinked). */
  forget(names: Iterable<string>): void {
    for (const name of names) {
      this.#files.get(name)?.close();
      this.#files.delete(name);
    }
  }

  /** Closes every file. */
  close(): void {
    for (const f of this.#files.values()) f.close();
    this.#files.clear();
  }
}
