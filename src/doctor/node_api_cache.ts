/**
 * Whether TypeScript nodes can start offline: everything the node API
 * imports (through the import map nodes run with) is in Deno's cache.
 *
 * @module
 */
import { importMap } from "../runtime/spawn/node_config.ts";
import { type CheckResult, result } from "./check.ts";
import { runQuiet } from "./_run.ts";

/** Loads the node API with `--cached-only`, as a TypeScript node would. */
export async function checkNodeApiCache(root: string): Promise<CheckResult> {
  const dir = Deno.makeTempDirSync({ prefix: "dora-doctor-" });
  try {
    Deno.writeTextFileSync(`${dir}/import_map.json`, importMap(root));
    Deno.writeTextFileSync(`${dir}/probe.ts`, `import "dora";\n`);
    const r = await runQuiet(Deno.execPath(), [
      "run",
      "--cached-only",
      "--no-config",
      `--import-map=${dir}/import_map.json`,
      "--allow-read",
      `${dir}/probe.ts`,
    ], { env: { NO_COLOR: "1" } });
    if (r.code === 0) {
      return result(
        "node-api-cache",
        "ok",
        "TypeScript node API cached: TS nodes start without network",
      );
    }
    return result(
      "node-api-cache",
      "warn",
      "TypeScript node API not fully cached: TS nodes download npm packages on their first run (and fail offline)",
      {
        fix:
          `run ${root}/scripts/setup.sh (or deno task install) once with network`,
        details: r.stderr.split("\n").filter((l) =>
          /not found in cache|error/i.test(l)
        ).slice(0, 2),
      },
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
