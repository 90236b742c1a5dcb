/**
 * The artifact a machine needs to run dora, built once locally per Deno
 * target and cached by content: either `deno bundle` output run by the
 * pinned Deno for the target's CPU, or `dist/dora` from `compile.sh` when
 * it exists for that CPU; plus the node APIs (TypeScript and Python) and the
 * npm packages TypeScript nodes import, so nodes run without network.
 * `MANIFEST.sha256` lists the checksum of every file; its own checksum
 * names the artifact.
 *
 * @module
 */
import { cachedBundle } from "./_bundle.ts";
import {
  exists,
  fileSha256,
  HashMemo,
  pack,
  pruneFiles,
  sha256Hex,
  sortManifest,
  writeManifest,
} from "./_files.ts";
import { NPM_IMPORTS, npmCache } from "./_npm_cache.ts";
import { denoExecutable } from "./deno_binary.ts";
import { ArtifactError } from "./errors.ts";
import { type DenoTarget, executableCpu, targetCpu } from "./platform.ts";

/** A built artifact, ready to be shipped. */
export interface Artifact {
  /** The first 16 hex digits of the manifest's SHA-256: the version folder's name. */
  id: string;
  target: DenoTarget;
  /** `bundle` (Deno + `dora.js`) or `compiled` (`dist/dora`). */
  kind: "bundle" | "compiled";
  /** The dora version inside. */
  version: string;
  /** The gzip'd tar of the artifact folder. */
  tarball: string;
  /** Size of the tarball in bytes. */
  bytes: number;
}

/** Where the artifact's parts come from. */
export interface ArtifactSources {
  /** The dora checkout or install root (`main.ts`, `nodes/`, …). */
  sourceRoot: string;
  /** A bundle this process runs from (`dist/dora.js`), reused as is. */
  bundle?: string;
  /** The dora version. */
  version: string;
  /** Where artifacts and fetched Deno builds are cached. */
  cacheDir: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Builds (or finds in the cache) the artifact for `target`.
 *
 * @throws {ArtifactError} when a part is missing or a build step fails.
 */
export async function buildArtifact(
  target: DenoTarget,
  src: ArtifactSources,
): Promise<Artifact> {
  await Deno.mkdir(src.cacheDir, { recursive: true });
  const stage = await Deno.makeTempDir({
    dir: src.cacheDir,
    prefix: ".stage-",
  });
  try {
    const kind = await stageProgram(stage, target, src);
    await stageNodeApis(stage, src.sourceRoot);
    const npm = await npmCache(stage, src.cacheDir);
    const hashes = await HashMemo.open(`${src.cacheDir}/hashes.json`);
    const manifest = sortManifest(
      await writeManifest(stage, hashes) + (npm?.manifest ?? ""),
    );
    await hashes.save();
    const digest = await sha256Hex(new TextEncoder().encode(manifest));
    const id = digest.slice(0, 16);
    await Deno.writeTextFile(
      `${stage}/VERSION`,
      `dora ${src.version} ${id} ${target} ${kind}\n`,
    );
    // VERSION is written after the manifest: add its line too.
    await Deno.writeTextFile(
      `${stage}/MANIFEST.sha256`,
      manifest + `${await fileSha256(`${stage}/VERSION`)}  ./VERSION\n`,
    );
    const tarball = `${src.cacheDir}/${target}-${id}.tar.gz`;
    if (!(await exists(tarball))) await pack(stage, npm?.dir, tarball);
    await prune(src.cacheDir, target, tarball);
    return {
      id,
      target,
      kind,
      version: src.version,
      tarball,
      bytes: (await Deno.stat(tarball)).size,
    };
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/** Puts `dora` (a launcher or the compiled program) and what it runs into `stage`. */
async function stageProgram(
  stage: string,
  target: DenoTarget,
  src: ArtifactSources,
): Promise<Artifact["kind"]> {
  await Deno.mkdir(`${stage}/lib`, { recursive: true });
  const compiled = `${src.sourceRoot}/dist/dora`;
  if (await matchesTarget(compiled, target)) {
    await place(compiled, `${stage}/dora.bin`);
    await writeLauncher(stage, `exec "$here/dora.bin" "$@"`);
    return "compiled";
  }
  const bundle = `${stage}/lib/dora.js`;
  await Deno.copyFile(
    src.bundle ?? await cachedBundle(src.sourceRoot, src.cacheDir),
    bundle,
  );
  const deno = await denoExecutable(target, `${src.cacheDir}`, {
    log: src.log,
  });
  await place(deno, `${stage}/deno`);
  await writeLauncher(
    stage,
    `exec "$here/deno" run -A --no-prompt --no-config "$here/lib/dora.js" "$@"`,
  );
  return "bundle";
}

/** Puts a big executable into the stage: a hard link when possible, else a copy. */
async function place(from: string, to: string): Promise<void> {
  try {
    await Deno.link(from, to);
  } catch {
    await Deno.copyFile(from, to);
  }
  await Deno.chmod(to, 0o755).catch(() => {});
}

/** Whether `path` is an executable built for the target's CPU and OS. */
async function matchesTarget(
  path: string,
  target: DenoTarget,
): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch {
    return false;
  }
  try {
    const header = new Uint8Array(20);
    const n = await file.read(header);
    if (n === null || n < 8) return false;
    const elf = header[0] === 0x7f && header[1] === 0x45;
    if (elf !== target.startsWith("linux")) return false;
    return executableCpu(header.subarray(0, n)) === targetCpu(target);
  } finally {
    file.close();
  }
}

async function writeLauncher(stage: string, run: string): Promise<void> {
  const text = `#!/bin/sh
# dora, shipped by \`dora cluster\`: runs the program beside this file with
# the node APIs of lib/ and the npm cache of deno_dir/ (no network needed).
self=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")
here=$(cd "$(dirname "$self")" && pwd -P)
export DORA_HOME="$here/lib"
export DENO_DIR="\${DORA_DENO_DIR:-$here/deno_dir}"
${run}
`;
  await Deno.writeTextFile(`${stage}/dora`, text);
  await Deno.chmod(`${stage}/dora`, 0o755);
}

/** The TypeScript node API with every local module it imports, and the Python package. */
async function stageNodeApis(stage: string, root: string): Promise<void> {
  const mapFile = `${stage}/.import_map.json`;
  await Deno.writeTextFile(mapFile, JSON.stringify({ imports: NPM_IMPORTS }));
  const entry = `${root}/nodes/api/ts/mod.ts`;
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--no-config", `--import-map=${mapFile}`, entry],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!info.success) {
    throw new ArtifactError(
      `cannot list the modules of the node API (${entry}): ${
        new TextDecoder().decode(info.stderr).trim()
      }`,
    );
  }
  const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    modules: { specifier: string }[];
  };
  const prefix = `file://${root}/`;
  const files = graph.modules.map((m) => m.specifier).filter((s) =>
    s.startsWith(prefix)
  ).map((s) => decodeURIComponent(s.slice(prefix.length)));
  const python = `nodes/api/python/dora`;
  for await (const e of Deno.readDir(`${root}/${python}`)) {
    // .c: the C buffer type of zero-copy samples (compiled there on Python < 3.12).
    if (e.isFile && /\.(py|c)$/.test(e.name)) {
      files.push(`${python}/${e.name}`);
    }
  }
  for (const rel of files) {
    const to = `${stage}/lib/${rel}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${root}/${rel}`, to);
  }
  await Deno.remove(mapFile);
}

/** Keeps the three newest tarballs of `target`. */
function prune(
  cacheDir: string,
  target: DenoTarget,
  keep: string,
): Promise<void> {
  return pruneFiles(cacheDir, `${target}-`, ".tar.gz", keep);
}
