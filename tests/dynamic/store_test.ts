/**
 * Runtime parameters and graph changes are kept in the coordinator's SQLite
 * store: after a coordinator restart they are still there, and changes go
 * on reaching the node.
 */
import assert from "node:assert/strict";
import { dyn, startCluster } from "./_cluster.ts";

Deno.test("dora param values and an added node survive a coordinator restart with the SQLite store", async () => {
  const store = ["--store", "sqlite:state/store.sqlite"];
  await using df = await startCluster(
    `
nodes:
  - id: counter
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/50 }
    outputs: [value]
  - id: ts
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
    params: { threshold: 0.5 }
`,
    { coordinatorArgs: store },
  );
  await df.saw("ts", /"type":"INPUT"/);
  assert.equal(
    (await df.dora(["param", "set", "ts", "threshold", "0.9"])).code,
    0,
  );
  const file = df.sb.write(
    "py.yml",
    `id: py\npath: ${
      dyn("watcher.py")
    }\ninputs: { value: counter/value }\nparams: { mode: fast }\n`,
  );
  const add = await df.dora(["node", "add", "--from-yaml", file]);
  assert.equal(add.code, 0, add.stderr);
  await df.saw("py", /"type":"INPUT"/);

  const [coordinator, daemon] = df.sb.procs;
  await coordinator!.stop("SIGKILL");
  const registered = daemon!.stderr.split("registered with").length;
  await df.sb.coordinator(store);
  await daemon!.waitFor(new RegExp(`(registered with[^]*){${registered}}`));

  const get = await df.dora(["param", "get", "ts", "threshold"]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(get.stdout.trim(), "0.9");
  const list = await df.dora(["param", "list", "py", "--format", "json"]);
  assert.deepEqual(JSON.parse(list.stdout).params, { mode: "fast" });
  const expand = await df.dora(["expand", "demo"]);
  assert.match(expand.stdout, /id: py/);
  // Changes still reach the node through the new coordinator.
  const set = await df.dora([
    "param",
    "set",
    "py",
    "mode",
    '"slow"',
    "--format",
    "json",
  ]);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(JSON.parse(set.stdout).delivered, true);
  await df.saw(
    "py",
    /"type":"PARAM_UPDATE","id":"mode","key":"mode","value":"slow"/,
  );
});
