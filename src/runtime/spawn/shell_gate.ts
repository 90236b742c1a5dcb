/**
 * The shell gate: which nodes run shell commands written in the descriptor
 * itself, and so need `--allow-shell-nodes`. That is `path: shell`, a shell
 * interpreter as the node's program (`/bin/sh -c …`, `bash script.sh`), an
 * interpreter given inline code (`python3 -c …`, `node -e …`), and any of
 * these behind a launcher (`env sh -c …`, `nohup bash …`). A program or
 * script file is not a shell node: what it does is in a file you can read.
 *
 * The gate keeps a descriptor from elsewhere from hiding commands in YAML;
 * it is not a sandbox (docs/security.md).
 *
 * @module
 */

/** Shell interpreters (by program name). */
const SHELLS: ReadonlySet<string> = new Set([
  "sh",
  "bash",
  "rbash",
  "dash",
  "ash",
  "zsh",
  "ksh",
  "ksh93",
  "mksh",
  "pdksh",
  "yash",
  "posh",
  "fish",
  "csh",
  "tcsh",
  "busybox",
  "elvish",
  "nu",
  "xonsh",
  "pwsh",
]);

/** Programs that run the program named by their arguments. */
const LAUNCHERS: ReadonlySet<string> = new Set([
  "env",
  "nohup",
  "setsid",
  "nice",
  "ionice",
  "timeout",
  "stdbuf",
  "chrt",
  "taskset",
  "xargs",
  "flock",
  "sudo",
  "doas",
  "setpriv",
  "unshare",
  "uv",
  "uvx",
]);

/** Sub-command words a launcher takes before the program (`uv run …`). */
const SUBCOMMANDS: ReadonlySet<string> = new Set(["run", "tool", "exec"]);

/** Interpreters and the options that give them code on the command line. */
const INLINE_CODE: [RegExp, ReadonlySet<string>][] = [
  [/^python[0-9.]*$|^pypy[0-9.]*$/, new Set(["-c"])],
  [/^perl[0-9.]*$/, new Set(["-e", "-E"])],
  [/^ruby[0-9.]*$/, new Set(["-e"])],
  [/^node(js)?$|^bun$/, new Set(["-e", "--eval", "-p", "--print"])],
  [/^deno$/, new Set(["eval"])],
  [/^php[0-9.]*$/, new Set(["-r"])],
  [/^lua[0-9.]*$|^luajit$/, new Set(["-e"])],
  [/^(g|m|n)?awk$/, new Set(["*"])],
  [/^tclsh[0-9.]*$|^wish[0-9.]*$/, new Set(["*"])],
];

/** The program name of a path (`/usr/bin/python3.11` → `python3.11`). */
function programName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Why the node that runs `program` (as resolved, symlinks followed by the
 * caller) with `args` is a shell node, or undefined when it is not.
 *
 * @example
 * ```ts
 * shellReason("/usr/bin/dash", ["-c", "make"]); // "runs the shell dash"
 * shellReason("/usr/bin/python3", ["-c", "…"]); // "gives python3 code inline (-c)"
 * shellReason("/usr/bin/python3", ["node.py"]); // undefined
 * ```
 */
export function shellReason(
  program: string,
  args: readonly string[],
  depth = 0,
): string | undefined {
  const name = programName(program);
  if (SHELLS.has(name)) return `runs the shell ${name}`;
  if (depth < 4 && LAUNCHERS.has(name)) {
    // The launched program is one of the arguments that are not options or
    // `NAME=value` assignments; option values (`uv run --with x python`)
    // look like programs too, so every candidate is checked.
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.startsWith("-") || /^\w+=/.test(a) || SUBCOMMANDS.has(a)) continue;
      const inner = shellReason(a, args.slice(i + 1), depth + 1);
      if (inner) return `${name} ${inner}`;
    }
    return undefined;
  }
  for (const [re, flags] of INLINE_CODE) {
    if (!re.test(name)) continue;
    if (flags.has("*")) return `gives ${name} its program inline`;
    // Options before the script: `python3 -u -c …`, not `python3 x.py -c`.
    for (const a of args) {
      if (flags.has(a)) return `gives ${name} code inline (${a})`;
      if (!a.startsWith("-")) break;
    }
  }
  return undefined;
}
