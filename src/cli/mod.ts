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
import {
  type CommandEntry,
  findCommand,
  loadCommands,
  type RegisterCommand,
} from "./commands/mod.ts";

/** Options that take no value before the subcommand. */
const ROOT_FLAGS = new Set(["--verbose", "-V", "--version", "-h", "--help"]);

/**
 * The subcommand `args` name (its first word), `"none"` when there is none,
 * or `"unknown"` for a word that names no command.
 */
export function commandOf(
  args: string[],
): CommandEntry | "none" | "unknown" {
  const first = args.find((a) => !ROOT_FLAGS.has(a));
  if (first === undefined) return "none";
  if (first.startsWith("-")) return "unknown";
  if (first === "help") return "unknown";
  return findCommand(first) ?? "unknown";
}

/**
 * The root command with the subcommands `args` needs: only the one it names,
 * none for `--version`, every one otherwise (help, completion, unknown).
 */
export async function buildProgram(args?: string[]): Promise<Command> {
  const which = args === undefined ? "unknown" : commandOf(args);
  let registers: RegisterCommand[];
  // Completion answers from the whole command tree.
  if (typeof which === "object" && !which.names.includes("completion")) {
    registers = await loadCommands([which]);
  } else if (
    which === "none" && args!.some((a) => a === "-V" || a === "--version") &&
    !args!.some((a) => a === "-h" || a === "--help")
  ) registers = [];
  else registers = await loadCommands();
  return rootCommand(registers);
}

function rootCommand(registers: RegisterCommand[]): Command {
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
  for (const register of registers) register(program);
  return program;
}

/** Runs `dora` with `args` and resolves to the process exit code. */
export async function main(args: string[]): Promise<number> {
  // `dora <unknown> --help` is the usage error of the unknown command (exit
  // 2), not the root help.
  if (commandOf(args) === "unknown") {
    const first = args.find((a) => !ROOT_FLAGS.has(a));
    if (first !== undefined && first !== "help" && !first.startsWith("-")) {
      args = args.filter((a) => a !== "-h" && a !== "--help");
    }
  }
  const program = await buildProgram(args);
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
