/**
 * Entry point of the `dora` program: the CLI, the coordinator and the daemon
 * are all subcommands of it.
 *
 * @module
 */
import { main } from "./src/cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
