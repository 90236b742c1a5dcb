/**
 * Caches everything TypeScript nodes import (the node API and its npm
 * packages, resolved through the same import map `dora run` gives nodes) in
 * Deno's cache, so that nodes start without network, and builds dora's
 * shared-memory library for them (`src/shm/dora_shm.c`; `dora run` would
 * build it on first use). Run by `scripts/setup.sh` and `deno task install`.
 *
 * @module
 */
import { importMap } from "../src/runtime/spawn/node_config.ts";
import { shmLibrary } from "../src/runtime/spawn/shm_library.ts";

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const dir = Deno.makeTempDirSync({ prefix: "dora-cache-" });
try {
  Deno.writeTextFileSync(`${dir}/import_map.json`, importMap(root));
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "cache",
      "--quiet",
      "--no-config",
      `--import-map=${dir}/import_map.json`,
      `${root}/nodes/api/ts/mod.ts`,
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) {
    console.error("cache_node_api: caching the TypeScript node API failed");
    Deno.exit(1);
  }
} finally {
  Deno.removeSync(dir, { recursive: true });
}

const library = shmLibrary();
if ("problem" in library) {
  console.error(
    `cache_node_api: warning: TypeScript nodes will send big messages through the socket: ${library.problem}`,
  );
}
