/**
 * A node's `build:` commands: every non-empty line is one command, run with
 * `sh -ec` in the node's working folder with the node's env, in order, until
 * one fails (then the error names that line). Under `--uv`, a line starting
 * with `pip` or `pip3` runs as `uv pip` (as the original dora does).
 *
 * @module
 */
import { BuildError } from "./build_error.ts";
import { runLines } from "./_run_lines.ts";

/** Options of {@link runBuildCommand}. */
export interface BuildCommandOptions {
  node: string;
  cwd: string;
  env: Record<string, string>;
  /** The `uv` executable when building with `--uv`. */
  uv?: string;
  onLine: (line: string) => void;
}

/** The build lines of `build`, with `pip` turned into `uv pip` under uv. */
export function buildLines(build: string, uv?: string): string[] {
  return build.split("\n").map((l) => l.trim()).filter((l) =>
    l !== "" && !l.startsWith("#")
  ).map((l) =>
    uv && /^pip3?(\s|$)/.test(l)
      ? `${shellQuote(uv)} pip${
        l.slice(l.indexOf("pip") + (l.startsWith("pip3") ? 4 : 3))
      }`
      : l
  );
}

/** `s` quoted for `sh` when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s)
    ? s
    : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs every line of `build` in turn.
 *
 * @throws {BuildError} naming the node and the failing line, with its last
 * output lines.
 */
export async function runBuildCommand(
  build: string,
  opts: BuildCommandOptions,
): Promise<void> {
  try {
    Deno.mkdirSync(opts.cwd, { recursive: true });
  } catch (err) {
    throw new BuildError(
      opts.node,
      "build",
      `cannot create the build folder ${opts.cwd}: ${(err as Error).message}`,
    );
  }
  for (const line of buildLines(build, opts.uv)) {
    opts.onLine(`$ ${line}`);
    const result = await runLines("sh", ["-ec", line], {
      cwd: opts.cwd,
      env: opts.env,
      onLine: opts.onLine,
    });
    if (result.code !== 0) {
      throw new BuildError(
        opts.node,
        "build",
        `build command "${line}" exited with code ${result.code}`,
        {
          tail: result.tail,
          hint: result.code === 127
            ? "a program of the command was not found: install it or fix the node's `build:`"
            : "fix the command (run it in the node's folder to see the whole output), or skip the build with --no-build",
        },
      );
    }
  }
}
