/**
 * What kind of program is running: a `deno compile` binary, the bundle
 * (`dora.js`), or `main.ts` of a source checkout (directly or through the
 * `deno install` shim) — the first two are files `dora self update` can
 * replace.
 *
 * @module
 */

/** The running dora program. */
export type RunningProgram =
  | { kind: "compiled"; path: string }
  | { kind: "bundle"; path: string }
  | { kind: "source"; path: string };

/** Which asset of a release fits a program of `kind` on this machine. */
export function assetTarget(kind: RunningProgram["kind"]): string {
  return kind === "compiled" ? Deno.build.target : "bundle";
}

/** Describes the running program from Deno's own facts. */
export function runningProgram(
  execPath = Deno.execPath(),
  mainModule = Deno.mainModule,
): RunningProgram {
  if (!/(^|\/)deno$/.test(execPath)) {
    return { kind: "compiled", path: execPath };
  }
  const main = mainModule.startsWith("file:")
    ? new URL(mainModule).pathname
    : mainModule;
  return main.endsWith(".js")
    ? { kind: "bundle", path: main }
    : { kind: "source", path: main };
}
