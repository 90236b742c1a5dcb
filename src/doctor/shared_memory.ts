/**
 * Shared memory: `/dev/shm` is a world-writable folder with free space, and
 * FFI works so that a region can really be created, mapped and unlinked
 * (the zero-copy path for big messages), also through dora's library, the
 * only FFI of TypeScript nodes.
 *
 * @module
 */
import { libc, libcCalls, libcError, ShmError, ShmRegion } from "../shm/mod.ts";
import { libraryCalls } from "../shm/library_calls.ts";
import { shmLibrary } from "../runtime/spawn/shm_library.ts";
import { type CheckResult, result } from "./check.ts";
import { runQuiet } from "./_run.ts";

/** Below this much free space in /dev/shm big messages may fail. */
export const LOW_SHM_BYTES = 64 * 1024 * 1024;

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** The /dev/shm check. */
export async function checkShmFolder(dir = "/dev/shm"): Promise<CheckResult> {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(dir);
  } catch (err) {
    return result(
      "shm",
      "fail",
      `${dir} is missing (${(err as Error).message})`,
      {
        fix:
          `mount a tmpfs there: sudo mkdir -p ${dir} && sudo mount -t tmpfs -o mode=1777 tmpfs ${dir} (containers: --shm-size=1g)`,
      },
    );
  }
  if (!st.isDirectory) {
    return result("shm", "fail", `${dir} is not a folder`, {
      fix: `mount a tmpfs at ${dir}`,
    });
  }
  const mode = (st.mode ?? 0) & 0o7777;
  if ((mode & 0o777) !== 0o777) {
    return result(
      "shm",
      "fail",
      `${dir} has mode ${mode.toString(8)}, nodes cannot create regions in it`,
      { fix: `sudo chmod 1777 ${dir}` },
    );
  }
  const df = await runQuiet("df", ["-Pk", dir]);
  const fields = df.stdout.split("\n")[1]?.trim().split(/\s+/);
  const free = fields ? Number(fields[3]) * 1024 : NaN;
  const total = fields ? Number(fields[1]) * 1024 : NaN;
  if (Number.isNaN(free)) {
    return result(
      "shm",
      "ok",
      `${dir} present (free space unknown: ${df.stderr || "df failed"})`,
    );
  }
  if (free < LOW_SHM_BYTES) {
    return result(
      "shm",
      "warn",
      `${dir}: only ${mib(free)} free of ${mib(total)}`,
      {
        fix:
          `free space in ${dir} (stale regions: dora clean) or enlarge it (sudo mount -o remount,size=1G ${dir}; containers: --shm-size=1g)`,
      },
    );
  }
  return result("shm", "ok", `${dir}: ${mib(free)} free of ${mib(total)}`);
}

/** Creates, maps, writes and unlinks one small region through FFI. */
export function checkFfi(): CheckResult {
  const c = libc();
  if (!c) {
    return result("ffi", "fail", `FFI unusable: ${libcError()}`, {
      fix:
        "run dora with --allow-ffi (scripts/dora.sh and deno task install do); without FFI big messages go through the socket",
    });
  }
  const name = `/dora-doctor-${Deno.pid}`;
  try {
    const region = ShmRegion.create(libcCalls(c), name, 4096);
    try {
      new Uint8Array(region.buffer)[0] = 42;
    } finally {
      region.unlink();
      region.unmap();
    }
    return result(
      "ffi",
      "ok",
      "FFI works: a shared-memory region was created, mapped and removed",
    );
  } catch (err) {
    const code = err instanceof ShmError ? err.code : "";
    return result(
      "ffi",
      "fail",
      `cannot create a shared-memory region: ${(err as Error).message}`,
      {
        fix: code === "EACCES"
          ? "make /dev/shm writable (sudo chmod 1777 /dev/shm)"
          : "check /dev/shm (space, permissions) and the process limits (ulimit -n)",
      },
    );
  }
}

/**
 * dora's shared-memory library, the only FFI TypeScript nodes get by default:
 * built (or found in the cache) and one region really mapped through it.
 */
export function checkShmLibrary(): CheckResult {
  const lib = shmLibrary();
  if ("problem" in lib) {
    return result(
      "shm-library",
      "warn",
      `TypeScript nodes send big messages through the socket: ${lib.problem}`,
      {
        fix:
          "install a C compiler (Debian: sudo apt-get install gcc), then run dora again",
      },
    );
  }
  const name = `/dora-doctor-${Deno.pid}-1`;
  try {
    const region = ShmRegion.create(libraryCalls(lib.path), name, 4096);
    region.unlink();
    region.unmap();
    return result(
      "shm-library",
      "ok",
      `TypeScript nodes map shared memory through ${lib.path} (their only FFI)`,
    );
  } catch (err) {
    return result(
      "shm-library",
      "fail",
      `dora's shared-memory library does not work: ${(err as Error).message}`,
      {
        fix: `remove ${lib.path} so that dora builds it again; check /dev/shm`,
      },
    );
  }
}
