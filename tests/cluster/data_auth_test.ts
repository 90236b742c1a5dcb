/**
 * The daemon-to-daemon data port admits only links that present their
 * dataflow's secret: a stranger who knows a running dataflow's uuid cannot
 * inject messages as one of its nodes.
 */
import assert from "node:assert/strict";
import {
  encodeValue,
  FrameWriter,
  HybridLogicalClock,
} from "../../src/message/mod.ts";
import { Sandbox } from "../_support/cluster.ts";

const SENDER = `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT") await node.sendOutput("count", [++n]);
  else if (event.type === "STOP") break;
}
`;

const RECEIVER = `import { Node } from "dora";
const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") console.log("value " + event.value.get(0));
  else if (event.type === "STOP") break;
}
`;

Deno.test("a daemon's data port refuses links without the dataflow's secret", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    const b = await sb.daemon(["--machine-id", "B"]);
    sb.write("sender.ts", SENDER);
    sb.write("receiver.ts", RECEIVER);
    const yml = sb.write(
      "dataflow.yml",
      `nodes:
  - id: sender
    path: sender.ts
    deploy: {machine: A}
    inputs: {tick: dora/timer/millis/50}
    outputs: [count]
  - id: receiver
    path: receiver.ts
    deploy: {machine: B}
    inputs: {count: sender/count}
`,
    );
    const start = await sb.dora(["start", yml, "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();
    const status = JSON.parse(
      (await sb.dora(["status", "--format", "json"])).stdout,
    );
    const addr = status.daemons.find((d: { machineId: string }) =>
      d.machineId === "B"
    ).dataAddr;

    // A frame of sender/count as daemon A would send it, carrying 424242.
    const enc = encodeValue([424242]);
    const payload = new Uint8Array(enc.size);
    enc.write(payload);
    const injected = {
      t: "output",
      df: uuid,
      node: "sender",
      output: "count",
      m: { ts: new HybridLogicalClock().now().toString(), p: {} },
      d: enc.layout,
    };
    for (
      const first of [
        null, // no hello at all
        { t: "hello", df: uuid, secret: "guessed" },
      ]
    ) {
      const conn = await Deno.connect({ hostname: addr.host, port: addr.port });
      const writer = new FrameWriter(conn);
      if (first) writer.push(first);
      writer.push(injected, payload);
      await writer.flush();
      // Refused links are closed by the daemon: the read ends.
      assert.equal(await conn.read(new Uint8Array(16)), null);
      conn.close();
    }
    await b.waitFor(
      /refused a data connection from .*: the first frame is not a hello/,
    );
    await b.waitFor(
      new RegExp(
        `refused a data connection from .*: wrong secret for dataflow ${uuid}`,
      ),
    );

    // The real link from A still delivers; the injected value never arrived.
    const log = `${sb.dir}/out/${uuid}/log_receiver.jsonl`;
    const deadline = Date.now() + 30_000;
    let text = "";
    while (!/value 20\b/.test(text)) {
      if (Date.now() > deadline) throw new Error(`no data from A:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
      text = await Deno.readTextFile(log).catch(() => "");
    }
    assert.doesNotMatch(text, /424242/);
    const stop = await sb.dora(["stop", uuid]);
    assert.equal(stop.code, 0, stop.stderr);
  } finally {
    await sb.cleanup();
  }
});
