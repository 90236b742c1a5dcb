/**
 * Consent for `build:` commands. They run in a shell with the user's rights,
 * so a descriptor from elsewhere (a clone, a download) must not run them
 * just because it was started: they need `--allow-shell-nodes`
 * (`DORA_ALLOW_SHELL_NODES=true`), or the user's confirmation on a terminal.
 * A confirmation is remembered for that file and those exact commands
 * (`<state dir>/trusted-builds/<sha-256>`): a changed command asks again.
 * `dora new` trusts the projects it creates.
 *
 * @module
 */
import type { Dataflow } from "../descriptor/mod.ts";
import { doraStateDir } from "../state_dir.ts";

/** One `build:` command and the node (or `node/operator`) it belongs to. */
export interface BuildCommand {
  node: string;
  command: string;
}

/** The descriptor's build commands would run without consent. */
export class BuildNotAllowedError extends Error {
  readonly commands: BuildCommand[];

  constructor(path: string, commands: BuildCommand[]) {
    const shown = commands.slice(0, 3).map((c) =>
      `node "${c.node}": \`${c.command.split("\n")[0]}\``
    ).join("; ");
    const more = commands.length > 3 ? `; and ${commands.length - 3} more` : "";
    super(
      `${path} runs build commands in a shell (${shown}${more}): pass --allow-shell-nodes (or set DORA_ALLOW_SHELL_NODES=true) to run them, or run this once on a terminal to confirm them`,
    );
    this.name = "BuildNotAllowedError";
    this.commands = commands;
  }
}

/** Every `build:` command of the nodes (and their operators) to build. */
export function buildCommands(
  dataflow: Dataflow,
  nodes?: string[],
): BuildCommand[] {
  const out: BuildCommand[] = [];
  for (const n of dataflow.nodes) {
    if (nodes && !nodes.includes(n.id)) continue;
    if (n.build) out.push({ node: n.id, command: n.build });
    for (const op of n.operators ?? []) {
      if (op.build) out.push({ node: `${n.id}/${op.id}`, command: op.build });
    }
  }
  return out;
}

/** The trust file for `dataflow`'s current build commands. */
async function trustFile(dataflow: Dataflow): Promise<string> {
  const text = JSON.stringify([dataflow.path, buildCommands(dataflow)]);
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return `${doraStateDir()}/trusted-builds/${new Uint8Array(digest).toHex()}`;
}

/** Remembers that the user accepts `dataflow`'s build commands as they are. */
export async function trustBuild(dataflow: Dataflow): Promise<void> {
  if (buildCommands(dataflow).length === 0) return;
  const file = await trustFile(dataflow);
  Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), {
    recursive: true,
    mode: 0o700,
  });
  Deno.writeTextFileSync(file, `${dataflow.path}\n`, { mode: 0o600 });
}

/** Whether the user accepted `dataflow`'s build commands as they are. */
export async function isBuildTrusted(dataflow: Dataflow): Promise<boolean> {
  try {
    Deno.statSync(await trustFile(dataflow));
    return true;
  } catch {
    return false;
  }
}

/**
 * Lets the build commands of `nodes` (default: all) run, or throws
 * {@link BuildNotAllowedError}: allowed with `allowShell`, when trusted, or
 * when `confirm` (a terminal prompt; absent without a terminal) says yes,
 * which is then remembered.
 */
export async function checkBuildAllowed(
  dataflow: Dataflow,
  opts: {
    allowShell: boolean;
    nodes?: string[];
    confirm?: (commands: BuildCommand[]) => boolean;
  },
): Promise<void> {
  const commands = buildCommands(dataflow, opts.nodes);
  if (commands.length === 0 || opts.allowShell) return;
  if (await isBuildTrusted(dataflow)) return;
  if (opts.confirm?.(commands)) {
    await trustBuild(dataflow);
    return;
  }
  throw new BuildNotAllowedError(dataflow.path, commands);
}
