/**
 * The release manifest a release source serves (JSON):
 *
 * ```json
 * {
 *   "version": "0.2.0",
 *   "assets": [
 *     { "target": "bundle", "url": "dora.js", "sha256": "…" },
 *     { "target": "x86_64-unknown-linux-gnu", "url": "dora-x86_64-unknown-linux-gnu", "sha256": "…" }
 *   ]
 * }
 * ```
 *
 * `target` is `bundle` for the one-file JavaScript program (`deno run -A
 * dora.js`) or a Deno target triple for compiled binaries; `url` may be
 * relative to the manifest. `scripts/release.ts` writes one.
 *
 * @module
 */
import { fetchErrorMessage } from "../errors.ts";
import { isVersion } from "../semver.ts";
import { SelfUpdateError } from "./self_update_error.ts";

/** One downloadable program of a release. */
export interface ReleaseAsset {
  target: string;
  /** Absolute URL. */
  url: string;
  /** SHA-256 (hex, lowercase) of the file. */
  sha256: string;
}

/** A parsed manifest. */
export interface ReleaseManifest {
  version: string;
  assets: ReleaseAsset[];
}

/** The file name of the manifest inside a release folder. */
export const MANIFEST_NAME = "manifest.json";

/**
 * Parses `text` fetched from `url`, naming the field that is wrong.
 *
 * @throws {SelfUpdateError} (`problem: "source"`).
 */
export function parseManifest(text: string, url: string): ReleaseManifest {
  const bad = (why: string): never => {
    throw new SelfUpdateError(
      "source",
      `the release manifest at ${url} is invalid: ${why}`,
    );
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return bad(`not JSON (${(err as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null) return bad("not an object");
  const { version, assets } = raw as Record<string, unknown>;
  if (typeof version !== "string" || !isVersion(version)) {
    bad(`"version" must be a semantic version, got ${JSON.stringify(version)}`);
  }
  if (!Array.isArray(assets)) return bad(`"assets" must be a list`);
  const out: ReleaseAsset[] = assets.map((a, i) => {
    const at = `assets[${i}]`;
    if (typeof a !== "object" || a === null) {
      return bad(`${at} is not an object`);
    }
    const { target, url: rel, sha256 } = a as Record<string, unknown>;
    if (typeof target !== "string" || !target) bad(`${at}.target is missing`);
    if (typeof rel !== "string" || !rel) bad(`${at}.url is missing`);
    if (typeof sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha256)) {
      bad(`${at}.sha256 must be 64 hex digits`);
    }
    let abs: string;
    try {
      abs = new URL(rel as string, url).href;
    } catch {
      return bad(`${at}.url ${JSON.stringify(rel)} is not a URL`);
    }
    return {
      target: target as string,
      url: abs,
      sha256: (sha256 as string).toLowerCase(),
    };
  });
  return { version: version as string, assets: out };
}

/**
 * Fetches and parses the manifest at `url` (a folder URL gets
 * `manifest.json` appended).
 *
 * @throws {SelfUpdateError} when it is unreachable or invalid.
 */
export async function fetchManifest(url: string): Promise<ReleaseManifest> {
  const full = url.endsWith("/") ? `${url}${MANIFEST_NAME}` : url;
  let response: Response;
  try {
    response = await fetch(full, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new SelfUpdateError(
      "source",
      `cannot reach the release source ${full}: ${fetchErrorMessage(err)}`,
      "check the network, or name another source with --source / DORA_RELEASE_SOURCE",
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new SelfUpdateError(
      "source",
      `the release source ${full} answered ${response.status} ${response.statusText}`
        .trim(),
      "check the URL given with --source / DORA_RELEASE_SOURCE",
    );
  }
  return parseManifest(text, full);
}
