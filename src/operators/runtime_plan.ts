/**
 * How a runtime node is started: which runtime program hosts its operators
 * (Python operators in a Python process, TypeScript and shared-library
 * operators in a Deno process), where its operator files are, whether it
 * needs FFI, and its `DORA_RUNTIME_CONFIG`. Every problem is an
 * {@linkcode OperatorError} naming node, operator and file, before anything
 * starts.
 *
 * @module
 */
import {
  type Dataflow,
  type NodeSpec,
  sharedLibraryFile,
} from "../descriptor/mod.ts";
import { OperatorError } from "./errors.ts";
import { type RuntimeConfig, runtimeConfig } from "./runtime_config.ts";

/** What the spawner needs to start a runtime node. */
export interface RuntimePlan {
  /** The runtime program: `python -m dora._operator_runtime`, or the Deno one. */
  language: "python" | "deno";
  /** Folders of the operator files (read permission of the Deno runtime). */
  readDirs: string[];
  /** Loads native code (shared-library operators): needs FFI. */
  ffi: boolean;
  /** The object for `DORA_RUNTIME_CONFIG`. */
  config: RuntimeConfig;
}

/**
 * Plans runtime node `node` of `dataflow` (files relative to `workingDir`).
 *
 * @throws {OperatorError} for a missing file or an unsupported source.
 */
export function planRuntime(
  dataflow: Dataflow,
  node: NodeSpec,
  workingDir: string,
): RuntimePlan {
  const ops = node.operators ?? [];
  const files = new Map<string, string>();
  let python = false;
  let ffi = false;
  for (const op of ops) {
    const name = `operator "${op.id}" of node "${node.id}"`;
    const { python: py, typescript, sharedLibrary, wasm } = op.source;
    if (wasm !== undefined) {
      throw new OperatorError(`${name}: wasm operators are not supported`);
    }
    if (op.condaEnv !== undefined) {
      throw new OperatorError(
        `${name}: "conda_env" is not supported; start dora from inside the environment instead`,
      );
    }
    const written = py ?? typescript ?? sharedLibrary!;
    if (/^https?:\/\//.test(written)) {
      throw new OperatorError(
        `${name}: URL sources ("${written}") are not supported; download the file first`,
      );
    }
    const file = sharedLibrary !== undefined
      ? sharedLibraryFile(written)
      : written;
    const abs = normalize(
      file.startsWith("/") ? file : `${workingDir}/${file}`,
    );
    if (!isFile(abs)) {
      throw new OperatorError(
        `${name}: ${
          py !== undefined
            ? "python"
            : typescript !== undefined
            ? "typescript"
            : "shared-library"
        } file "${file}" not found (looked for ${abs})${
          op.build
            ? "; it has a `build:` command: `dora run` runs it unless --no-build, `dora build` runs it alone"
            : ""
        }`,
      );
    }
    files.set(op.id, abs);
    if (py !== undefined) python = true;
    if (sharedLibrary !== undefined) ffi = true;
  }
  return {
    language: python ? "python" : "deno",
    readDirs: [...new Set([...files.values()].map(dirOf))],
    ffi,
    config: runtimeConfig(dataflow, node, files),
  };
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}
