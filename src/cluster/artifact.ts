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
import { denoExecutable } from "./deno_binary.ts";
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

/** The artifact cannot be built; the message says why. */
export class ArtifactError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArtifactError";
  }
}

const NPM_IMPORTS = { "apache-arrow": "npm:apache-arrow@21.2.0" };

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
  await Deno.copyFile(src.bundle ?? await cachedBundle(src), bundle);
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

/**
 * `deno bundle` of the sources at `src.sourceRoot`, cached under a
 * fingerprint of every local module of the program (and the config, lock
 * and Deno version): rebuilt only when a source changed.
 */
async function cachedBundle(src: ArtifactSources): Promise<string> {
  const root = src.sourceRoot;
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
  const bundle = `${src.cacheDir}/bundle-${key}.js`;
  if (await exists(bundle)) return bundle;
  const tmp = `${src.cacheDir}/.bundle-${crypto.randomUUID()}.js`;
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
  await pruneFiles(src.cacheDir, "bundle-", ".js", bundle);
  return bundle;
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
    if (e.isFile && e.name.endsWith(".py")) files.push(`${python}/${e.name}`);
  }
  for (const rel of files) {
    const to = `${stage}/lib/${rel}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(`${root}/${rel}`, to);
  }
  await Deno.remove(mapFile);
}

/**
 * The npm packages the TypeScript node API imports, as a Deno cache folder
 * `deno_dir/` (only its `npm/` part: the rest is per machine), prepared
 * once per cache folder with its manifest lines. Without network here the
 * artifact goes without it and nodes download them on first use.
 */
async function npmCache(
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

/** Relative paths of every file below `root`, sorted. */
async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(`${dir}/${e.name}`, r);
      else if (e.isFile) files.push(r);
    }
  };
  await walk(root, "");
  return files.sort();
}

/** Manifest lines sorted by path (the artifact's id must not depend on order). */
function sortManifest(text: string): string {
  const lines = text.split("\n").filter((l) => l);
  lines.sort((a, b) => {
    const pa = a.slice(a.indexOf("  ") + 2);
    const pb = b.slice(b.indexOf("  ") + 2);
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  });
  return lines.map((l) => `${l}\n`).join("");
}

/** The `MANIFEST.sha256` text (sha256sum format) of every file of `stage`. */
async function writeManifest(
  stage: string,
  hashes: HashMemo,
): Promise<string> {
  let text = "";
  for (const f of await listFiles(stage)) {
    text += `${await hashes.sha256(`${stage}/${f}`)}  ./${f}\n`;
  }
  return text;
}

/** Packs `stage` (and `npmDir`'s `deno_dir/`) into a gzip'd tar. */
async function pack(
  stage: string,
  npmDir: string | undefined,
  tarball: string,
): Promise<void> {
  const tmp = `${tarball}.${crypto.randomUUID()}.tmp`;
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      'if [ -n "$3" ]; then tar -C "$1" -cf - . -C "$3" ./deno_dir; else tar -C "$1" -cf - .; fi | gzip -1 >"$2"',
      "sh",
      stage,
      tmp,
      npmDir ?? "",
    ],
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.remove(tmp).catch(() => {});
    throw new ArtifactError(
      `cannot pack the artifact: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  await Deno.rename(tmp, tarball);
}

/** Keeps the three newest tarballs of `target`. */
function prune(
  cacheDir: string,
  target: DenoTarget,
  keep: string,
): Promise<void> {
  return pruneFiles(cacheDir, `${target}-`, ".tar.gz", keep);
}

/** Keeps the three newest files `<prefix>…<suffix>` of `cacheDir` (and `keep`). */
async function pruneFiles(
  cacheDir: string,
  prefix: string,
  suffix: string,
  keep: string,
): Promise<void> {
  const found: { path: string; mtime: number }[] = [];
  for await (const e of Deno.readDir(cacheDir)) {
    if (!e.isFile || !e.name.startsWith(prefix)) continue;
    if (!e.name.endsWith(suffix)) continue;
    const path = `${cacheDir}/${e.name}`;
    const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
    found.push({ path, mtime });
  }
  found.sort((a, b) => b.mtime - a.mtime);
  for (const f of found.slice(3)) {
    if (f.path !== keep) await Deno.remove(f.path).catch(() => {});
  }
}

async function fileSha256(path: string): Promise<string> {
  return sha256Hex(await Deno.readFile(path));
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-256",
    data as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(hash).toHex();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * SHA-256 of files, remembered for big ones by device, inode, size and
 * time (the Deno executable is hashed once, not on every build).
 */
class HashMemo {
  readonly #path: string;
  readonly #known: Record<string, string>;
  #dirty = false;

  private constructor(path: string, known: Record<string, string>) {
    this.#path = path;
    this.#known = known;
  }

  static async open(path: string): Promise<HashMemo> {
    try {
      return new HashMemo(path, JSON.parse(await Deno.readTextFile(path)));
    } catch {
      return new HashMemo(path, {});
    }
  }

  async sha256(file: string): Promise<string> {
    const info = await Deno.stat(file);
    if (info.size < 4 * 1024 * 1024) return await fileSha256(file);
    const key = `${info.dev}:${info.ino}:${info.size}:${info.mtime?.getTime()}`;
    const known = this.#known[key];
    if (known) return known;
    const hash = await fileSha256(file);
    this.#known[key] = hash;
    this.#dirty = true;
    return hash;
  }

  async save(): Promise<void> {
    if (!this.#dirty) return;
    const tmp = `${this.#path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(this.#known));
    await Deno.rename(tmp, this.#path);
  }
}
