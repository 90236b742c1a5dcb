/**
 * Cells shared by `node list`, `node info` and `top`.
 *
 * @module
 */
import { writeLines } from "../../_output.ts";

/** `12.5` or `-`. */
export function cpuText(cpu: number | null): string {
  return cpu === null ? "-" : cpu.toFixed(1);
}

/** `45.2` or `-`. */
export function memoryText(mb: number | null): string {
  return mb === null ? "-" : mb.toFixed(1);
}

/** `1.23` MB/s or `-`. */
export function rateMbText(mbs: number | null): string {
  return mbs === null ? "-" : mbs.toFixed(2);
}

/** `12 KB`-style network bytes. */
export function netText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** A warning on stderr for daemons that did not answer. */
export function warnUnreachable(daemons: string[]): void {
  if (daemons.length === 0) return;
  writeLines(
    [
      `warning: daemon${daemons.length > 1 ? "s" : ""} ${
        daemons.map((d) => `"${d}"`).join(", ")
      } did not answer; their nodes are missing`,
    ],
    Deno.stderr,
  );
}
