import assert from "node:assert/strict";
import { analyze, RESERVED_ENV } from "../../descriptor/mod.ts";
import { planSpawn } from "./spawn_plan.ts";

Deno.test("planSpawn() ignores exactly the env names that dora validate warns about", async () => {
  const names = [...RESERVED_ENV, "DORA_ZENOH_MODE", "DYLD_INSERT_LIBRARIES"];
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.py`, "");
    const env = names.map((n) => `      ${n}: x`).join("\n");
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `nodes:\n  - id: a\n    path: a.py\n    env:\n      MINE: kept\n${env}\n`,
    );
    const analysis = await analyze(`${dir}/dataflow.yml`, { skipPaths: true });
    const warned = analysis.diagnostics
      .filter((d) => d.severity === "warning" && /reserved/.test(d.message))
      .map((d) => /env variable "([A-Z_]+)"/.exec(d.message)?.[1]);
    assert.deepEqual(warned.sort(), [...names].sort());

    const plan = planSpawn(analysis.dataflow!.nodes[0], {
      workingDir: dir,
      socketPath: `${dir}/s`,
      importMapPath: `${dir}/import_map.json`,
      apiDirs: [],
      pythonPath: dir,
      operatorRuntime: `${dir}/runtime.ts`,
      allowShell: false,
    });
    for (const n of names) assert.equal(plan.env[n], undefined, n);
    assert.equal(plan.env.MINE, "kept");
    assert.equal(plan.warnings.length, names.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
