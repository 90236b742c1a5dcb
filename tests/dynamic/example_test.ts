/**
 * examples/dynamic-add-remove step by step as its README says, through a
 * coordinator and a daemon: a Python filter joins a TypeScript sender and
 * receiver, is wired, tuned and removed again.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";
import { waitUntil } from "../_support/wait.ts";
import { startCluster } from "./_cluster.ts";

const EXAMPLE = `${ROOT}/examples/dynamic-add-remove`;

Deno.test("dora node add / connect / param set / disconnect / remove run examples/dynamic-add-remove step by step", async () => {
  await using df = await startCluster("", { example: EXAMPLE });
  await df.saw("receiver", /^receiver: value 3$/);

  const add = await df.dora([
    "node",
    "add",
    "--from-yaml",
    `${df.sb.dir}/filter-node.yml`,
    "-d",
    "demo",
  ]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(
    add.stdout,
    /added "filter" .* in dataflow "demo" \(revision 1\)/,
  );
  await df.saw("filter", /^filter: started, keeping every 2$/);

  const connect = await df.dora([
    "node",
    "connect",
    "-d",
    "demo",
    "filter/output",
    "receiver/filtered",
    "--format",
    "json",
  ]);
  assert.equal(connect.code, 0, connect.stderr);
  const c = JSON.parse(connect.stdout);
  assert.deepEqual([c.revision, c.connected], [2, ["receiver/filtered"]]);
  const evens = await df.saw("receiver", /^receiver: filtered \d+$/, 3);
  for (const l of evens) assert.equal(Number(l.split(" ").at(-1)) % 2, 0, l);

  const tune = await df.dora([
    "param",
    "set",
    "-d",
    "demo",
    "filter",
    "keep_every",
    "3",
  ]);
  assert.equal(tune.code, 0, tune.stderr);
  await df.saw("filter", /^filter: now keeping every 3$/);
  // Soon every filtered value is a multiple of 3 (three in a row: under
  // keep_every 2 they were consecutive even numbers).
  await waitUntil(() => {
    const got = df.says("receiver").filter((l) => l.includes("filtered"))
      .map((l) => Number(l.split(" ").at(-1)));
    return got.length >= 3 && got.slice(-3).every((n) => n % 3 === 0);
  }, "three filtered multiples of 3");

  // The stored graph has the filter and the edge.
  const expand = await df.dora(["expand", "demo"]);
  assert.equal(expand.code, 0, expand.stderr);
  assert.match(expand.stdout, /id: filter/);
  assert.match(expand.stdout, /filtered: filter\/output/);

  // Removing a node the receiver still reads is refused without --force.
  const refused = await df.dora(["node", "remove", "demo", "filter"]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /node "filter" still feeds "receiver\/filtered"; disconnect that input first \(`dora node disconnect filter\/output receiver\/filtered`\) or pass --force/,
  );

  const disconnect = await df.dora([
    "node",
    "disconnect",
    "-d",
    "demo",
    "filter/output",
    "receiver/filtered",
  ]);
  assert.equal(disconnect.code, 0, disconnect.stderr);
  await df.saw("receiver", /^receiver: input filtered closed$/);

  const remove = await df.dora(["node", "remove", "demo", "filter"]);
  assert.equal(remove.code, 0, remove.stderr);
  assert.match(
    remove.stdout,
    /removed "filter" in dataflow "demo" \(revision 4\)/,
  );
  // The filter ran its stop ladder; sender and receiver run on.
  const n = df.says("receiver").length;
  await df.saw("receiver", /^receiver: value \d+$/, n + 3);
  const list = await df.dora(["list", "--format", "json"]);
  const row = JSON.parse(list.stdout.trim().split("\n")[0]!);
  assert.equal(row.status, "running");
  assert.equal(row.nodes, 2);
});
