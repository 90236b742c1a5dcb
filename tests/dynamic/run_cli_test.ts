/**
 * The change commands on a plain `dora run` (no coordinator), through its
 * local endpoint: examples/dynamic-add-remove step by step, parameters, and
 * restarting and stopping one node.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";
import { InspectPlace } from "../_support/inspect.ts";
import { waitUntil } from "../_support/wait.ts";

const EXAMPLE = `${ROOT}/examples/dynamic-add-remove`;

/** `n` lines of the run's output matching `re` so far. */
const count = (lines: string[], re: RegExp) =>
  lines.filter((l) => re.test(l)).length;

Deno.test("dora node add / connect / remove --force / restart / stop and dora param set change a dora run of examples/dynamic-add-remove", async () => {
  const place = await InspectPlace.create();
  try {
    for (const e of Deno.readDirSync(EXAMPLE)) {
      if (e.isFile) {
        Deno.copyFileSync(`${EXAMPLE}/${e.name}`, `${place.dir}/${e.name}`);
      }
    }
    const run = await place.run("dataflow.yml", ["--name", "demo"]);
    await run.waitForLine(/receiver: value 3\b/);

    const add = await place.dora([
      "node",
      "add",
      "--from-yaml",
      `${place.dir}/filter-node.yml`,
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stdout,
      /added "filter" \(on daemon "local"\) in dataflow "demo" \(revision 1\)/,
    );
    await run.waitForLine(/filter: started, keeping every 2/);
    const connect = await place.dora([
      "node",
      "connect",
      "demo",
      "filter/output",
      "receiver/filtered",
    ]);
    assert.equal(connect.code, 0, connect.stderr);
    await run.waitForLine(/receiver: filtered \d+/);

    const set = await place.dora([
      "param",
      "set",
      "filter",
      "keep_every",
      "3",
      "-f",
      "json",
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).delivered, true);
    await run.waitForLine(/filter: now keeping every 3/);
    const list = await place.json<{ params: Record<string, unknown> }>([
      "param",
      "list",
      "filter",
    ]);
    assert.deepEqual(list.params, { keep_every: 3 });

    const expand = await place.dora(["expand", "demo"]);
    assert.equal(expand.code, 0, expand.stderr);
    assert.match(expand.stdout, /id: filter/);
    assert.match(expand.stdout, /filtered: filter\/output/);

    const refused = await place.dora(["node", "remove", "filter"]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /node "filter" still feeds "receiver\/filtered"/,
    );
    const remove = await place.dora(["node", "remove", "filter", "--force"]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.match(
      remove.stdout,
      /removed "filter"; disconnected "receiver\/filtered" in dataflow "demo" \(revision 3\)/,
    );
    await run.waitForLine(/receiver: input filtered closed/);

    // One node restarted, then stopped; the rest runs on.
    const restart = await place.dora([
      "node",
      "restart",
      "sender",
      "--grace",
      "2s",
    ]);
    assert.equal(restart.code, 0, restart.stderr);
    await waitUntil(
      () => count(run.lines, /receiver: value 1$/) >= 2,
      "the restarted sender counting from 1 again",
      { detail: () => run.lines.slice(-10).join("\n") },
    );
    const stop = await place.dora(["node", "stop", "receiver"]);
    assert.equal(stop.code, 0, stop.stderr);
    const again = await place.dora(["node", "stop", "nobody"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /dataflow "demo" \(.*\) has no node "nobody"/);
  } finally {
    await place.cleanup();
  }
});
