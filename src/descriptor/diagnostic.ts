/**
 * Problems found in a descriptor, each with the file and position it points at.
 *
 * @module
 */

/** One problem found in a descriptor, with its position (1-based; line 0: none). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  /** Notes (e.g. inferred types) inform and never fail anything. */
  severity: "error" | "warning" | "note";
  /** A stable name of the check, e.g. `types/edge`, for scripts. */
  code?: string;
}

/** The descriptor has errors; `diagnostics` lists every one (and the warnings). */
export class DescriptorError extends Error {
  diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super(`invalid dataflow: ${errors} error${errors === 1 ? "" : "s"}`);
    this.name = "DescriptorError";
    this.diagnostics = diagnostics;
  }
}

/**
 * Formats a diagnostic as `file:line:column: message` (warnings get a
 * `warning: ` prefix after the position); `file: message` when its line is 0
 * (a document without a file, such as the current graph of a running
 * dataflow).
 *
 * @example
 * ```ts
 * formatDiagnostic({ file: "a.yml", line: 6, column: 5, message: "oops", severity: "error" });
 * // "a.yml:6:5: oops"
 * ```
 */
export function formatDiagnostic(d: Diagnostic): string {
  // Line 0: about a whole document that has no file to point into.
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${
    d.severity === "error" ? "" : `${d.severity}: `
  }${d.message}`;
}

/** Sorts diagnostics by file, line and column (stable for equal positions). */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) =>
      a.d.file.localeCompare(b.d.file) || a.d.line - b.d.line ||
      a.d.column - b.d.column || a.i - b.i
    )
    .map(({ d }) => d);
}
