/**
 * Two daemons (machine ids A and B) and a dataflow crossing them: every
 * message arrives, in order, through daemon-to-daemon TCP.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";
import { Sandbox } from "../_support/cluster.ts";

Deno.test("dora start runs examples/multiple-daemons across daemons A and B", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const r = await sb.dora([
      "start",
      `${ROOT}/examples/multiple-daemons/dataflow.yml`,
      "--attach",
      "--env",
      "COUNT=100",
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /SUCCESS: received 100 doubled numbers in order across daemons/,
    );
    assert.match(r.stderr, /finished/);
    const list = await sb.dora(["list", "--format", "json"]);
    const rows = list.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, "finished");
    assert.deepEqual(rows[0].daemons.sort(), ["A", "B"]);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora start names the machine that is not connected", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    const r = await sb.dora([
      "start",
      `${ROOT}/examples/multiple-daemons/dataflow.yml`,
      "--detach",
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /machine "B"/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("drops of a slow receiver on another daemon are counted and reported", async () => {
  const sb = await Sandbox.create();
  sb.write(
    "fast.ts",
    `import { Node } from "dora";
const node = await Node.init();
for (let i = 1; i <= 200; i++) await node.sendOutput("n", [i]);
`,
  );
  sb.write(
    "slow.ts",
    `import { Node } from "dora";
const node = await Node.init();
let got = 0;
for await (const event of node) {
  if (event.type === "INPUT") {
    got++;
    await new Promise((r) => setTimeout(r, 20));
  }
}
console.log("slow got " + got);
`,
  );
  const yml = sb.write(
    "drops.yml",
    `nodes:
  - id: fast
    _unstable_deploy: { machine: A }
    path: fast.ts
    outputs: [n]
  - id: slow
    _unstable_deploy: { machine: B }
    path: slow.ts
    inputs:
      n: { source: fast/n, queue_size: 2 }
`,
  );
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const r = await sb.dora(["start", yml, "--attach"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const got = Number(/slow got (\d+)/.exec(r.stdout)?.[1]);
    const dropped = Number(
      /warning: slow\/n dropped (\d+) message/.exec(r.stderr)?.[1],
    );
    assert.ok(dropped > 0, r.stderr);
    assert.equal(got + dropped, 200, `${got} received + ${dropped} dropped`);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("deploy.labels places a node on the daemon with those labels", async () => {
  const sb = await Sandbox.create();
  sb.write(
    "once.ts",
    `import { Node } from "dora";
await Node.init();
console.log("ran on " + Deno.env.get("WHERE"));
`,
  );
  const yml = sb.write(
    "labels.yml",
    `nodes:
  - id: once
    deploy: { labels: { gpu: "yes" } }
    path: once.ts
`,
  );
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A", "--labels", "arch=x86"]);
    await sb.daemon(["--machine-id", "B", "--labels", "gpu=yes,arch=arm"]);
    const r = await sb.dora([
      "start",
      yml,
      "--attach",
      "--env",
      "WHERE=somewhere",
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /ran on somewhere/);
    const list = await sb.dora(["list", "--format", "json"]);
    assert.deepEqual(JSON.parse(list.stdout.trim()).daemons, ["B"]);
    const status = await sb.dora(["status"]);
    assert.match(
      status.stdout,
      /B\s+connected\s+\S+ ago\s+\d+\s+gpu=yes,arch=arm/,
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a shared-memory image crosses daemons bit-exact (examples/python-dataflow split over A and B)", async () => {
  const sb = await Sandbox.create();
  const ex = `${ROOT}/examples/python-dataflow`;
  const yml = sb.write(
    "split.yml",
    `nodes:
  - id: sender
    _unstable_deploy: { machine: A }
    path: ${ex}/sender.py
    inputs: { tick: dora/timer/millis/10 }
    outputs: [numbers, image]
  - id: transformer
    _unstable_deploy: { machine: B }
    path: ${ex}/transformer.py
    # backpressure: the receiver checks every number, so none may be dropped
    # however loaded the machine is
    inputs:
      numbers: { source: sender/numbers, queue_policy: backpressure }
      image: sender/image
    outputs: [doubled, image]
  - id: receiver
    _unstable_deploy: { machine: A }
    path: ${ex}/receiver.py
    inputs:
      doubled: { source: transformer/doubled, queue_policy: backpressure }
      image: transformer/image
`,
  );
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const r = await sb.dora(["start", yml, "--attach"]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /SUCCESS: received 20 doubled messages in order and a bit-exact image/,
    );
  } finally {
    await sb.cleanup();
  }
});
