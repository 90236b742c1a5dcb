/** Rules for node ids and data (input/output) ids. @module */

const NODE_ID = /^[A-Za-z0-9_.-]+$/;
const DATA_ID = /^[A-Za-z0-9_./-]+$/;

/** Why `id` is not a valid node id, or undefined when it is. */
export function nodeIdProblem(id: string): string | undefined {
  if (id === "") return "must not be empty";
  if (!NODE_ID.test(id)) {
    const bad = [...id].find((c) => !/[A-Za-z0-9_.-]/.test(c))!;
    return `contains ${
      bad === " " ? "a space" : `"${bad}"`
    } (allowed: letters, digits, "_", "." and "-")`;
  }
  if (id.startsWith(".")) return `must not start with "."`;
  if (id === "dora") return `"dora" is reserved for built-in inputs`;
  return undefined;
}

/** Why `id` is not a valid input or output id, or undefined when it is. */
export function dataIdProblem(id: string): string | undefined {
  if (id === "") return "must not be empty";
  if (!DATA_ID.test(id)) {
    const bad = [...id].find((c) => !/[A-Za-z0-9_./-]/.test(c))!;
    return `contains ${
      bad === " " ? "a space" : `"${bad}"`
    } (allowed: letters, digits, "_", ".", "-" and "/")`;
  }
  if (id.startsWith("/") || id.endsWith("/") || id.includes("//")) {
    return `must not start or end with "/" or contain "//"`;
  }
  return undefined;
}
