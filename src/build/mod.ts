/**
 * The build stage: what happens to a dataflow's nodes before they can run.
 * `git:` sources cloned at their ref, `build:` commands run (with `uv pip`
 * under `--uv`), URL sources downloaded into a cache and verified. Used by
 * `dora run` (before spawning), `dora build` and daemons.
 *
 * @example
 * ```ts
 * import { buildDataflow, BuildError } from "./mod.ts";
 * import { loadDataflow } from "../descriptor/mod.ts";
 * const { dataflow } = await loadDataflow("dataflow.yml");
 * try {
 *   const ready = await buildDataflow(dataflow, {
 *     build: true,
 *     onLine: (node, line) => console.error(`${node}: ${line}`),
 *   });
 *   console.log(ready.nodes.map((n) => n.path));
 * } catch (err) {
 *   if (err instanceof BuildError) console.error(err.message, err.details());
 * }
 * ```
 *
 * @module
 */
export { BuildError, type BuildStep } from "./build_error.ts";
export {
  buildDataflow,
  type BuildDataflowOptions,
  isUrlSource,
  needsBuild,
} from "./build_dataflow.ts";
export { buildLines, runBuildCommand } from "./build_command.ts";
export {
  checkoutGitSource,
  describeRef,
  gitCloneDir,
  type GitSource,
} from "./git_source.ts";
export {
  type CachedSource,
  fetchUrlSource,
  urlCacheDir,
} from "./url_source.ts";
export { ArchiveError, archiveKind, unpackArchive } from "./archive.ts";
export { doraCacheDir } from "./cache_dir.ts";
export {
  ensureUv,
  ensureUvVenv,
  findUv,
  managedUvPath,
  UvError,
  uvVersion,
} from "./uv.ts";
export {
  type BuildCommand,
  buildCommands,
  BuildNotAllowedError,
  checkBuildAllowed,
  isBuildTrusted,
  trustBuild,
} from "./trust.ts";
