/**
 * `dora run` with a `path: dynamic` node: it is not spawned, does not gate
 * the ready barrier, and joins when started by hand.
 */
import assert from "node:assert/strict";
import { DoraProcess, fixture, tempDataflow } from "../_support/dora.ts";
import { ROOT } from "../_support/dora.ts";

Deno.test("a dynamic node started by hand joins a dora run dataflow", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${fixture("py/sender.py")}
    inputs: { tick: dora/timer/millis/10 }
    outputs: [out]
    env: { COUNT: 100000 }
  - id: dyn
    path: dynamic
    inputs: { in: sender/out }
`);
  const dora = new DoraProcess(["run", df.path, "--log-format", "compact"]);
  await dora.waitForLine(/dataflow .* started/);
  const node = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-prompt",
      "--config",
      `${ROOT}/deno.json`,
      fixture("ts/dynamic_receiver.ts"),
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(node.stdout);
  assert.equal(node.code, 0, new TextDecoder().decode(node.stderr));
  assert.match(out, /dyn: got 5/);
  dora.kill("SIGINT");
  const r = await dora.result();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /sender: sender: sent \d+/);
});
