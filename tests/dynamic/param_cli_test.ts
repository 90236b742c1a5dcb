/**
 * `dora param list/get/set/delete` and `dora node restart/stop` on a
 * dataflow started through a coordinator and a daemon, with real TypeScript
 * and Python nodes.
 */
import assert from "node:assert/strict";
import { dyn, startCluster } from "./_cluster.ts";

const YAML = `
nodes:
  - id: counter
    path: ${dyn("counter.ts")}
    inputs: { tick: dora/timer/millis/50 }
    outputs: [value]
  - id: ts
    path: ${dyn("watcher.ts")}
    inputs: { value: counter/value }
    params:
      threshold: 0.5
      config: { labels: [cat, dog], nms: 0.4 }
  - id: py
    path: ${dyn("watcher.py")}
    inputs: { value: counter/value }
    params:
      threshold: 0.5
`;

for (const node of ["ts", "py"]) {
  Deno.test(`dora param set/delete reach a running ${node === "ts" ? "TypeScript" : "Python"} node as PARAM_UPDATE / PARAM_DELETED, and dora node restart starts it with the current values`, async () => {
    await using df = await startCluster(YAML);
    await df.saw(node, /"type":"INPUT"/);
    const start = df.events(node)[0]!;
    assert.equal(start.type, "START");
    assert.equal((start.params as Record<string, unknown>).threshold, 0.5);

    const set = await df.dora([
      "param",
      "set",
      "-d",
      "demo",
      node,
      "threshold",
      "0.8",
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(
      set.stdout,
      new RegExp(`set "threshold" of node "${node}" in dataflow "demo"`),
    );
    const json = await df.dora([
      "param",
      "set",
      "-d",
      "demo",
      node,
      "mode",
      '{"fast": [1, 2]}',
      "--format",
      "json",
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      uuid: df.uuid,
      name: "demo",
      node,
      key: "mode",
      delivered: true,
    });
    await df.saw(node, /"type":"PARAM_UPDATE","id":"mode"/);

    const get = await df.dora([
      "param",
      "get",
      "-d",
      "demo",
      node,
      "threshold",
    ]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout.trim(), "0.8");

    const del = await df.dora([
      "param",
      "delete",
      "-d",
      "demo",
      node,
      "threshold",
    ]);
    assert.equal(del.code, 0, del.stderr);
    await df.saw(node, /"type":"PARAM_DELETED"/);

    const base = node === "ts"
      ? { config: { labels: ["cat", "dog"], nms: 0.4 } }
      : {};
    const changes = df.events(node).filter((e) =>
      String(e.type).startsWith("PARAM_")
    );
    assert.deepEqual(changes, [
      {
        type: "PARAM_UPDATE",
        id: "threshold",
        key: "threshold",
        value: 0.8,
        params: { ...base, threshold: 0.8 },
      },
      {
        type: "PARAM_UPDATE",
        id: "mode",
        key: "mode",
        value: { fast: [1, 2] },
        params: { ...base, threshold: 0.8, mode: { fast: [1, 2] } },
      },
      {
        type: "PARAM_DELETED",
        id: "threshold",
        key: "threshold",
        params: { ...base, mode: { fast: [1, 2] } },
      },
    ]);

    const list = await df.dora([
      "param",
      "list",
      node,
      "-d",
      "demo",
      "--format",
      "json",
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).params, {
      ...base,
      mode: { fast: [1, 2] },
    });
    const table = await df.dora(["param", "list", node, "-d", "demo"]);
    assert.match(table.stdout, /^KEY\s+VALUE\n/);
    assert.match(table.stdout, /mode\s+\{"fast":\[1,2\]\}/);

    const restart = await df.dora([
      "node",
      "restart",
      "-d",
      "demo",
      node,
      "--grace",
      "5s",
    ]);
    assert.equal(restart.code, 0, restart.stderr);
    assert.match(
      restart.stdout,
      new RegExp(`restarting node "${node}" of dataflow "demo"`),
    );
    await df.saw(node, /"type":"START","restart":1/);
    const again = df.events(node).find((e) =>
      e.type === "START" && e.restart === 1
    )!;
    assert.deepEqual(again.params, { ...base, mode: { fast: [1, 2] } });
    // Counted as a restart, the dataflow still running.
    const ps = await df.dora(["list", "--format", "json"]);
    const row = JSON.parse(ps.stdout.trim().split("\n")[0]!);
    assert.equal(row.status, "running");
    assert.equal(row.fault?.nodes?.[node]?.restarts, 1, ps.stdout);
  });
}

Deno.test("dora node stop stops one node, the others run on; its readers get INPUT_CLOSED", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  await df.saw("py", /"type":"INPUT"/);
  const stop = await df.dora([
    "node",
    "stop",
    "ts",
    "-d",
    "demo",
    "--format",
    "json",
  ]);
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(JSON.parse(stop.stdout), {
    uuid: df.uuid,
    name: "demo",
    node: "ts",
    action: "stop",
  });
  await df.saw("ts", /"type":"STOP","cause":"MANUAL"/);
  await df.saw("ts", /"type":"END"/);
  // The others run on.
  const seen = df.events("py").length;
  await df.saw("py", /"type":"INPUT"/, seen + 3);
  const again = await df.dora(["node", "stop", "ts", "-d", "demo"]);
  assert.equal(again.code, 1);
  assert.match(
    again.stderr,
    /node "ts" is (not running|already being stopped)/,
  );
  // Stopping the sender closes its readers' input; they end.
  const counter = await df.dora(["node", "stop", "counter", "-d", "demo"]);
  assert.equal(counter.code, 0, counter.stderr);
  assert.match(counter.stdout, /stopping node "counter" of dataflow "demo"/);
  await df.saw("counter", /^counter stop MANUAL$/);
  await df.saw("py", /"type":"INPUT_CLOSED"/);
  await df.saw("py", /"type":"END"/);
});

Deno.test("dora param and dora node refuse bad input with errors naming it, and change nothing", async () => {
  await using df = await startCluster(YAML);
  await df.saw("ts", /"type":"INPUT"/);
  const cases: [string[], number, RegExp][] = [
    [
      ["param", "set", "-d", "demo", "nope", "k", "1"],
      1,
      /dataflow "demo" \(.*\) has no node "nope"/,
    ],
    [
      ["param", "set", "-d", "demo", "ts", "k", "fast"],
      2,
      /VALUE "fast" is not JSON .*a string needs JSON quotes: '"fast"'/,
    ],
    [
      ["param", "set", "-d", "demo", "ts", "k".repeat(257), "1"],
      2,
      /parameter key is 257 bytes long; the limit is 256 bytes/,
    ],
    [
      [
        "param",
        "set",
        "-d",
        "demo",
        "ts",
        "big",
        JSON.stringify("x".repeat(70_000)),
      ],
      2,
      /parameter value is 70002 bytes as JSON; the limit is 65536 bytes/,
    ],
    [
      ["param", "get", "-d", "demo", "ts", "missing"],
      1,
      /node "ts" of dataflow "demo" \(.*\) has no parameter "missing"/,
    ],
    [
      ["param", "delete", "-d", "demo", "ts", "missing"],
      1,
      /node "ts" of dataflow "demo" \(.*\) has no parameter "missing"/,
    ],
    [["param", "list", "-d", "nothere", "ts"], 1, /nothere/],
    [
      ["node", "restart", "-d", "demo", "cuonter"],
      1,
      /has no node "cuonter".*did you mean "counter"/,
    ],
    [
      ["node", "stop", "-d", "demo", "ts", "--grace", "soon"],
      2,
      /invalid --grace "soon"/,
    ],
    [
      ["param", "list", "-d", "demo", "ts", "--format", "xml"],
      2,
      /--format must be table or json, got "xml"/,
    ],
  ];
  for (const [args, code, re] of cases) {
    const r = await df.dora(args);
    assert.equal(r.code, code, `${args.join(" ")}\n${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
  }
  const list = await df.dora([
    "param",
    "list",
    "-d",
    "demo",
    "ts",
    "--format",
    "json",
  ]);
  assert.deepEqual(JSON.parse(list.stdout).params, {
    threshold: 0.5,
    config: { labels: ["cat", "dog"], nms: 0.4 },
  });
  assert.equal(
    df.events("ts").filter((e) => String(e.type).startsWith("PARAM")).length,
    0,
  );
});
