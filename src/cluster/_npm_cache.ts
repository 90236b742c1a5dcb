/**
 * The npm packages TypeScript nodes import, as a Deno cache shipped with
 * dora (nodes then run without network).
 *
 * @module
 */
import { exists, fileSha256, listFiles, sha256Hex } from "./_files.ts";

/** The import map entries of the node API's npm packages. */
export const NPM_IMPORTS = { "apache-arrow": "npm:apache-arrow@21.2.0" };

/**
 * The npm packages the TypeScript node API imports, as a Deno cache folder
 * `deno_dir/` (only its `npm/` part: the rest is per machine), prepared
 * once per cache folder with its manifest lines. Without network here the
 * artifact goes without it and nodes download them on first use.
 */
export async function npmCache(
  stage: string,
  cacheDir: string,
): Promise<{ dir: string; manifest: string } | undefined> {
  if (!/(^|\/)deno$/.test(Deno.execPath())) return undefined;
  const key = (await sha256Hex(
    new TextEncoder().encode(
      `${Deno.version.deno} ${JSON.stringify(NPM_IMPORTS)}`,
    ),
  )).slice(0, 16);
  const ready = `${cacheDir}/npm-${key}`;
  if (!(await exists(`${ready}/MANIFEST.part`))) {
    const dir = await Deno.makeTempDir({ dir: cacheDir, prefix: ".npm-" });
    const denoDir = `${dir}/deno_dir`;
    const mapFile = `${dir}/import_map.json`;
    await Deno.writeTextFile(mapFile, JSON.stringify({ imports: NPM_IMPORTS }));
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "cache",
        "--quiet",
        "--no-config",
        `--import-map=${mapFile}`,
        `${stage}/lib/nodes/api/ts/mod.ts`,
      ],
      env: { DENO_DIR: denoDir, NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    await Deno.remove(mapFile);
    if (!out.success) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      return undefined;
    }
    for await (const e of Deno.readDir(denoDir)) {
      if (e.name !== "npm") {
        await Deno.remove(`${denoDir}/${e.name}`, { recursive: true });
      }
    }
    const files = await listFiles(dir);
    let part = "";
    for (const f of files) {
      part += `${await fileSha256(`${dir}/${f}`)}  ./${f}\n`;
    }
    await Deno.writeTextFile(`${dir}/MANIFEST.part`, part);
    await Deno.rename(dir, ready).catch(async () => {
      // Another build made it meanwhile.
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    });
  }
  return {
    dir: ready,
    manifest: await Deno.readTextFile(`${ready}/MANIFEST.part`),
  };
}
