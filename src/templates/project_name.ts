/**
 * Names `dora new` accepts: ASCII letters, digits, `-` and `_`, starting with
 * a letter and ending with a letter or digit (the name becomes a folder, a
 * node id, a Python module, a Cargo package and a CMake target).
 *
 * @module
 */
import { TemplateError } from "./template_error.ts";

const CARGO_RESERVED = new Set(["build", "deps", "examples", "incremental"]);

/**
 * Checks `name` for a project of `kind`.
 *
 * @throws {TemplateError} (`problem: "name"`) saying what is wrong.
 */
export function checkProjectName(kind: string, name: string): void {
  const fail = (why: string): never => {
    throw new TemplateError("name", `invalid ${kind} name "${name}": ${why}`);
  };
  if (name === "") fail("it is empty");
  const bad = [...name].find((c) => !/[A-Za-z0-9_-]/.test(c));
  if (bad !== undefined) {
    fail(`"${bad}" is not allowed (only ASCII letters, digits, - and _)`);
  }
  if (!/^[A-Za-z]/.test(name)) fail("it must start with a letter");
  if (!/[A-Za-z0-9]$/.test(name)) fail("it must end with a letter or digit");
  if (CARGO_RESERVED.has(name)) fail("Cargo reserves this name");
  if (name === "dora") fail("`dora` is reserved for the runtime's own ids");
}

/** `name` as an identifier: `my-node` → `my_node`. */
export function snakeName(name: string): string {
  return name.replaceAll("-", "_");
}
