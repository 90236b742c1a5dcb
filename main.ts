/**
 * Entry point of the `dora` program: the CLI, the coordinator and the daemon
 * are all subcommands of it.
 *
 * @module
 */

if (import.meta.main) {
  const args = Deno.args;
  // `dora --version` answers before the command line is loaded: commander and
  // the Node built-ins it pulls in cost ~60 ms of CPU at every start.
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    const { DORA_VERSION } = await import("./src/version.ts");
    console.log(DORA_VERSION);
    Deno.exit(0);
  }
  const { main } = await import("./src/cli/mod.ts");
  Deno.exit(await main(args));
}
