/**
 * Output for people and scripts, each rule once: whether to colour, tables,
 * sizes and ages, and writing whole lines to a stream that may be closed.
 *
 * @module
 */

/** Whether to colour what goes to `stream`: a terminal, and no `NO_COLOR`. */
export function useColor(
  stream: { isTerminal(): boolean } = Deno.stdout,
): boolean {
  return stream.isTerminal() && !Deno.env.get("NO_COLOR");
}

const encoder = new TextEncoder();

/**
 * Writes `lines` (each followed by a newline) to `stream` synchronously, in
 * one piece where possible. A closed stream (a reader that went away) is
 * ignored: printing never takes the caller down.
 */
export function writeLines(
  lines: string[],
  stream: { writeSync(p: Uint8Array): number } = Deno.stdout,
): void {
  if (lines.length > 0) writeText(lines.join("\n") + "\n", stream);
}

/** Writes `text` as it is to `stream`, like {@link writeLines}. */
export function writeText(
  text: string,
  stream: { writeSync(p: Uint8Array): number } = Deno.stdout,
): void {
  const bytes = encoder.encode(text);
  try {
    for (let off = 0; off < bytes.length;) {
      off += stream.writeSync(bytes.subarray(off));
    }
  } catch {
    // the reader went away
  }
}

/** A borderless table for terminals (like `docker ps`). */
export function renderTable(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) =>
    Math.max(...all.map((r) => visibleWidth(r[i] ?? "")))
  );
  return all.map((r) =>
    widths.map((w, i) => {
      const cell = r[i] ?? "";
      return cell + " ".repeat(w - visibleWidth(cell));
    }).join("  ").trimEnd()
  ).join("\n");
}

/** Columns a cell takes on a terminal (colour escapes take none). */
function visibleWidth(text: string): number {
  // deno-lint-ignore no-control-regex
  return [...text.replace(/\x1b\[[0-9;]*m/g, "")].length;
}

/** `12.3 MB`-style sizes; `-` when unknown. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** `3s`, `4m`, `2h`, `5d`: how long ago, rounded down to one unit. */
export function formatAgo(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
