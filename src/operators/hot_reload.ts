/**
 * Hot reload (`--hot-reload`): watches the files of Python and TypeScript
 * operators and reports each change once (editors save in bursts, or by
 * writing a new file and renaming it over the old one, so the folder is
 * watched and changes are debounced).
 *
 * @module
 */

/** One watched operator file. */
export interface WatchedOperator {
  node: string;
  operator: string;
  /** Absolute path. */
  file: string;
}

/** Watches operator files until closed. */
export class OperatorWatcher {
  #watchers: Deno.FsWatcher[] = [];
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #closed = false;

  /**
   * Starts watching `targets`; `onChange` runs once per burst of changes to
   * a file, `debounceMs` after the last one.
   */
  constructor(
    targets: WatchedOperator[],
    onChange: (target: WatchedOperator) => void,
    debounceMs = 150,
  ) {
    const byDir = new Map<string, WatchedOperator[]>();
    for (const t of targets) {
      const dir = t.file.slice(0, t.file.lastIndexOf("/")) || "/";
      byDir.set(dir, [...byDir.get(dir) ?? [], t]);
    }
    for (const [dir, list] of byDir) {
      const watcher = Deno.watchFs(dir, { recursive: false });
      this.#watchers.push(watcher);
      (async () => {
        try {
          for await (const event of watcher) {
            if (event.kind === "access") continue;
            for (const t of list) {
              if (!event.paths.includes(t.file)) continue;
              clearTimeout(this.#timers.get(t.file));
              this.#timers.set(
                t.file,
                setTimeout(() => {
                  this.#timers.delete(t.file);
                  if (!this.#closed) onChange(t);
                }, debounceMs),
              );
            }
          }
        } catch {
          // closed
        }
      })();
    }
  }

  /** Stops watching. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#watchers) {
      try {
        w.close();
      } catch {
        // already closed
      }
    }
  }
}
