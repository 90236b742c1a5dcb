/**
 * The one place that knows how to start this program again (for `dora up`,
 * daemons, and tests): as a compiled binary, through `deno run main.ts`, the
 * `deno install` shim (which is `deno run main.ts` too) or the bundle
 * `dist/dora.js`.
 *
 * @module
 */

/** Whether this process is a `deno compile` binary. */
function isCompiled(): boolean {
  return !/(^|\/)deno$/.test(Deno.execPath());
}

/** The script that started this process, if it is a dora entry point. */
function doraEntry(): string | undefined {
  const main = Deno.mainModule;
  if (/\/(main\.ts|dora\.js)$/.test(main) && main.startsWith("file:")) {
    return new URL(main).pathname;
  }
  return undefined;
}

/**
 * The repository (or install) root: the folder with `main.ts`, `deno.json`
 * and `nodes/`. `DORA_HOME` overrides it.
 */
export function sourceRoot(): string {
  const home = Deno.env.get("DORA_HOME");
  if (home) return home.replace(/\/$/, "");
  const entry = doraEntry();
  if (entry?.endsWith("/dist/dora.js")) {
    return entry.slice(0, -"/dist/dora.js".length);
  }
  // This file is src/dora_command.ts when running from source.
  return new URL("../", import.meta.url).pathname.replace(/\/$/, "");
}

/** The executable and leading arguments that run `dora`. */
export function doraCommand(): { cmd: string; args: string[] } {
  if (isCompiled()) return { cmd: Deno.execPath(), args: [] };
  const root = sourceRoot();
  const script = doraEntry() ?? `${root}/main.ts`;
  // A bundle imports nothing: no config (nor one found in the cwd) applies.
  const config = script.endsWith(".js")
    ? ["--no-config"]
    : ["--config", `${root}/deno.json`];
  return {
    cmd: Deno.execPath(),
    args: ["run", "-A", "--no-prompt", ...config, script],
  };
}
