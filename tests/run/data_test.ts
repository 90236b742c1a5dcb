/**
 * `dora run` end to end: data arrives complete and in per-input order, queue
 * policies (drop_oldest drops are counted, backpressure loses nothing).
 */
import assert from "node:assert/strict";
import {
  fixture,
  jsonSummary,
  runDora,
  tempDataflow,
} from "../_support/dora.ts";

const py = (f: string) => fixture(`py/${f}`);

Deno.test("dora run delivers every message in order and exits 0", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${py("sender.py")}
    inputs:
      tick: dora/timer/millis/5
    outputs: [out]
    env: { COUNT: 30 }
  - id: receiver
    path: ${py("receiver.py")}
    inputs:
      a: sender/out
      b: sender/out
`);
  const r = await runDora(["run", df.path]);
  assert.deepEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /receiver: stop ALL_INPUTS_CLOSED/);
  const all = [...Array(30).keys()].join(", ");
  assert.match(
    r.stderr,
    new RegExp(`receiver: a got 30 ordered=True values=\\[${all}\\]`),
  );
  assert.match(
    r.stderr,
    new RegExp(`receiver: b got 30 ordered=True values=\\[${all}\\]`),
  );
});

Deno.test("dora run counts and reports drops of a slow drop_oldest receiver", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${py("sender.py")}
    outputs: [out]
    env: { COUNT: 200, BURST: 1 }
  - id: receiver
    path: ${py("receiver.py")}
    inputs:
      in:
        source: sender/out
        queue_size: 5
    env: { DELAY: "0.002" }
`);
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.deepEqual(r.code, 0, r.stderr);
  const summary = jsonSummary(r.stderr);
  const drops = summary.nodes.find((n) => n.id === "receiver")!.drops.in!;
  assert.ok(drops > 0, `expected drops, summary: ${JSON.stringify(summary)}`);
  const got = Number(/receiver: in got (\d+) ordered=True/.exec(r.stderr)?.[1]);
  assert.deepEqual(got + drops, 200, r.stderr);
  assert.match(r.stderr, /dropping messages on input \\"in\\"/);
});

Deno.test("dora run loses nothing on a backpressure input", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${py("sender.py")}
    outputs: [out]
    env: { COUNT: 300, BURST: 1 }
  - id: receiver
    path: ${py("receiver.py")}
    inputs:
      in:
        source: sender/out
        queue_size: 2
        queue_policy: backpressure
    env: { DELAY: "0.001" }
`);
  const r = await runDora(["run", df.path, "--log-format", "json"]);
  assert.deepEqual(r.code, 0, r.stderr);
  const all = [...Array(300).keys()].join(", ");
  assert.match(
    r.stderr,
    new RegExp(`receiver: in got 300 ordered=True values=\\[${all}\\]`),
  );
  const summary = jsonSummary(r.stderr);
  assert.deepEqual(summary.nodes.find((n) => n.id === "receiver")!.drops, {
    in: 0,
  });
});
