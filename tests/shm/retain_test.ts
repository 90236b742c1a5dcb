/**
 * Shared memory under a real `dora run`: a receiver holding a value while the
 * sender keeps writing into its pooled regions never sees it change (TS
 * `event.retain()`, Python `node.keep(event)`); a region fanned out to several
 * receivers returns to its pool only when all of them released it; each
 * receiver maps a region once; and the daemon moves references, not payloads.
 */
import assert from "node:assert/strict";
import { DoraProcess, jsonSummary, tempDataflow } from "../_support/dora.ts";
import {
  dataflowId,
  mappingsOf,
  nodeMessages,
  nodePid,
  regionsOf,
  removeRegionsOf,
  shmFixture,
  stop,
  waitForNode,
} from "../_support/shm.ts";

const COUNT = 40;
const SIZE = 1_000_000;

async function holdWhileSending(sender: "sender.ts" | "sender.py") {
  // Three receivers of every message, acknowledging each one (lockstep, so
  // the pool never has to grow past a few regions):
  // - holder_ts retains message 0 to the end and always the last 2 messages;
  // - holder_py keeps message 1 to the end and always the last 2 messages;
  // - fast releases each message at once.
  // Message 0 is released by two receivers right away: if the daemon gave
  // its region back before holder_ts released it too, the sender would
  // overwrite it.
  await using df = await tempDataflow(`
nodes:
  - id: sender
    path: ${shmFixture(sender)}
    inputs:
      ack_ts: holder_ts/ack
      ack_py: holder_py/ack
      ack_fast: fast/ack
    outputs: [data]
    env: { COUNT: ${COUNT}, SIZE: ${SIZE}, WAIT_AT_END: 1 }
  - id: holder_ts
    path: ${shmFixture("holder.ts")}
    inputs: { data: sender/data }
    outputs: [ack]
    env: { HOLD: 0, WINDOW: 2 }
  - id: holder_py
    path: ${shmFixture("holder.py")}
    inputs: { data: sender/data }
    outputs: [ack]
    env: { HOLD: 1, WINDOW: 2 }
  - id: fast
    path: ${shmFixture("holder.ts")}
    inputs: { data: sender/data }
    outputs: [ack]
`);
  const dora = new DoraProcess(["run", df.path, "--log-format", "json"]);
  let id = "";
  try {
    id = await dataflowId(dora);
    const senderPid = await nodePid(dora, "sender");
    const holders = {
      holder_ts: await nodePid(dora, "holder_ts"),
      holder_py: await nodePid(dora, "holder_py"),
      fast: await nodePid(dora, "fast"),
    };
    // Every message acknowledged: the receivers are still up, holding theirs.
    const [, regions, written] = (await waitForNode(
      dora,
      "sender",
      /shm_sender: sent 40 regions=(\d+) socket_written=(\d+)/,
    )).map(Number);
    await waitForNode(
      dora,
      "sender",
      /shm_sender: pid \d+ waiting for SIGUSR1/,
    );
    const live = regionsOf(id);
    const mappings = Object.fromEntries(
      Object.entries(holders).map(([node, pid]) => [
        node,
        Object.fromEntries(mappingsOf(pid, id)),
      ]),
    );
    Deno.kill(senderPid, "SIGUSR1");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);

    const report = (node: string) =>
      nodeMessages(dora.lines, node).find((m) =>
        m.startsWith("shm_holder: got")
      ) ?? `no report from ${node}`;
    assert.match(
      report("holder_ts"),
      /got 40 bad=0 held=0 intact=true window_changed=0 /,
    );
    assert.match(
      report("holder_py"),
      /got 40 bad=0 held=1 intact=True window_changed=0 /,
    );
    assert.match(
      report("fast"),
      /got 40 bad=0 held=none intact=null window_changed=0 /,
    );

    // Every message went through shared memory, and regions were reused:
    // released values went back to the pool instead of it growing to its
    // limit (8 per size, then the socket).
    const summary = jsonSummary(r.stderr);
    const s = summary.nodes.find((n) => n.id === "sender")!;
    assert.equal(s.viaShm, COUNT, JSON.stringify(s));
    assert.ok(regions >= 2 && regions <= 7, `regions used: ${regions}`);
    assert.equal(live.length, regions, `live regions: ${live.join(", ")}`);

    // Each receiver mapped each region it saw exactly once (cached).
    for (const [node, maps] of Object.entries(mappings)) {
      assert.deepEqual(
        Object.keys(maps).sort(),
        live,
        `${node} maps ${JSON.stringify(maps)}`,
      );
      for (const [name, n] of Object.entries(maps)) {
        assert.equal(n, 1, `${node} maps ${name} ${n} times`);
      }
    }

    // The daemon forwarded references: neither the sender's frames nor the
    // receivers' carried the payload.
    const moved = COUNT * SIZE;
    const socketBytes = { "sender (written)": written! };
    for (const node of ["holder_ts", "holder_py", "fast"]) {
      const n = /socket_read=(\d+)$/.exec(report(node));
      assert.ok(n, report(node));
      Object.assign(socketBytes, { [`${node} (read)`]: Number(n[1]) });
    }
    for (const [who, n] of Object.entries(socketBytes)) {
      assert.ok(
        n < moved / 100,
        `${who}: ${n} socket bytes for ${moved} bytes of data`,
      );
    }

    assert.deepEqual(regionsOf(id), []);
  } finally {
    stop(dora);
    await dora.result();
    if (id) removeRegionsOf(id);
  }
}

for (
  const [lang, file] of [["TypeScript", "sender.ts"], [
    "Python",
    "sender.py",
  ]] as const
) {
  Deno.test(`retained values stay intact while a ${lang} sender reuses its regions; fan-out regions return only when every receiver released them`, () =>
    holdWhileSending(file));
}
