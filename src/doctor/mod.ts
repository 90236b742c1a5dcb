/**
 * `dora doctor`: checks what dora needs on this machine and in the cluster,
 * each with ✔/!/✘ and a fix: versions, Python and pyarrow, /dev/shm and FFI,
 * the cached TypeScript node API, the coordinator and daemons, running
 * dataflows, and optionally a descriptor (the full `dora validate`).
 *
 * @example
 * ```ts
 * import { runDoctor } from "./mod.ts";
 * const checks = await runDoctor({
 *   doraVersion: "0.1.0",
 *   root: "/path/to/dora",
 *   cluster: async () => ({ address: "127.0.0.1:6013", unreachable: "connection refused", daemons: [], dataflows: [] }),
 * });
 * console.log(checks.filter((c) => c.status === "fail").length);
 * ```
 *
 * @module
 */
import { type CheckResult, result } from "./check.ts";
import { checkVersions } from "./versions.ts";
import { checkPython } from "./python.ts";
import { checkFfi, checkShmFolder, checkShmLibrary } from "./shared_memory.ts";
import { checkNodeApiCache } from "./node_api_cache.ts";
import { checkDescriptor, checkGit } from "./descriptor.ts";
import { checkCluster, type ClusterFacts } from "./cluster.ts";

export { type CheckResult, type CheckStatus, result } from "./check.ts";
export type { ClusterFacts } from "./cluster.ts";

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  doraVersion: string;
  /** The dora install root. */
  root: string;
  /** A descriptor to validate and check the needs of (`--dataflow`). */
  dataflow?: string;
  /** Asks the coordinator (the CLI's client does it). */
  cluster: () => Promise<ClusterFacts>;
}

/** Runs every check, in the order they are shown. */
export async function runDoctor(opts: DoctorOptions): Promise<CheckResult[]> {
  const checks: CheckResult[] = [...checkVersions(opts.doraVersion, opts.root)];
  let needs;
  let descriptor: CheckResult | undefined;
  if (opts.dataflow) {
    try {
      const d = await checkDescriptor(opts.dataflow);
      descriptor = d.check;
      needs = d.needs;
    } catch (err) {
      descriptor = result(
        "dataflow",
        "fail",
        `${opts.dataflow}: ${(err as Error).message}`,
      );
    }
  }
  const [python, shm, cache, cluster] = await Promise.all([
    checkPython(
      needs?.dir ?? Deno.cwd(),
      needs?.python ?? false,
      `${opts.root}/nodes/api/python`,
    ),
    checkShmFolder(),
    checkNodeApiCache(opts.root),
    opts.cluster(),
  ]);
  checks.push(...python, shm, checkFfi(), checkShmLibrary());
  if (needs?.typescript && cache.status !== "ok") cache.status = "fail";
  checks.push(cache);
  if (needs?.git) checks.push(await checkGit());
  checks.push(...checkCluster(cluster, opts.doraVersion));
  if (descriptor) checks.push(descriptor);
  return checks;
}
