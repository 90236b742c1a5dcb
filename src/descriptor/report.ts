/** Printing diagnostics for people (one line each) and for scripts (JSON). @module */
import { type Diagnostic, formatDiagnostic } from "./diagnostic.ts";

/** Counts errors and warnings: `2 errors, 1 warning`. */
export function summarize(list: Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === "error").length;
  const warnings = list.filter((d) => d.severity === "warning").length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  return [
    errors ? plural(errors, "error") : "",
    warnings ? plural(warnings, "warning") : "",
  ].filter(Boolean).join(", ") || "no problems";
}

/** Writes each diagnostic as `file:line:column: message` to stderr. */
export function printDiagnostics(list: Diagnostic[]): void {
  if (list.length === 0) return;
  const text = list.map(formatDiagnostic).join("\n") + "\n";
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}
