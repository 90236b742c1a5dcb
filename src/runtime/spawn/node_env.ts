/**
 * The environment a node starts with: the machine basics inherited from the
 * runner (below), then what the descriptor gives it (`env:`, already
 * expanded where it was loaded), then the runtime's own variables. Nothing
 * else of the runner's environment reaches a node: no credentials
 * (`DORA_AUTH_TOKEN`, cloud keys, the SSH agent), no other tool's settings.
 * A node that needs more names it in its `env:` (`MY_VAR: $MY_VAR`).
 *
 * @module
 */

/** Variables every process needs to run on this machine. */
const BASICS: ReadonlySet<string> = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TERM",
  "COLORTERM",
  "NO_COLOR",
  "TMPDIR",
  // Graphical nodes (viewers, OpenCV windows).
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "XAUTHORITY",
  // Where toolchains and their caches are (DORA_CACHE_DIR: the Python API
  // keeps its compiled buffer type there).
  "DENO_DIR",
  "DORA_CACHE_DIR",
  "LD_LIBRARY_PATH",
  "VIRTUAL_ENV",
  "CONDA_PREFIX",
  "CONDA_DEFAULT_ENV",
  "PYENV_ROOT",
  "PYENV_VERSION",
  "ASDF_DIR",
  "ASDF_DATA_DIR",
  "ASDF_PYTHON_VERSION",
  "CUDA_VISIBLE_DEVICES",
  "NVIDIA_VISIBLE_DEVICES",
]);

/** Prefixes of basics: locale, XDG folders, a sourced ROS 2 workspace. */
const BASIC_PREFIXES: readonly string[] = [
  "LC_",
  "XDG_",
  "ROS_",
  "AMENT_",
  "COLCON_",
  "RMW_",
];

/** Whether the runner's variable `name` is passed to every node. */
export function isInheritedEnv(name: string): boolean {
  return BASICS.has(name) || BASIC_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * The runner's variables every node inherits (see {@link isInheritedEnv}).
 *
 * @example
 * ```ts
 * const env = { ...inheritedEnv(), ...plan.env, DORA_NODE_CONFIG: "…" };
 * new Deno.Command(cmd, { env, clearEnv: true });
 * ```
 */
export function inheritedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (isInheritedEnv(name)) out[name] = value;
  }
  return out;
}
