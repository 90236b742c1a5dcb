/**
 * Copying an artifact to a machine over SSH (a gzip'd tar on the SSH
 * channel), checking every file's checksum there, and switching the
 * machine's `current` version.
 *
 * @module
 */
import type { Artifact } from "./artifact.ts";
import type { MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";
import { ACTIVATE_SCRIPT, SHIP_SCRIPT } from "./remote_scripts.ts";
import { runRemote } from "./ssh.ts";

/**
 * Ships `artifact` into `<install_dir>/versions/<id>` on `m`. Nothing
 * running is touched; {@link activateVersion} switches to it.
 *
 * @throws {MachineError} naming the machine when the copy or a checksum fails.
 */
export async function shipArtifact(
  m: MachineConfig,
  artifact: Artifact,
): Promise<void> {
  const file = await Deno.open(artifact.tarball);
  const r = await runRemote(m, SHIP_SCRIPT, {
    args: [m.installDir, artifact.id],
    stdin: file.readable,
  });
  if (r.code !== 0 || !r.stdout.includes(`shipped=${artifact.id}`)) {
    const detail = r.stderr.trim().split("\n").filter((l) => l).slice(-3);
    throw new MachineError(
      m.id,
      r.code === 3
        ? `machine "${m.id}": checksum mismatch after copying dora to ${m.installDir}: ${
          detail.join("; ")
        }`
        : `machine "${m.id}": copying dora to ${m.installDir} failed (exit ${r.code})${
          detail.length ? `: ${detail.join("; ")}` : ""
        }`,
    );
  }
}

/**
 * Points `<install_dir>/current` and `<install_dir>/dora` at version `id`
 * and removes older versions (keeping the previous one).
 *
 * @throws {MachineError} when the version is not installed.
 */
export async function activateVersion(
  m: MachineConfig,
  id: string,
): Promise<void> {
  const r = await runRemote(m, ACTIVATE_SCRIPT, { args: [m.installDir, id] });
  if (r.code !== 0) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": cannot switch to dora ${id}: ${r.stderr.trim()}`,
    );
  }
}
