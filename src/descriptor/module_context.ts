/**
 * One module instance: its ports, the parent's wiring and what it imposes on
 * its inner nodes (params, env, deploy, build, rebased paths).
 *
 * @module
 */
import { isAbsolute, join, normalize, relative } from "node:path";
import type { Diagnostic } from "./diagnostic.ts";
import { nodeKind, type Origin, sourceText } from "./flat.ts";
import { isInside, isSpecialPath } from "./module_paths.ts";
import { substituteParams } from "./params.ts";
import type { RawInput, RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";

/** Where {@linkcode ModuleContext.apply} reports path problems. */
export interface ExpansionReport {
  readonly diagnostics: Diagnostic[];
  /** Nodes whose path was already reported (not checked on disk). */
  readonly badPaths: Set<string>;
}

/** The ports, wiring and params of one module instance. */
export class ModuleContext {
  readonly name: string;
  readonly ports: string[];
  readonly #o: ConstructorParameters<typeof ModuleContext>[0];

  constructor(o: {
    name: string;
    moduleId: string;
    ports: string[];
    optional: string[];
    wired: Record<string, RawInput>;
    wiredOrigins: Record<string, Origin>;
    params: Record<string, string>;
    env?: RawNode["env"];
    deploy?: RawNode["deploy"];
    build?: string;
    moduleDir: string;
    baseDir: string;
  }) {
    this.name = o.name;
    this.ports = o.ports;
    this.#o = o;
  }

  /** What `_mod/<port>` becomes for an inner input written as `value`. */
  port(
    port: string,
    value: RawInput,
  ): "undeclared" | "unwired" | { value: RawInput; origin: Origin } {
    if (!this.ports.includes(port)) return "undeclared";
    if (!Object.hasOwn(this.#o.wired, port)) return "unwired";
    const wired = this.#o.wired[port]!;
    const source = sourceText(wired)!;
    let merged: RawInput;
    if (typeof value === "string") merged = wired;
    else if (typeof wired === "string") merged = { ...value, source };
    else merged = { ...wired, ...value, source };
    return { value: merged, origin: this.#o.wiredOrigins[port]! };
  }

  /** Applies params, env, deploy, build and path rebasing to an inner node. */
  apply(
    raw: RawNode,
    src: SourceFile,
    path: YamlPath,
    report: ExpansionReport,
  ): void {
    const o = this.#o;
    const params = o.params;
    const sub = (s: string) => substituteParams(s, params);
    if (raw.args !== undefined) raw.args = sub(raw.args);
    const env: NonNullable<RawNode["env"]> = { ...o.env ?? {} };
    for (const [k, v] of Object.entries(params)) {
      env[`PARAM_${k.toUpperCase()}`] = v;
    }
    for (const [k, v] of Object.entries(raw.env ?? {})) {
      env[k] = typeof v === "string" ? sub(v) : v;
    }
    if (Object.keys(env).length) raw.env = env;
    if (
      raw.deploy === undefined && raw._unstable_deploy === undefined && o.deploy
    ) {
      raw.deploy = o.deploy;
    }
    const kind = nodeKind(raw);
    if (o.build && (kind === "path" || kind === "module")) {
      raw.build = raw.build ? `${o.build}\n${raw.build}` : o.build;
    }
    const rebase = (p: string, field: (string | number)[]) => {
      if (isSpecialPath(p) || isAbsolute(p)) return p;
      const abs = normalize(join(o.moduleDir, p));
      if (!isInside(o.baseDir, abs)) {
        report.diagnostics.push(src.at(
          [...path, ...field],
          `path "${p}" of node "${raw.id}" resolves outside the dataflow's folder`,
        ));
        report.badPaths.add(raw.id);
        return p;
      }
      return relative(o.baseDir, abs) || ".";
    };
    if (raw.path !== undefined) raw.path = rebase(raw.path, ["path"]);
    const rebaseOp = (
      op: NonNullable<RawNode["operator"]>,
      field: (string | number)[],
    ) => {
      const copy = { ...op };
      if (typeof copy.python === "string") {
        copy.python = rebase(copy.python, [...field, "python"]);
      } else if (copy.python) {
        copy.python = {
          ...copy.python,
          source: rebase(copy.python.source, [...field, "python", "source"]),
        };
      }
      if (copy["shared-library"]) {
        copy["shared-library"] = rebase(copy["shared-library"], [
          ...field,
          "shared-library",
        ]);
      }
      if (copy.wasm) copy.wasm = rebase(copy.wasm, [...field, "wasm"]);
      if (o.build) {
        copy.build = copy.build ? `${o.build}\n${copy.build}` : o.build;
      }
      return copy;
    };
    if (raw.operator) raw.operator = rebaseOp(raw.operator, ["operator"]);
    if (raw.operators) {
      raw.operators = raw.operators.map((op, i) => ({
        ...rebaseOp(op, ["operators", i]),
        id: op.id,
      }));
    }
  }
}
