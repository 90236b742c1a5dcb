/**
 * restart, stop without an id, clean, and `dora start --attach` with Ctrl-C
 * (first stops, second kills).
 */
import assert from "node:assert/strict";
import { processesWithEnv, Sandbox, TICKER_TS } from "../_support/cluster.ts";

const TICKER = `nodes:
  - id: ticker
    path: ticker.ts
    inputs:
      tick: dora/timer/millis/20
`;

const STUBBORN_TS = `import { Node } from "dora";
await Node.init();
console.log("stubborn: ready");
Deno.addSignalListener("SIGTERM", () => console.log("stubborn: ignoring SIGTERM"));
setInterval(() => {}, 1000);
`;

interface Row {
  uuid: string;
  name?: string;
  status: string;
}

async function rows(sb: Sandbox): Promise<Row[]> {
  const r = await sb.dora(["list", "--format", "json"]);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

Deno.test("dora restart, stop without an id and clean", async () => {
  const sb = await Sandbox.create();
  sb.write("ticker.ts", TICKER_TS);
  const yml = sb.write("dataflow.yml", TICKER);
  try {
    await sb.coordinator();
    await sb.daemon();
    const first = (await sb.dora(["start", yml, "--name", "t", "--detach"]))
      .stdout.trim();
    const dup = await sb.dora(["start", yml, "--name", "t", "--detach"]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /a dataflow named "t" is already running/);

    const restart = await sb.dora(["restart", "t"]);
    assert.equal(restart.code, 0, restart.stderr);
    const second = restart.stdout.trim();
    assert.notEqual(second, first);
    assert.match(
      restart.stderr,
      new RegExp(`restarted t: ${first} -> ${second}`),
    );
    let list = await rows(sb);
    assert.deepEqual(list.map((r) => [r.uuid, r.name, r.status]), [
      [first, "t", "finished"],
      [second, "t", "running"],
    ]);

    const stop = await sb.dora(["stop"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(
      stop.stdout,
      new RegExp(`dataflow t \\(${second}\\) finished`),
    );
    const none = await sb.dora(["stop"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no dataflow is running/);

    const clean = await sb.dora(["clean"]);
    assert.match(clean.stdout, /removed 2 finished dataflow\(s\)/);
    list = await rows(sb);
    assert.deepEqual(list, []);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora start --attach: the first Ctrl-C stops, the second kills", async () => {
  const sb = await Sandbox.create();
  sb.write("ticker.ts", TICKER_TS);
  sb.write("stubborn.ts", STUBBORN_TS);
  const yml = sb.write("dataflow.yml", TICKER);
  const stubborn = sb.write(
    "stubborn.yml",
    "nodes:\n  - id: stubborn\n    path: stubborn.ts\n",
  );
  try {
    await sb.coordinator();
    await sb.daemon();

    const attached = sb.spawn(["start", yml, "--attach"]);
    await attached.waitFor(/ticker: tick 2\n/);
    attached.child.kill("SIGINT");
    const status = await attached.done;
    assert.equal(status.code, 0, attached.output);
    assert.match(attached.stderr, /stopping dataflow/);
    assert.match(attached.stdout, /ticker stopped/);
    assert.match(attached.stderr, /finished/);

    const hard = sb.spawn(["start", stubborn, "--attach"]);
    await hard.waitFor(/stubborn: ready/);
    const uuid = /dataflow (\S+) started/.exec(hard.stderr)![1];
    hard.child.kill("SIGINT");
    await hard.waitFor(/stopping dataflow/);
    hard.child.kill("SIGINT");
    await hard.done;
    assert.match(hard.stderr, /killing dataflow/);
    assert.deepEqual(processesWithEnv(uuid), []);
    const row = (await rows(sb)).find((r) => r.uuid === uuid);
    assert.ok(
      row && ["finished", "failed"].includes(row.status),
      JSON.stringify(row),
    );
  } finally {
    await sb.cleanup();
  }
});
