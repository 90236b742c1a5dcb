/**
 * How a node is started: `.ts`/`.js` with `deno run` (permission flags and an
 * import map that resolves `dora`), `.py` with `python3 -u` (the real
 * interpreter when `python3` is a pyenv-style shim), `shell` with
 * `sh -c`, anything else executed directly; always behind
 * `setpriv --pdeathsig SIGKILL` when available so no node outlives its runner.
 *
 * @module
 */
import { isReservedEnv } from "../../descriptor/reserved_env.ts";
import type { Dataflow, NodeSpec } from "../../descriptor/model.ts";
import {
  OperatorError,
  planRuntime,
  type RuntimePlan,
} from "../../operators/mod.ts";
import { permissionFlags } from "./permissions.ts";
import { ShellWordsError, splitShellWords } from "./shell_words.ts";
import { type PythonCache, resolvePython } from "./python_interpreter.ts";
import { shellReason } from "./shell_gate.ts";
import { sourceRoot } from "../../dora_command.ts";
import {
  DEFAULT_ZENOH_ENDPOINT,
  type Endpoint,
  parseEndpoint,
  ZenohConfigError,
} from "../../zenoh/mod.ts";

/** A node that cannot be started; the message names it. */
export class SpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpawnError";
  }
}

/** Everything the spawner needs besides the node itself. */
export interface SpawnContext {
  /** The dataflow's folder: cwd of every node, base of relative paths. */
  workingDir: string;
  socketPath: string;
  /** The generated import map (`dora` → node API). */
  importMapPath: string;
  /** Folders of the node APIs (read access for TypeScript nodes). */
  apiDirs: string[];
  /** Folder to put on PYTHONPATH (contains the `dora` package). */
  pythonPath: string;
  allowShell: boolean;
  /** The uv executable (`--uv`): `.py` nodes run with `uv run python`. */
  uv?: string;
  /** `/usr/bin/setpriv` when present, for PDEATHSIG. */
  setpriv?: string;
  /** The dataflow (runtime nodes need the other nodes' wiring). */
  dataflow?: Dataflow;
  /** The Deno operator runtime program (`nodes/runtime/ts/main.ts`). */
  operatorRuntime: string;
  /** The bridge zenoh nodes connect to unless their `zenoh.endpoint` says. */
  zenohEndpoint?: string;
  /** Interpreters resolved behind shims in this run (filled as nodes are planned). */
  python?: PythonCache;
  /** The file that keeps shim answers across runs (see `resolvePython`). */
  pythonStore?: string;
  /**
   * The link sockets of direct delivery this node uses (its own and its
   * senders'): a TypeScript node may reach exactly these.
   */
  linkSockets?: string[];
  /**
   * dora's shared-memory library, the only FFI of a TypeScript node by
   * default (see `shmLibraryForRun`); without it such nodes use the socket.
   */
  shmLibrary?: () => { path?: string; warning?: string };
}

/** A ready-to-run command line for one node. */
export interface SpawnPlan {
  kind: "deno" | "python" | "shell" | "exe";
  cmd: string;
  args: string[];
  cwd: string;
  /** Variables on top of the inherited basics (without DORA_NODE_CONFIG; see node_env.ts). */
  env: Record<string, string>;
  /** Whether the node may use shared memory (FFI granted). */
  shm: boolean;
  /** Warnings for the user (e.g. dropped reserved env variables). */
  warnings: string[];
}

/**
 * Resolves how to start `node`, checking that its executable exists.
 *
 * @throws {SpawnError} naming the node for a missing executable, bad args
 * quoting, or a shell node without permission.
 */
export function planSpawn(node: NodeSpec, ctx: SpawnContext): SpawnPlan {
  const warnings: string[] = [];
  let args: string[];
  try {
    args = node.path === "shell" ? [] : splitShellWords(node.args ?? "");
  } catch (err) {
    if (!(err instanceof ShellWordsError)) throw err;
    throw new SpawnError(
      `node "${node.id}": invalid args "${node.args}": ${err.message}`,
    );
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.env)) {
    if (isReservedEnv(k)) {
      warnings.push(
        `node "${node.id}": ignoring env variable "${k}": it is reserved for the dora runtime`,
      );
    } else env[k] = v;
  }
  env.PYTHONUNBUFFERED = "1";
  // Python nodes (also behind shell or executable wrappers) find `dora`.
  env.PYTHONPATH = [
    ctx.pythonPath,
    env.PYTHONPATH ?? Deno.env.get("PYTHONPATH"),
  ]
    .filter((x) => x).join(":");
  // A git node runs from its clone; every other node from the YAML's folder.
  const cwd = node.workingDir ?? ctx.workingDir;
  const base = { cwd, env, warnings };
  let plan: SpawnPlan;
  if (node.path === "shell") {
    if (!ctx.allowShell) {
      throw new SpawnError(
        `node "${node.id}" uses \`path: shell\`, which runs arbitrary shell commands: pass --allow-shell-nodes (or set DORA_ALLOW_SHELL_NODES=true) to allow it`,
      );
    }
    plan = {
      ...base,
      kind: "shell",
      cmd: "/bin/sh",
      args: ["-c", node.args ?? ""],
      shm: false,
    };
  } else if (node.kind === "runtime") {
    plan = planRuntimeNode(node, ctx, base);
  } else if (node.zenoh) {
    plan = planZenohNode(node, ctx, base);
  } else if (node.path === "dynamic") {
    throw new SpawnError(
      `node "${node.id}": dynamic nodes are not supported by this runtime yet`,
    );
  } else {
    // Under --uv, programs installed into the uv environment (console
    // scripts of `uv pip install`) are found like the original's `uv run which`.
    const extraDirs = ctx.uv
      ? [`${Deno.env.get("VIRTUAL_ENV") ?? `${cwd}/.venv`}/bin`]
      : [];
    const file = resolveExecutable(node, cwd, extraDirs);
    if (/\.(ts|js|mts|mjs|tsx|jsx)$/.test(file)) {
      plan = denoPlan(node, ctx, base, file, [], args);
    } else if (file.endsWith(".py")) {
      plan = pythonPlan(ctx, base, ["-u", file, ...args]);
    } else {
      const why = shellReason(realPath(file), args) ?? shellReason(file, args);
      if (why && !ctx.allowShell) {
        throw new SpawnError(
          `node "${node.id}" ${why} with commands written in the descriptor (a shell node): pass --allow-shell-nodes (or set DORA_ALLOW_SHELL_NODES=true) to allow it, or put the commands in a script file`,
        );
      }
      plan = { ...base, kind: "exe", cmd: file, args, shm: true };
    }
  }
  if (ctx.setpriv) {
    plan.args = ["--pdeathsig", "SIGKILL", "--", plan.cmd, ...plan.args];
    plan.cmd = ctx.setpriv;
  }
  return plan;
}

type PlanBase = Pick<SpawnPlan, "cwd" | "env" | "warnings">;

/** `deno run` of `file` with the node's permissions (plus `extraRead` folders). */
function denoPlan(
  node: NodeSpec,
  ctx: SpawnContext,
  base: PlanBase,
  file: string,
  extraRead: string[],
  args: string[],
  ffi = false,
): SpawnPlan {
  const permissions = ffi && node.permissions?.ffi !== true
    ? { ...node.permissions, ffi: true }
    : node.permissions;
  const library = permissions?.ffi === false ? {} : ctx.shmLibrary?.() ?? {};
  if (library.warning) base.warnings.push(library.warning);
  if (library.path) base.env.DORA_SHM_LIBRARY = library.path;
  const perms = permissionFlags(permissions, {
    nodeDir: file.slice(0, file.lastIndexOf("/")) || "/",
    apiDirs: [...ctx.apiDirs, ...extraRead],
    socketPath: ctx.socketPath,
    linkSockets: ctx.linkSockets,
    workingDir: base.cwd,
    shmLibrary: library.path,
  });
  // Deno colours its errors even on pipes; logs want plain text.
  base.env.NO_COLOR ??= "1";
  return {
    ...base,
    kind: "deno",
    cmd: Deno.execPath(),
    args: [
      "run",
      "--no-config",
      `--import-map=${ctx.importMapPath}`,
      ...perms.flags,
      file,
      ...args,
    ],
    shm: perms.shm,
  };
}

/** The Python interpreter (behind shims, or `uv run` under `--uv`) with `args`. */
function pythonPlan(
  ctx: SpawnContext,
  base: PlanBase,
  args: string[],
): SpawnPlan {
  if (ctx.uv) {
    return {
      ...base,
      kind: "python",
      cmd: ctx.uv,
      args: ["run", "--no-project", "--quiet", "python", ...args],
      shm: true,
    };
  }
  const python = resolvePython(
    base.cwd,
    base.env,
    ctx.python ??= new Map(),
    ctx.pythonStore,
  );
  if (python.binDir) {
    // What the shim would do: its version's folder first on PATH.
    base.env.PATH = [python.binDir, base.env.PATH ?? Deno.env.get("PATH")]
      .filter((x) => x).join(":");
  }
  return { ...base, kind: "python", cmd: python.cmd, args, shm: true };
}

/**
 * A runtime node: its operators' runtime program (Python, or Deno for
 * TypeScript and shared-library operators) with `DORA_RUNTIME_CONFIG`.
 * Shared libraries are native code with full trust: they need FFI.
 */
function planRuntimeNode(
  node: NodeSpec,
  ctx: SpawnContext,
  base: PlanBase,
): SpawnPlan {
  let runtime: RuntimePlan;
  try {
    runtime = planRuntime(ctx.dataflow!, node, base.cwd);
  } catch (err) {
    if (err instanceof OperatorError) throw new SpawnError(err.message);
    throw err;
  }
  base.env.DORA_RUNTIME_CONFIG = JSON.stringify(runtime.config);
  if (runtime.language === "python") {
    return pythonPlan(ctx, base, ["-u", "-m", "dora._operator_runtime"]);
  }
  return denoPlan(
    node,
    ctx,
    base,
    ctx.operatorRuntime,
    runtime.readDirs,
    [],
    runtime.ffi,
  );
}

/**
 * A built-in zenoh node (`zenoh:`): `nodes/zenoh/sub.ts KEYEXPR ENDPOINT` or
 * `pub.ts KEY ENDPOINT`, allowed to reach the bridge and nothing else.
 */
function planZenohNode(
  node: NodeSpec,
  ctx: SpawnContext,
  base: PlanBase,
): SpawnPlan {
  const z = node.zenoh!;
  const text = z.endpoint ?? ctx.zenohEndpoint ?? DEFAULT_ZENOH_ENDPOINT;
  let endpoint: Endpoint;
  try {
    endpoint = parseEndpoint(text, ["ws"], "zenoh.endpoint");
  } catch (err) {
    if (!(err instanceof ZenohConfigError)) throw err;
    throw new SpawnError(`node "${node.id}": ${err.message}`);
  }
  const root = sourceRoot();
  const subscribe = z.subscribe !== undefined;
  const host = endpoint.host.includes(":")
    ? `[${endpoint.host}]`
    : endpoint.host;
  return denoPlan(
    { ...node, permissions: { net: [`${host}:${endpoint.port}`] } },
    ctx,
    base,
    `${root}/nodes/zenoh/${subscribe ? "sub" : "pub"}.ts`,
    [`${root}/src/zenoh`],
    [subscribe ? z.subscribe! : z.publish!, endpoint.text],
  );
}

/** The absolute path of a node's executable or script. */
function resolveExecutable(
  node: NodeSpec,
  workingDir: string,
  extraDirs: string[] = [],
): string {
  const path = node.path;
  if (/^https?:\/\//.test(path)) {
    throw new SpawnError(
      `node "${node.id}": its URL source "${path}" was not downloaded (the build stage fetches it: run without skipping it)`,
    );
  }
  if (path.includes("/")) {
    const abs = path.startsWith("/") ? path : `${workingDir}/${path}`;
    if (!isFile(abs)) {
      throw new SpawnError(
        `node "${node.id}": "${path}" not found (looked for ${normalize(abs)})${
          node.build
            ? "; check that its `build:` command creates it (dora run --no-build skips the build)"
            : ""
        }`,
      );
    }
    return normalize(abs);
  }
  const local = `${workingDir}/${path}`;
  if (isFile(local)) return local;
  for (
    const dir of [...extraDirs, ...(Deno.env.get("PATH") ?? "").split(":")]
  ) {
    if (dir && isFile(`${dir}/${path}`)) return `${dir}/${path}`;
  }
  throw new SpawnError(
    `node "${node.id}": executable "${path}" not found in ${workingDir} or on PATH`,
  );
}

/** `path` with symlinks followed (`/bin/sh` → `/usr/bin/dash`). */
function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
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
