/**
 * A dynamic node (started by hand) between nodes that use direct delivery:
 * its messages go through the runtime, in order, nothing lost or doubled.
 */
import assert from "node:assert/strict";
import { DoraProcess, fixture, tempDataflow } from "../_support/dora.ts";

Deno.test("a dynamic Python node forwards between direct-delivery nodes, in order, once", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${fixture("datapath/seq_sender.ts")}
    outputs: [out]
    env: { COUNT: 100000, DELAY_MS: 2 }
  - id: dyn
    path: dynamic
    # Backpressure: a dynamic node that falls behind under load must not drop.
    inputs:
      in: { source: sender/out, queue_policy: backpressure }
    outputs: [out]
  - id: rx
    path: ${fixture("datapath/seq_receiver.ts")}
    inputs:
      in: { source: dyn/out, queue_policy: backpressure }
`);
  const dora = new DoraProcess([
    "run",
    df.path,
    "--log-format",
    "compact",
    "--grace-duration",
    "1s",
  ]);
  try {
    await dora.waitForLine(/dataflow .* started/);
    const node = await new Deno.Command("python3", {
      args: ["-u", fixture("datapath/dyn_forward.py")],
      env: {
        PYTHONPATH: new URL("../../nodes/api/python", import.meta.url)
          .pathname,
        COUNT: "150",
      },
      stdin: "null",
    }).output();
    const out = new TextDecoder().decode(node.stdout);
    assert.equal(node.code, 0, new TextDecoder().decode(node.stderr));
    assert.match(out, /dyn_forward: forwarded 150/);
    const line = await dora.waitForLine(/rx: seq_receiver\[0\]: in got/);
    const m =
      /in got (\d+) first=(\d+) last=(\d+) ordered=(\w+) contiguous=(\w+) bad=(\d+)/
        .exec(line)!;
    assert.deepEqual(
      [m[1], m[4], m[5], m[6]],
      ["150", "true", "true", "0"],
      line,
    );
    assert.equal(Number(m[3]) - Number(m[2]), 149);
  } finally {
    dora.kill("SIGINT");
    await dora.result();
  }
});
