/**
 * Stopping under pressure: STOP reaches a receiver whose input queue is
 * full (control events overtake data and are never dropped), the messages
 * still queued when it exits are counted as undelivered, and a node that
 * crashes while the dataflow stops is not restarted.
 */
import assert from "node:assert/strict";
import { DoraProcess } from "../_support/dora.ts";

/** Sends as fast as it can until STOP. */
const FLOOD = `import { Node } from "dora";
const node = await Node.init();
let stop = false;
(async () => {
  for await (const event of node) if (event.type === "STOP") stop = true;
})();
let n = 0;
while (!stop) {
  await node.sendOutput("n", [++n]);
  if (n % 100 === 0) await new Promise((r) => setTimeout(r, 0));
}
`;

/** Takes 100 ms per input; reports how many it got when STOP arrives. */
const SLOW = `import time
from dora import Node
node = Node()
got = 0
for event in node:
    if event["type"] == "INPUT":
        got += 1
        if got == 3:
            print("slow: busy", flush=True)
        time.sleep(0.1)
    elif event["type"] == "STOP":
        print(f"slow: stop after {got} inputs", flush=True)
        break
`;

async function inDir(
  files: Record<string, string>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dora-stop-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      Deno.writeTextFileSync(`${dir}/${name}`, text);
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("dora run delivers STOP into a full queue and counts what stayed queued", async () => {
  await inDir({
    "flood.ts": FLOOD,
    "slow.py": SLOW,
    "dataflow.yml": `nodes:
  - id: flood
    path: flood.ts
    outputs: [n]
  - id: slow
    path: slow.py
    inputs:
      n:
        source: flood/n
        queue_size: 50
`,
  }, async (dir) => {
    const dora = new DoraProcess(
      ["run", "dataflow.yml", "--log-format", "json"],
      { cwd: dir },
    );
    await dora.waitForLine(/slow: busy/);
    dora.kill("SIGINT");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    const got = Number(/slow: stop after (\d+) inputs/.exec(r.stderr)?.[1]);
    assert.ok(got >= 3, `STOP did not reach the busy receiver:\n${r.stderr}`);
    const summary = JSON.parse(
      r.stderr.split("\n").find((l) => l.includes('"summary"'))!,
    ).summary;
    const slow = summary.nodes.find((n: { id: string }) => n.id === "slow");
    assert.equal(slow.outcome, "finished");
    assert.ok(slow.drops.n > 0, JSON.stringify(slow));
    assert.ok(
      slow.undelivered > 0,
      `the queued messages it never read: ${JSON.stringify(slow)}`,
    );
  });
});

Deno.test("dora run does not restart a node that crashes while the dataflow stops", async () => {
  await inDir({
    "crash_on_stop.py": `from dora import Node
node = Node()
print(f"crasher: start {node.restart_count()}", flush=True)
for event in node:
    if event["type"] == "STOP":
        raise SystemExit(3)
`,
    "dataflow.yml": `nodes:
  - id: crasher
    path: crash_on_stop.py
    inputs:
      tick: dora/timer/millis/50
    restart_policy: always
`,
  }, async (dir) => {
    const dora = new DoraProcess(["run", "dataflow.yml"], { cwd: dir });
    await dora.waitForLine(/crasher: start 0/);
    dora.kill("SIGINT");
    const r = await dora.result();
    const starts = (r.stderr + r.stdout).match(/crasher: start \d+/g) ?? [];
    assert.deepEqual(starts, ["crasher: start 0"], r.stderr);
    assert.doesNotMatch(r.stderr, /restarting/);
  });
});
