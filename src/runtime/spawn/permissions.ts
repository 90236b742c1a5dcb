/**
 * Deno permission flags for TypeScript nodes: least privilege by default
 * (read of the node's folder and the node API, the daemon socket, env, FFI
 * limited to dora's shared-memory library), widened or narrowed by the node's
 * `permissions:` field.
 *
 * @module
 */
import type { PermissionName, Permissions } from "../../descriptor/model.ts";

/** What every TypeScript node gets unless its `permissions:` say otherwise. */
export interface PermissionContext {
  /** Folder of the node's script. */
  nodeDir: string;
  /** Folders the node API lives in (read access for its sources). */
  apiDirs: string[];
  /** The daemon's Unix socket. */
  socketPath: string;
  /** Link sockets of direct delivery (its own, its senders'): always granted. */
  linkSockets?: string[];
  /** Where relative paths in `permissions:` lists are resolved. */
  workingDir: string;
  /**
   * dora's shared-memory library: the only FFI a node gets by default (none,
   * and no shared memory, without it).
   */
  shmLibrary?: string;
}

/** The resulting flags and whether the node may use shared memory. */
export interface PermissionFlags {
  flags: string[];
  /** FFI granted (dora's library or more): the node can map shared memory. */
  shm: boolean;
}

/** Variables the node API reads even when `env` is narrowed. */
const RUNTIME_ENV = [
  "DORA_NODE_CONFIG",
  "DORA_RUNTIME_CONFIG",
  "DORA_RUN_PARENT_PID",
  "DORA_SHM_LIBRARY",
  "DORA_ZERO_COPY_THRESHOLD",
  "NO_COLOR",
];

/**
 * Builds `deno run` permission flags for a node (always with `--no-prompt`).
 *
 * @example
 * ```ts
 * permissionFlags({ net: ["example.com:443"] }, ctx).flags;
 * // ["--no-prompt", "--allow-read=…", "--allow-write=SOCK",
 * //  "--allow-net=unix:SOCK,example.com:443", "--allow-env",
 * //  "--allow-ffi=<dora's shared-memory library>"]
 * ```
 */
export function permissionFlags(
  permissions: Permissions | undefined,
  ctx: PermissionContext,
): PermissionFlags {
  const p = permissions ?? {};
  const socks = [ctx.socketPath, ...(ctx.linkSockets ?? [])];
  const resolve = (list: string[]) =>
    list.map((x) =>
      x.startsWith("/") || x.includes(":")
        ? x
        : `${ctx.workingDir}/${x}`.replace(/\/\.$/, "")
    );
  const flags = ["--no-prompt"];
  // The socket needs read + write + net:unix (any two fail): always granted.
  flags.push(
    scoped("read", p.read, socks, [ctx.nodeDir, ...ctx.apiDirs], resolve),
    scoped("write", p.write, socks, [], resolve),
    scoped("net", p.net, socks.map((s) => `unix:${s}`), [], (l) => l),
    scoped("env", p.env, RUNTIME_ENV, true, (l) => l),
  );
  for (const name of ["run", "sys"] as const) {
    const flag = scoped(name, p[name], [], [], resolve);
    if (flag) flags.push(flag);
  }
  // By default only dora's library: no libc, no pointer reads (Deno allows
  // those with unscoped FFI only), so no files or programs through FFI.
  const ffi = p.ffi;
  let libraries: string[] = [];
  if (ffi === true) flags.push("--allow-ffi");
  else if (ffi !== false) {
    libraries = [
      ...(ctx.shmLibrary ? [ctx.shmLibrary] : []),
      ...(Array.isArray(ffi) ? resolve(ffi) : []),
    ];
    if (libraries.length > 0) {
      flags.push(`--allow-ffi=${[...new Set(libraries)].join(",")}`);
    }
  }
  return {
    flags: flags.filter((f) => f !== ""),
    shm: ffi === true || libraries.length > 0,
  };
}

/**
 * One `--allow-<name>` flag: `required` entries always; `defaults` (a list,
 * or `true` for unscoped) unless the user said `false`; the user's list on
 * top; `true` from the user means unscoped.
 */
function scoped(
  name: PermissionName,
  user: boolean | string[] | undefined,
  required: string[],
  defaults: string[] | true,
  resolve: (list: string[]) => string[],
): string {
  if (user === true || (user === undefined && defaults === true)) {
    return `--allow-${name}`;
  }
  const list = [...required];
  if (user !== false && Array.isArray(defaults)) list.push(...defaults);
  if (Array.isArray(user)) list.push(...resolve(user));
  const unique = [...new Set(list)];
  return unique.length > 0 ? `--allow-${name}=${unique.join(",")}` : "";
}

/** A permission violation found in a node's stderr. */
export interface PermissionViolation {
  permission: string;
  target: string;
  line: string;
}

/**
 * Recognises Deno's `NotCapable` error line, e.g.
 * `error: Uncaught (in promise) NotCapable: Requires net access to "1.2.3.4:80", run again with the --allow-net flag`.
 */
export function parsePermissionViolation(
  line: string,
): PermissionViolation | undefined {
  // Deno's own error, or the node API's "permission is missing: …" wrapper.
  const m =
    /(?:NotCapable: |permission is missing: )Requires (\w+) access(?: to (.+?))?, (?:run again|specify)/
      .exec(line);
  if (!m) return undefined;
  return { permission: m[1]!, target: m[2] ?? "", line };
}
