import assert from "node:assert/strict";
import { analyze, RESERVED_ENV } from "../../descriptor/mod.ts";
import { planSpawn } from "./spawn_plan.ts";
import { shmLibraryForRun } from "./shm_library.ts";

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

Deno.test("planSpawn() limits a TypeScript node's FFI to dora's library and names it; without it, one warning and no FFI", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.ts`, "");
    await Deno.writeTextFile(
      `${dir}/dataflow.yml`,
      `nodes:
  - id: a
    path: a.ts
  - id: b
    path: a.ts
  - id: c
    path: a.ts
    permissions: { ffi: false }
`,
    );
    const analysis = await analyze(`${dir}/dataflow.yml`);
    const [a, b, c] = analysis.dataflow!.nodes;
    const base = {
      workingDir: dir,
      socketPath: `${dir}/s`,
      importMapPath: `${dir}/import_map.json`,
      apiDirs: [],
      pythonPath: dir,
      operatorRuntime: `${dir}/runtime.ts`,
      allowShell: false,
    };
    const lib = "/cache/shm/dora_shm-1.so";
    const ctx = {
      ...base,
      shmLibrary: shmLibraryForRun(() => ({ path: lib })),
    };
    const pa = planSpawn(a, ctx);
    assert.ok(pa.args.includes(`--allow-ffi=${lib}`), String(pa.args));
    assert.ok(!pa.args.includes("--allow-ffi"));
    assert.equal(pa.env.DORA_SHM_LIBRARY, lib);
    assert.equal(pa.shm, true);
    const pc = planSpawn(c, ctx);
    assert.ok(!pc.args.some((x) => x.startsWith("--allow-ffi")));
    assert.equal(pc.env.DORA_SHM_LIBRARY, undefined);
    assert.equal(pc.shm, false);

    const none = {
      ...base,
      shmLibrary: shmLibraryForRun(() => ({ problem: "no C compiler" })),
    };
    const [na, nb] = [planSpawn(a, none), planSpawn(b, none)];
    assert.ok(!na.args.some((x) => x.startsWith("--allow-ffi")));
    assert.equal(na.shm, false);
    assert.deepEqual(
      [...na.warnings, ...nb.warnings].filter((w) => /no C compiler/.test(w))
        .length,
      1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
