/**
 * URL node sources (`path: https://…`): the file is downloaded once into the
 * cache (`<cache>/sources/<sha256 of the URL>/`), checked against
 * `path_sha256` when the node gives one, unpacked when it is an archive
 * (`.tar.gz`, `.tgz`, `.tar`, `.zip`) and made executable. Later runs use the
 * cached copy without the network. A download goes to a temporary folder that
 * is renamed into place only once complete and verified.
 *
 * Which file of an archive runs: the one named by the URL's fragment
 * (`…/nodes.tar.gz#bin/camera`), else the only file in it, else the file named
 * like the node id.
 *
 * @module
 */
import { fetchErrorMessage } from "../errors.ts";
import { ArchiveError, archiveKind, unpackArchive } from "./archive.ts";
import { BuildError } from "./build_error.ts";
import { doraCacheDir } from "./cache_dir.ts";

/** A downloaded source in the cache. */
export interface CachedSource {
  /** Absolute path of the file to run. */
  path: string;
  /** SHA-256 (hex) of the downloaded bytes. */
  sha256: string;
  /** Whether this call downloaded it (false: it came from the cache). */
  downloaded: boolean;
}

interface Record {
  url: string;
  sha256: string;
  /** The downloaded file's name, or the archive's. */
  file: string;
  /** Relative paths of the unpacked files (archives only). */
  files?: string[];
}

/** Options of {@link fetchUrlSource}. */
export interface UrlSourceOptions {
  node: string;
  /** Expected SHA-256 of the download (the node's `path_sha256`). */
  sha256?: string;
  /** Cache folder; default {@link doraCacheDir}. */
  cacheDir?: string;
  onLine: (line: string) => void;
  /** Abort a download that receives nothing for this long (default 60 s). */
  stallMs?: number;
}

async function sha256Hex(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === "string"
    ? new TextEncoder().encode(bytes)
    : bytes;
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  ).toHex();
}

function readRecord(dir: string): Record | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(`${dir}/source.json`));
  } catch {
    return undefined;
  }
}

/** The cache folder of `url` (whether or not it was downloaded). */
export async function urlCacheDir(url: string, cacheDir = doraCacheDir()) {
  const base = url.split("#")[0]!;
  return `${cacheDir}/sources/${(await sha256Hex(base)).slice(0, 32)}`;
}

/**
 * The local file for the URL source `url` of node `opts.node`, downloading it
 * on first use.
 *
 * @throws {BuildError} for an unreachable URL, a checksum mismatch (nothing
 * is kept then), a corrupt archive or an archive without a clear entry point.
 */
export async function fetchUrlSource(
  url: string,
  opts: UrlSourceOptions,
): Promise<CachedSource> {
  const [base, fragment] = splitFragment(url);
  const expected = opts.sha256?.toLowerCase();
  const dir = await urlCacheDir(base, opts.cacheDir);
  const cached = readRecord(dir);
  if (cached && (!expected || cached.sha256 === expected)) {
    return {
      path: entryPoint(opts.node, url, dir, cached, fragment),
      sha256: cached.sha256,
      downloaded: false,
    };
  }
  const bytes = await download(base, opts);
  const sha256 = await sha256Hex(bytes);
  if (expected && sha256 !== expected) {
    throw new BuildError(
      opts.node,
      "url",
      `checksum mismatch for ${base}: path_sha256 is ${expected}, the download's SHA-256 is ${sha256}`,
      {
        hint:
          "nothing was run or kept; if the file changed on purpose, update the node's `path_sha256`",
      },
    );
  }
  const file =
    decodeURIComponent(new URL(base).pathname.split("/").pop() || "") ||
    "download";
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  Deno.mkdirSync(parent, { recursive: true });
  const partial = Deno.makeTempDirSync({ dir: parent, prefix: ".partial-" });
  try {
    const record: Record = { url: base, sha256, file };
    const kind = archiveKind(file);
    if (kind) {
      try {
        record.files = await unpackArchive(bytes, kind, `${partial}/unpacked`);
      } catch (err) {
        if (!(err instanceof ArchiveError)) throw err;
        throw new BuildError(
          opts.node,
          "url",
          `cannot unpack ${base}: ${err.message}`,
        );
      }
    } else {
      Deno.mkdirSync(`${partial}/file`);
      Deno.writeFileSync(`${partial}/file/${file}`, bytes, { mode: 0o755 });
    }
    const path = entryPoint(opts.node, url, partial, record, fragment);
    Deno.chmodSync(path, Deno.statSync(path).mode! | 0o755);
    Deno.writeTextFileSync(`${partial}/source.json`, JSON.stringify(record));
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // first download
    }
    Deno.renameSync(partial, dir);
    opts.onLine(`cached ${base} (${bytes.length} bytes, sha256 ${sha256})`);
    return {
      path: dir + path.slice(partial.length),
      sha256,
      downloaded: true,
    };
  } finally {
    try {
      Deno.removeSync(partial, { recursive: true });
    } catch {
      // renamed into place
    }
  }
}

function splitFragment(url: string): [string, string | undefined] {
  const i = url.indexOf("#");
  return i < 0 ? [url, undefined] : [url.slice(0, i), url.slice(i + 1)];
}

/** The file of the cached source `dir` that the node runs. */
function entryPoint(
  node: string,
  url: string,
  dir: string,
  record: Record,
  fragment: string | undefined,
): string {
  if (!record.files) return `${dir}/file/${record.file}`;
  const files = record.files;
  const pick = (rel: string) => `${dir}/unpacked/${rel}`;
  if (fragment) {
    const wanted = fragment.replace(/^\.?\//, "");
    if (files.includes(wanted)) return pick(wanted);
    throw new BuildError(
      node,
      "url",
      `${url}: the archive has no file "${wanted}"`,
      {
        hint: `files in it: ${listFiles(files)}`,
      },
    );
  }
  if (files.length === 1) return pick(files[0]!);
  const named = files.filter((f) => {
    const name = f.split("/").pop()!;
    return name === node || name.replace(/\.[^.]+$/, "") === node;
  });
  if (named.length === 1) return pick(named[0]!);
  throw new BuildError(
    node,
    "url",
    `${url}: the archive holds ${files.length} files and none is clearly the node's program`,
    {
      hint: `name it in the URL's fragment, e.g. ${url}#${
        files[0] ?? "path/in/archive"
      } (files: ${listFiles(files)})`,
    },
  );
}

function listFiles(files: string[]): string {
  const shown = files.slice(0, 10).join(", ");
  return files.length > 10 ? `${shown}, … (${files.length} in all)` : shown;
}

async function download(
  url: string,
  opts: UrlSourceOptions,
): Promise<Uint8Array> {
  const fail = (why: string, cause?: unknown): never => {
    throw new BuildError(opts.node, "url", `cannot download ${url}: ${why}`, {
      hint:
        "check the URL and the network (once downloaded, the cached copy is used offline)",
      cause,
    });
  };
  opts.onLine(`downloading ${url}`);
  const controller = new AbortController();
  const stallMs = opts.stallMs ?? 60_000;
  let timer = setTimeout(() => controller.abort(), stallMs);
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal });
    } catch (err) {
      return fail(
        controller.signal.aborted
          ? `no answer within ${stallMs / 1000} s`
          : fetchErrorMessage(err),
        err,
      );
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return fail(
        `the server answered ${response.status} ${response.statusText}`.trim(),
      );
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(), stallMs);
        chunks.push(chunk);
        size += chunk.length;
      }
    } catch (err) {
      return fail(
        `the transfer broke off after ${size} bytes (${
          (err as Error).message
        })`,
        err,
      );
    }
    const length = Number(response.headers.get("content-length") ?? NaN);
    if (!Number.isNaN(length) && length !== size) {
      fail(`the transfer ended after ${size} of ${length} bytes`);
    }
    const bytes = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      bytes.set(c, off);
      off += c.length;
    }
    return bytes;
  } finally {
    clearTimeout(timer);
  }
}
