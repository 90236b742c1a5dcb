/**
 * The `dora` command line: builds the command tree and maps errors to exit
 * codes (2 = usage, 1 = runtime) at a single boundary.
 *
 * @module
 */
import { writeText } from "./_output.ts";
import { Command, CommanderError, type CommandUnknownOpts } from "commander";
import { CliError, formatError, UsageError } from "./errors.ts";
import { DORA_VERSION } from "../version.ts";
import { COMMANDS } from "./commands/mod.ts";

/** The root command with every working subcommand registered. */
export function buildProgram(): Command {
  const program = new Command("dora")
    .description(
      "dora: dataflow-oriented robotic architecture, on Deno.\n" +
        "Run dataflows of nodes that exchange Apache Arrow messages.",
    )
    .version(DORA_VERSION, "-V, --version", "print the dora version")
    .option("--verbose", "show causes and stack traces of errors")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeErr: (text) => writeText(text, Deno.stderr),
      writeOut: (text) => writeText(text),
    });
  program.helpCommand("help [command]", "show help for a command");
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs `dora` with `args` and resolves to the process exit code. */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  let current: CommandUnknownOpts = program;
  program.hook("preAction", (_root, action) => {
    current = action;
  });
  const verbose = args.includes("--verbose");
  try {
    await program.parseAsync(args, { from: "user" });
    return typeof Deno.exitCode === "number" ? Deno.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed them.
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      ) return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      console.error(formatError(err, verbose));
      console.error();
      console.error(current.helpInformation().trimEnd());
      return 2;
    }
    console.error(formatError(err, verbose));
    return err instanceof CliError ? err.exitCode : 1;
  }
}
