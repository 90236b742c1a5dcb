/**
 * User types: `<dataflow folder>/types/<namespace>/.../v<N>.yml` defines the
 * package `<namespace>/.../v<N>`. `std/` is reserved for the standard library.
 *
 * @module
 */
import { join, relative } from "node:path";
import type { Diagnostic } from "../diagnostic.ts";
import { displayName, SourceFile } from "../source.ts";
import { parseTypeFile, type TypePackage } from "./type_file.ts";

/** How deep `types/` is searched. */
const MAX_DEPTH = 8;
/** Largest type file read. */
const MAX_BYTES = 1 << 20;

/** Reads every type file under `<baseDir>/types`; problems go to `diagnostics`. */
export async function loadUserTypes(
  baseDir: string,
  diagnostics: Diagnostic[],
): Promise<TypePackage[]> {
  const root = join(baseDir, "types");
  try {
    if (!(await Deno.stat(root)).isDirectory) return [];
  } catch {
    return [];
  }
  const files: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    const entries: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p, depth + 1);
      else if (e.isFile && /\.ya?ml$/.test(e.name)) files.push(p);
    }
  };
  await walk(root, 0);
  const packages: TypePackage[] = [];
  for (const abs of files) {
    const rel = relative(root, abs);
    const file = displayName(abs);
    const fail = (message: string) =>
      diagnostics.push({
        file,
        line: 1,
        column: 1,
        message,
        severity: "error",
      });
    const parts = rel.split("/");
    const stem = parts.at(-1)!.replace(/\.ya?ml$/, "");
    if (parts[0] === "std") {
      fail(
        `types/std/ is reserved for dora's standard library: a user type cannot shadow std/ (use your own namespace, e.g. types/myproject/${
          parts.slice(1).join("/")
        })`,
      );
      continue;
    }
    if (!/^v\d+$/.test(stem)) {
      fail(
        `a type file is named after its version, v<N>.yml (e.g. types/${
          [...parts.slice(0, -1), "v1.yml"].join("/")
        })`,
      );
      continue;
    }
    if (parts.length < 2) {
      fail(
        `a type file needs a namespace folder: types/<namespace>/${stem}.yml`,
      );
      continue;
    }
    const bad = parts.slice(0, -1).find((s) => !/^[A-Za-z0-9_.-]+$/.test(s));
    if (bad !== undefined) {
      fail(`folder "${bad}" is not a valid namespace (letters, digits, _ . -)`);
      continue;
    }
    let text: string;
    try {
      const info = await Deno.stat(abs);
      if (info.size > MAX_BYTES) {
        fail(`type file is larger than 1 MiB`);
        continue;
      }
      text = await Deno.readTextFile(abs);
    } catch (err) {
      fail(
        err instanceof TypeError
          ? "file is not valid UTF-8 text"
          : `cannot read type file: ${
            err instanceof Error ? err.message : err
          }`,
      );
      continue;
    }
    const pkg = [...parts.slice(0, -1), stem].join("/");
    packages.push(
      parseTypeFile(new SourceFile(file, abs, text), pkg, diagnostics),
    );
  }
  return packages;
}
