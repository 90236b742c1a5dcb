/**
 * Consent for a dataflow's `build:` commands on the command line: the
 * `--allow-shell-nodes` flag or `DORA_ALLOW_SHELL_NODES`, a file trusted
 * before, or a question on a terminal (src/build/trust.ts).
 *
 * @module
 */
import type { Dataflow } from "../descriptor/mod.ts";
import {
  type BuildCommand,
  BuildNotAllowedError,
  checkBuildAllowed,
} from "../build/mod.ts";
import { CliError } from "./errors.ts";

/** Whether `--allow-shell-nodes` or `DORA_ALLOW_SHELL_NODES` allows shell. */
export function shellAllowed(flag: boolean | undefined): boolean {
  return Boolean(flag) ||
    ["1", "true", "yes"].includes(
      (Deno.env.get("DORA_ALLOW_SHELL_NODES") ?? "").toLowerCase(),
    );
}

/** Asks on the terminal whether the build commands may run. */
function ask(path: string, commands: BuildCommand[]): boolean {
  console.error(`${path} runs these build commands in a shell:`);
  for (const c of commands) {
    for (const [i, line] of c.command.trimEnd().split("\n").entries()) {
      console.error(
        `  ${i === 0 ? `${c.node}:` : " ".repeat(c.node.length + 1)} ${line}`,
      );
    }
  }
  return confirm("Run them (and trust them for this file from now on)?");
}

/**
 * Throws a {@link CliError} unless the build commands of `dataflow` (or of
 * `nodes`) may run.
 */
export async function requireBuildConsent(
  dataflow: Dataflow,
  allowShellFlag: boolean | undefined,
  nodes?: string[],
): Promise<void> {
  try {
    await checkBuildAllowed(dataflow, {
      allowShell: shellAllowed(allowShellFlag),
      nodes,
      confirm: Deno.stdin.isTerminal() && Deno.stderr.isTerminal()
        ? (commands) => ask(dataflow.path, commands)
        : undefined,
    });
  } catch (err) {
    if (err instanceof BuildNotAllowedError) throw new CliError(err.message);
    throw err;
  }
}
