/**
 * A module node checked against its module's header (wired ports, param
 * keys) and turned into the {@linkcode ModuleContext} of its inner nodes.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Origin } from "./flat.ts";
import type { LoadedModule } from "./_module_file.ts";
import { ModuleContext } from "./module_context.ts";
import type { RawNode } from "./schema.ts";
import type { SourceFile, YamlPath } from "./source.ts";
import { didYouMean } from "./suggest.ts";

/** Reports a problem at a field of the module node. */
export type ReportAt = (field: (string | number)[], message: string) => void;

/** Reports wiring and param problems of module node `moduleNode`. */
export function checkModuleNode(
  mod: LoadedModule,
  moduleNode: RawNode,
  at: ReportAt,
): void {
  const header = mod.file!.module;
  const wired = moduleNode.inputs ?? {};
  const required = header.inputs ?? [];
  const optional = header.inputs_optional ?? [];
  for (const port of required) {
    if (!Object.hasOwn(wired, port)) {
      at(
        ["inputs"],
        `module node "${moduleNode.id}" does not wire required input "${port}" of module "${header.name}"`,
      );
    }
  }
  for (const port of Object.keys(wired)) {
    if (!required.includes(port) && !optional.includes(port)) {
      at(
        ["inputs", port],
        `module "${header.name}" has no input "${port}" (node "${moduleNode.id}")${
          didYouMean(port, [...required, ...optional])
        }`,
      );
    }
  }
  // Keys become env names PARAM_<KEY>, so they must be distinct upper-cased.
  const upper = new Map<string, string>();
  for (const key of Object.keys(moduleNode.params ?? {})) {
    if (!/^[A-Za-z0-9_]+$/.test(key)) {
      at(
        ["params", key],
        `invalid param key "${key}" in node "${moduleNode.id}": use only letters, digits and "_"`,
      );
    }
    const u = key.toUpperCase();
    if (upper.has(u)) {
      at(
        ["params", key],
        `param keys "${
          upper.get(u)
        }" and "${key}" in node "${moduleNode.id}" both become PARAM_${u}`,
      );
    }
    upper.set(u, key);
  }
}

/** The context of the inner nodes of one instance of `mod`. */
export function moduleContext(
  mod: LoadedModule,
  parent: {
    src: SourceFile;
    path: YamlPath;
    /** The module node, its inputs already rewritten. */
    raw: RawNode;
    inputOrigins: Record<string, Origin>;
  },
  baseDir: string,
): ModuleContext {
  const header = mod.file!.module;
  const moduleNode = parent.raw;
  const wired = moduleNode.inputs ?? {};
  const optional = header.inputs_optional ?? [];
  return new ModuleContext({
    name: header.name,
    moduleId: moduleNode.id,
    ports: [...header.inputs ?? [], ...optional],
    optional,
    wired,
    wiredOrigins: Object.fromEntries(
      Object.keys(wired).map((port) => [
        port,
        Object.hasOwn(parent.inputOrigins, port)
          ? parent.inputOrigins[port]!
          : { src: parent.src, path: [...parent.path, "inputs", port] },
      ]),
    ),
    params: Object.fromEntries(
      Object.entries(moduleNode.params ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    env: moduleNode.env,
    deploy: moduleNode.deploy ?? moduleNode._unstable_deploy,
    build: [mod.file!.build, moduleNode.build].filter((b) => b !== undefined)
      .join("\n") || undefined,
    moduleDir: dirname(mod.src.abs),
    baseDir,
  });
}
