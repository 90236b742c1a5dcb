/**
 * `deno bundle` of dora, cached by a fingerprint of its sources.
 *
 * @module
 */
import { ArtifactError } from "./errors.ts";
import { exists, fileSha256, pruneFiles, sha256Hex } from "./_files.ts";

/**
 * `deno bundle` of the sources at `root`, cached in `cacheDir` under a
 * fingerprint of every local module of the program (and the config, lock
 * and Deno version): rebuilt only when a source changed.
 */
export async function cachedBundle(
  root: string,
  cacheDir: string,
): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--config",
      `${root}/deno.json`,
      `${root}/main.ts`,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!info.success) {
    throw new ArtifactError(
      `cannot list the modules of dora: ${
        new TextDecoder().decode(info.stderr).trim()
      }`,
    );
  }
  const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    modules: { specifier: string }[];
  };
  const prefix = `file://${root}/`;
  const files = [
    ...graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(prefix))
      .map((s) => decodeURIComponent(s.slice(prefix.length))),
    "deno.json",
    "deno.lock",
  ].sort();
  let text = `deno ${Deno.version.deno}\n`;
  for (const f of files) {
    try {
      text += `${await fileSha256(`${root}/${f}`)}  ${f}\n`;
    } catch {
      text += `-  ${f}\n`;
    }
  }
  const key = (await sha256Hex(new TextEncoder().encode(text))).slice(0, 16);
  const bundle = `${cacheDir}/bundle-${key}.js`;
  if (await exists(bundle)) return bundle;
  const tmp = `${cacheDir}/.bundle-${crypto.randomUUID()}.js`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=deno",
      "--config",
      `${root}/deno.json`,
      "-o",
      tmp,
      `${root}/main.ts`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((err) => {
    throw new ArtifactError(`cannot run deno bundle: ${err}`, { cause: err });
  });
  if (!out.success) {
    await Deno.remove(tmp).catch(() => {});
    throw new ArtifactError(
      `deno bundle failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  await Deno.rename(tmp, bundle);
  await pruneFiles(cacheDir, "bundle-", ".js", bundle);
  return bundle;
}
