/**
 * The Deno executable shipped with dora: this process's own Deno when the
 * machine has the same target, otherwise the build of the same version from
 * npm (`npm pack @deno/<target>@<version>`), cached once per version.
 *
 * @module
 */
import { type DenoTarget, localDenoTarget } from "./platform.ts";

/** A Deno build for another machine cannot be had; the message says why. */
export class DenoFetchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DenoFetchError";
  }
}

/** Whether this process runs on a `deno` executable (not a compiled program). */
function runsOnDeno(): boolean {
  return /(^|\/)deno$/.test(Deno.execPath());
}

/**
 * Path of a Deno `version` executable for `target`; fetches it from npm into
 * `<cacheDir>/deno/<version>/<target>/deno` the first time.
 *
 * @throws {DenoFetchError} when npm is missing or the package cannot be had.
 */
export async function denoExecutable(
  target: DenoTarget,
  cacheDir: string,
  opts: { version?: string; log?: (line: string) => void } = {},
): Promise<string> {
  const version = opts.version ?? Deno.version.deno;
  if (
    target === localDenoTarget() && runsOnDeno() &&
    version === Deno.version.deno
  ) {
    return Deno.execPath();
  }
  const dir = `${cacheDir}/deno/${version}/${target}`;
  const exe = `${dir}/deno`;
  try {
    if ((await Deno.stat(exe)).isFile) return exe;
  } catch {
    // not cached yet
  }
  const pkg = `@deno/${target}@${version}`;
  opts.log?.(`fetching Deno ${version} for ${target} from npm (${pkg})`);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir, prefix: ".fetch-" });
  try {
    let packed: Deno.CommandOutput;
    try {
      packed = await new Deno.Command("npm", {
        args: ["pack", "--silent", pkg],
        cwd: tmp,
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (err) {
      throw new DenoFetchError(
        `npm is needed to fetch Deno for ${target} (install Node.js, or put that Deno at ${exe})`,
        { cause: err },
      );
    }
    if (!packed.success) {
      const why = new TextDecoder().decode(packed.stderr).trim().split("\n")
        .at(-1);
      throw new DenoFetchError(
        `npm could not fetch ${pkg}${why ? `: ${why}` : ""}`,
      );
    }
    const tgz = new TextDecoder().decode(packed.stdout).trim().split("\n")
      .at(-1)!;
    const untar = await new Deno.Command("tar", {
      args: ["-xzf", tgz, "package/deno"],
      cwd: tmp,
      stderr: "piped",
    }).output();
    if (!untar.success) {
      throw new DenoFetchError(`${pkg} holds no deno executable`);
    }
    await Deno.chmod(`${tmp}/package/deno`, 0o755);
    await Deno.rename(`${tmp}/package/deno`, exe);
    return exe;
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
