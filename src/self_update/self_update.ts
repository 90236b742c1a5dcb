/**
 * `dora self update`: asks a release source for its latest version and, when
 * it is newer than the running program, replaces the program with it.
 *
 * @module
 */
import { compareVersions } from "../semver.ts";
import {
  fetchManifest,
  type ReleaseAsset,
  type ReleaseManifest,
} from "./release_manifest.ts";
import { replaceProgram } from "./replace_program.ts";
import { assetTarget, type RunningProgram } from "./running_program.ts";
import { SelfUpdateError } from "./self_update_error.ts";

/**
 * Where releases come from unless `--source` or `DORA_RELEASE_SOURCE` name
 * another: the manifest of this project's latest published release.
 */
export const DEFAULT_RELEASE_SOURCE =
  "https://github.com/dora-rs/dora-deno/releases/latest/download/manifest.json";

/** The release source from the flag, the environment or the default. */
export function releaseSource(flag?: string): string {
  return flag ?? Deno.env.get("DORA_RELEASE_SOURCE") ?? DEFAULT_RELEASE_SOURCE;
}

/** What the release source offers compared with the running version. */
export interface UpdateCheck {
  current: string;
  latest: string;
  newer: boolean;
  manifest: ReleaseManifest;
}

/** Compares the source's latest release with `current`. */
export async function checkForUpdate(
  current: string,
  source: string,
): Promise<UpdateCheck> {
  const manifest = await fetchManifest(source);
  return {
    current,
    latest: manifest.version,
    // A development build ahead of the latest release is not "outdated".
    newer: compareVersions(manifest.version, current) > 0,
    manifest,
  };
}

/** The asset of `manifest` that replaces `program`. */
export function assetFor(
  manifest: ReleaseManifest,
  program: RunningProgram,
): ReleaseAsset {
  if (program.kind === "source") {
    throw new SelfUpdateError(
      "not-installed",
      `this dora runs from a source checkout (${program.path}), which self update does not replace`,
      "update the checkout with `git pull` (then scripts/setup.sh), or install a release build",
    );
  }
  const target = assetTarget(program.kind);
  const asset = manifest.assets.find((a) => a.target === target);
  if (!asset) {
    throw new SelfUpdateError(
      "no-asset",
      `release ${manifest.version} has no ${
        target === "bundle" ? "bundle (dora.js)" : `build for ${target}`
      }`,
      `it offers: ${
        manifest.assets.map((a) => a.target).join(", ") || "nothing"
      }`,
    );
  }
  return asset;
}

/** Replaces `program` with the asset of `check`'s release. */
export async function applyUpdate(
  check: UpdateCheck,
  program: RunningProgram,
): Promise<void> {
  await replaceProgram(assetFor(check.manifest, program), program.path);
}
