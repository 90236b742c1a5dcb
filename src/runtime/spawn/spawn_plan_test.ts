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

Deno.test("planSpawn() runs a zenoh node's program with its key and bridge, reaching only the bridge", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: in
    zenoh: { subscribe: "robot/**" }
    outputs: [pose]
  - id: out
    zenoh: { publish: robot/plan, endpoint: "ws/10.0.0.2:9000" }
    inputs: { pose: in/pose }
`,
    );
    const analysis = await analyze(`${dir}/dataflow.yml`);
    const [sub, pub] = analysis.dataflow!.nodes;
    assert.equal(sub.path, "dora/zenoh/sub");
    assert.equal(pub.path, "dora/zenoh/pub");
    const ctx = {
      workingDir: dir,
      socketPath: `${dir}/s`,
      importMapPath: `${dir}/import_map.json`,
      apiDirs: [],
      pythonPath: dir,
      operatorRuntime: `${dir}/runtime.ts`,
      allowShell: false,
      zenohEndpoint: "ws/127.0.0.1:10500",
    };
    const s = planSpawn(sub, ctx);
    assert.equal(s.kind, "deno");
    assert.match(s.args.at(-3)!, /\/nodes\/zenoh\/sub\.ts$/);
    assert.deepEqual(s.args.slice(-2), ["robot/**", "ws/127.0.0.1:10500"]);
    assert.ok(
      s.args.includes("--allow-net=unix:" + `${dir}/s,127.0.0.1:10500`),
    );
    const p = planSpawn(pub, ctx);
    assert.match(p.args.at(-3)!, /\/nodes\/zenoh\/pub\.ts$/);
    assert.deepEqual(p.args.slice(-2), ["robot/plan", "ws/10.0.0.2:9000"]);
    assert.ok(p.args.includes("--allow-net=unix:" + `${dir}/s,10.0.0.2:9000`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
