/**
 * The one place that knows how to start this program again (for `dora up`,
 * daemons, and tests): as a compiled binary, through `deno run main.ts`, or
 * through the `deno install` shim (which is `deno run main.ts` too).
 *
 * @module
 */

const MAIN_URL = new URL("../../main.ts", import.meta.url);

/** Whether this process is a `deno compile` binary. */
function isCompiled(): boolean {
  return !/(^|\/)deno$/.test(Deno.execPath());
}

/** The executable and leading arguments that run `dora`. */
export function doraCommand(): { cmd: string; args: string[] } {
  if (isCompiled()) return { cmd: Deno.execPath(), args: [] };
  const config = new URL("../../deno.json", import.meta.url);
  return {
    cmd: Deno.execPath(),
    args: [
      "run",
      "-A",
      "--no-prompt",
      "--config",
      config.pathname,
      MAIN_URL.href.startsWith("file:") ? MAIN_URL.pathname : MAIN_URL.href,
    ],
  };
}

/** The repository root when running from source (for node API paths). */
export function sourceRoot(): string {
  return new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
}
