/**
 * Downloads a release asset, checks its SHA-256 and replaces a program file
 * with it atomically: the bytes go to a temporary file in the same folder
 * (same mode as the old file), which is renamed over the old one only when
 * complete and verified. Any failure leaves the old program in place and no
 * temporary file behind.
 *
 * @module
 */
import { fetchErrorMessage } from "../errors.ts";
import type { ReleaseAsset } from "./release_manifest.ts";
import { SelfUpdateError } from "./self_update_error.ts";

async function download(asset: ReleaseAsset): Promise<Uint8Array> {
  const fail = (why: string): never => {
    throw new SelfUpdateError(
      "download",
      `cannot download ${asset.url}: ${why}`,
      "nothing was changed; try again later",
    );
  };
  let response: Response;
  try {
    response = await fetch(asset.url, { signal: AbortSignal.timeout(600_000) });
  } catch (err) {
    return fail(fetchErrorMessage(err));
  }
  if (!response.ok) {
    await response.body?.cancel();
    return fail(
      `the server answered ${response.status} ${response.statusText}`.trim(),
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    return fail(`the transfer broke off (${(err as Error).message})`);
  }
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (!Number.isNaN(length) && length !== bytes.length) {
    fail(`the transfer ended after ${bytes.length} of ${length} bytes`);
  }
  return bytes;
}

/**
 * Replaces the file at `target` with `asset`.
 *
 * @throws {SelfUpdateError} for a failed download, a checksum mismatch or a
 * file that cannot be written; `target` is unchanged then.
 */
export async function replaceProgram(
  asset: ReleaseAsset,
  target: string,
): Promise<void> {
  const bytes = await download(asset);
  const sha256 = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  ).toHex();
  if (sha256 !== asset.sha256) {
    throw new SelfUpdateError(
      "download",
      `checksum mismatch for ${asset.url}: the manifest says ${asset.sha256}, the download is ${sha256}`,
      "nothing was changed; the release or the download is corrupt",
    );
  }
  const dir = target.slice(0, target.lastIndexOf("/")) || "/";
  const mode = Deno.statSync(target).mode ?? 0o755;
  let temp: string | undefined;
  try {
    temp = Deno.makeTempFileSync({ dir, prefix: ".dora-update-" });
    const file = Deno.openSync(temp, { write: true, truncate: true });
    try {
      let off = 0;
      while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
      file.syncSync();
    } finally {
      file.close();
    }
    Deno.chmodSync(temp, mode & 0o7777);
    Deno.renameSync(temp, target);
    temp = undefined;
  } catch (err) {
    throw new SelfUpdateError(
      "replace",
      `cannot replace ${target}: ${(err as Error).message}`,
      `nothing was changed; check that you may write to ${dir}`,
    );
  } finally {
    if (temp) {
      try {
        Deno.removeSync(temp);
      } catch {
        // never created
      }
    }
  }
}
