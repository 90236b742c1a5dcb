/**
 * A parsed YAML file that remembers where every value came from, so problems
 * found later can point at `file:line:column`.
 *
 * @module
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseDocument,
  type YAMLError,
} from "yaml";
import type { Diagnostic } from "./diagnostic.ts";

/** A path into a YAML document: mapping keys and sequence indices. */
export type YamlPath = readonly (string | number)[];

/** One YAML file: its display name, its data and a position lookup. */
export class SourceFile {
  /** The name diagnostics show (relative to the working directory when possible). */
  readonly file: string;
  /** Absolute path. */
  readonly abs: string;
  readonly doc: Document.Parsed;
  readonly #lines: LineCounter;
  /** Syntax errors and warnings from the YAML parser. */
  readonly syntax: Diagnostic[];
  /** The plain data (undefined when there are syntax errors). */
  readonly data: unknown;

  constructor(file: string, abs: string, text: string) {
    this.file = file;
    this.abs = abs;
    this.#lines = new LineCounter();
    this.doc = parseDocument(text, {
      lineCounter: this.#lines,
      prettyErrors: false,
      uniqueKeys: true,
      strict: true,
    });
    this.syntax = [
      ...this.doc.errors.map((e) => this.#yamlDiagnostic(e, "error")),
      ...this.doc.warnings.map((e) => this.#yamlDiagnostic(e, "warning")),
    ];
    let data: unknown;
    if (this.doc.errors.length === 0) {
      try {
        data = this.doc.toJS({ maxAliasCount: 1000 });
      } catch (err) {
        this.syntax.push(this.at(
          [],
          `cannot read YAML: ${err instanceof Error ? err.message : err}`,
        ));
      }
    }
    this.data = data;
  }

  #yamlDiagnostic(e: YAMLError, severity: Diagnostic["severity"]): Diagnostic {
    const { line, col } = this.#lines.linePos(e.pos[0]);
    let message = e.message.split("\n")[0]!.replace(
      /\s*at line \d+, column \d+:?$/,
      "",
    );
    if (e.code === "MULTIPLE_DOCS") {
      message =
        "the file holds several YAML documents (---); a dataflow is one";
    }
    return {
      file: this.file,
      line,
      column: col,
      message: `${severity === "error" ? "YAML syntax error" : "YAML"}: ${
        lowerFirst(message)
      }`,
      severity,
    };
  }

  /** Line and column (1-based) of a character offset. */
  position(offset: number): { line: number; column: number } {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * The position of the value at `path` (or of its key when `key` is set).
   * Falls back to the deepest existing ancestor.
   */
  locate(path: YamlPath, key = false): { line: number; column: number } {
    let node: unknown = this.doc.contents;
    let offset = node && (node as YamlNode).range
      ? (node as YamlNode).range![0]
      : 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) =>
          isPair(p) && (isScalar(p.key) ? String(p.key.value) : p.key) ===
            String(seg)
        );
        if (!pair) break;
        const last = i === path.length - 1;
        const keyNode = pair.key as YamlNode | null;
        const valueNode = pair.value as YamlNode | null;
        if (last && key && keyNode?.range) {
          offset = keyNode.range[0];
          break;
        }
        if (valueNode?.range) offset = valueNode.range[0];
        else if (keyNode?.range) offset = keyNode.range[0];
        node = valueNode;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as YamlNode | undefined;
        if (!item) break;
        if (item.range) offset = item.range[0];
        node = item;
      } else break;
    }
    return this.position(offset);
  }

  /** A diagnostic at `path`. */
  at(
    path: YamlPath,
    message: string,
    options: { key?: boolean; severity?: Diagnostic["severity"] } = {},
  ): Diagnostic {
    const { line, column } = this.locate(path, options.key ?? false);
    return {
      file: this.file,
      line,
      column,
      message,
      severity: options.severity ?? "error",
    };
  }
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s)
    ? s[0]!.toLowerCase() + s.slice(1)
    : s;
}

/** A display name for `abs`: relative to the working directory when inside it. */
export function displayName(abs: string): string {
  const cwd = Deno.cwd();
  if (abs.startsWith(cwd + "/")) return abs.slice(cwd.length + 1);
  return abs;
}
