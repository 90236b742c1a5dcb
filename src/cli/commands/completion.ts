/**
 * `dora completion [bash|zsh|fish|elvish|powershell]`: prints a shell
 * completion script (made by @bomb.sh/tab; elvish's is ours). The script calls the hidden
 * `dora complete -- <words>`, which answers from the live command tree, so
 * commands added later complete without regenerating anything.
 *
 * @module
 */
import type { Command } from "commander";
import type { Command as CoreCommand } from "commander-core";
import { UsageError } from "../errors.ts";

/** Shells a script can be generated for. */
export const SHELLS = ["bash", "zsh", "fish", "elvish", "powershell"] as const;

/** Registers `dora completion` and the hidden `dora complete`. */
export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description(
      "print a shell completion script (bash, zsh, fish, elvish, powershell)",
    )
    .argument("[SHELL]", "shell; detected from $SHELL when omitted")
    .addHelpText(
      "after",
      `
Examples:
  eval "$(dora completion bash)"     # add to ~/.bashrc
  eval "$(dora completion zsh)"      # add to ~/.zshrc
  dora completion fish > ~/.config/fish/completions/dora.fish
  eval (dora completion elvish | slurp)  # add to ~/.config/elvish/rc.elv`,
    )
    .action(async (shell) => {
      const chosen = shell ?? detectShell();
      if (!(SHELLS as readonly string[]).includes(chosen ?? "")) {
        throw new UsageError(
          chosen === undefined
            ? "cannot detect the shell from $SHELL: name one of bash, zsh, fish, elvish, powershell"
            : `unsupported shell "${chosen}" (supported: ${SHELLS.join(", ")})`,
        );
      }
      if (chosen === "elvish") {
        const { elvishCompletion } = await import("./_elvish_completion.ts");
        Deno.stdout.writeSync(
          new TextEncoder().encode(elvishCompletion(program.name())),
        );
        return;
      }
      const root = await completionTree(program);
      root.setup(program.name(), program.name(), chosen!);
    });
  program
    .command("complete", { hidden: true })
    .description("answer a completion request from a shell script")
    .argument("[WORDS...]", "the words typed so far (after --)")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (words) => {
      const root = await completionTree(program);
      root.parse(words);
    });
}

/** The shell named by $SHELL, if any. */
function detectShell(): string | undefined {
  const shell = Deno.env.get("SHELL");
  if (!shell) return undefined;
  const name = shell.replace(/^.*\//, "");
  return name === "pwsh" ? "powershell" : name;
}

/**
 * Builds tab's completion tree from the program as it is now (every command
 * registered). Our placeholder commands are removed first because tab adds
 * its own `completion` command (offering the shell names).
 */
async function completionTree(program: Command) {
  const { default: tab } = await import("@bomb.sh/tab/commander");
  const commands = program.commands as Command[];
  for (const name of ["completion", "complete"]) {
    const i = commands.findIndex((c) => c.name() === name);
    if (i >= 0) commands.splice(i, 1);
  }
  return tab(program as unknown as CoreCommand, {
    completionCommandName: "completion",
  });
}
