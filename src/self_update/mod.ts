/**
 * `dora self update` / `dora self uninstall`: replacing the running program
 * with a newer release (verified, atomic) and removing what the install put
 * in place.
 *
 * @example
 * ```ts
 * import { applyUpdate, checkForUpdate, releaseSource, runningProgram } from "./mod.ts";
 * const check = await checkForUpdate("0.1.0", releaseSource());
 * if (check.newer) await applyUpdate(check, runningProgram());
 * ```
 *
 * @module
 */
export {
  applyUpdate,
  assetFor,
  checkForUpdate,
  DEFAULT_RELEASE_SOURCE,
  releaseSource,
  type UpdateCheck,
} from "./self_update.ts";
export {
  fetchManifest,
  MANIFEST_NAME,
  parseManifest,
  type ReleaseAsset,
  type ReleaseManifest,
} from "./release_manifest.ts";
export { replaceProgram } from "./replace_program.ts";
export {
  assetTarget,
  type RunningProgram,
  runningProgram,
} from "./running_program.ts";
export {
  SelfUpdateError,
  type SelfUpdateProblem,
} from "./self_update_error.ts";
export { denoInstallRoot, removePaths, uninstallPlan } from "./uninstall.ts";
