/**
 * Making sure a machine has this dora: probe it, build the artifact for its
 * Deno target (once per target), reuse the installed copy when every
 * checksum matches, ship it otherwise.
 *
 * @module
 */
import {
  type Artifact,
  type ArtifactSources,
  buildArtifact,
} from "./artifact.ts";
import type { MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";
import { type DenoTarget, denoTarget } from "./platform.ts";
import { type MachineProbe, probeMachine, verifyVersion } from "./probe.ts";
import { shipArtifact } from "./ship.ts";

/** Progress lines about one machine. */
export type Progress = (machineId: string, line: string) => void;

/** Builds each target's artifact once, however many machines need it. */
export class ArtifactBuilder {
  readonly #sources: ArtifactSources;
  readonly #builds = new Map<DenoTarget, Promise<Artifact>>();

  constructor(sources: ArtifactSources) {
    this.#sources = sources;
  }

  /** The artifact for `target` (built on first use). */
  get(target: DenoTarget): Promise<Artifact> {
    let build = this.#builds.get(target);
    if (!build) {
      build = buildArtifact(target, this.#sources);
      this.#builds.set(target, build);
    }
    return build;
  }
}

/** What {@link ensureDora} found and did. */
export interface EnsuredDora {
  probe: MachineProbe;
  artifact: Artifact;
  /** `current` already pointed at this version. */
  active: boolean;
  /** It had to be copied (absent or damaged). */
  shipped: boolean;
}

/**
 * Makes sure `<install_dir>/versions/<id>` on `m` holds this dora intact.
 * `precheck` may refuse the machine (a message) before anything is copied.
 *
 * @throws {SshError} when the machine cannot be reached.
 * @throws {MachineError} for an unsupported machine or a failed copy.
 */
export async function ensureDora(
  m: MachineConfig,
  builder: ArtifactBuilder,
  progress: Progress,
  precheck?: (probe: MachineProbe) => string | undefined,
): Promise<EnsuredDora> {
  const probe = await probeMachine(m);
  const problem = precheck?.(probe);
  if (problem) throw new MachineError(m.id, problem);
  let target: DenoTarget;
  try {
    target = denoTarget(probe.os, probe.arch, probe.libc);
  } catch (err) {
    throw new MachineError(
      m.id,
      `machine "${m.id}" (${probe.os} ${probe.arch}): ${
        err instanceof Error ? err.message : err
      }`,
      { cause: err },
    );
  }
  progress(m.id, `${probe.os} ${probe.arch}, dora in ${probe.installDir}`);
  let artifact: Artifact;
  try {
    artifact = await builder.get(target);
  } catch (err) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": cannot build dora for ${target}: ${
        err instanceof Error ? err.message : err
      }`,
      { cause: err },
    );
  }
  const state = await verifyVersion(m, artifact.id);
  let shipped = false;
  if (state === "verified") {
    progress(m.id, `dora ${artifact.version} (${artifact.id}) is installed`);
  } else {
    progress(
      m.id,
      `${
        state === "corrupt" ? "installed copy is damaged; " : ""
      }copying dora ${artifact.version} (${artifact.id}, ${
        mb(artifact.bytes)
      })…`,
    );
    await shipArtifact(m, artifact);
    shipped = true;
    progress(m.id, `copied; every checksum verified`);
  }
  return {
    probe,
    artifact,
    active: probe.current === artifact.id,
    shipped,
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}
