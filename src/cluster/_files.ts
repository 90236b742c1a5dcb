/**
 * Files of an artifact: listing, SHA-256 (remembered for big files), the
 * manifest in `sha256sum` format, the gzip'd tar, and pruning of caches.
 *
 * @module
 */
import { ArtifactError } from "./errors.ts";

/** SHA-256 of a file, as hex. */
export async function fileSha256(path: string): Promise<string> {
  return sha256Hex(await Deno.readFile(path));
}

/** SHA-256 of bytes, as hex. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-256",
    data as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(hash).toHex();
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Relative paths of every file below `root`, sorted. */
export async function listFiles(root: string): Promise<string[]> {
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
export function sortManifest(text: string): string {
  const lines = text.split("\n").filter((l) => l);
  lines.sort((a, b) => {
    const pa = a.slice(a.indexOf("  ") + 2);
    const pb = b.slice(b.indexOf("  ") + 2);
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  });
  return lines.map((l) => `${l}\n`).join("");
}

/** The `MANIFEST.sha256` text (sha256sum format) of every file of `stage`. */
export async function writeManifest(
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
export async function pack(
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

/** Keeps the three newest files `<prefix>…<suffix>` of `cacheDir` (and `keep`). */
export async function pruneFiles(
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

/**
 * SHA-256 of files, remembered for big ones by device, inode, size and
 * time (the Deno executable is hashed once, not on every build).
 */
export class HashMemo {
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
