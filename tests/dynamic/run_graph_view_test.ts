/**
 * A plain `dora run` changed at run time: the inspection commands follow
 * the current graph (`dora topic list`, `dora node list` show a node added
 * later and no longer show one removed), and a node added with `build:` is
 * built first, with the consent rule of `dora run` / `dora build`; a build
 * that fails or is not allowed changes nothing.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";
import { eventually, InspectPlace } from "../_support/inspect.ts";

const EXAMPLE = `${ROOT}/examples/dynamic-add-remove`;

interface TopicRow {
  topic: string;
}

/** `dora run` of examples/dynamic-add-remove as "demo", its receiver going. */
async function startExample(place: InspectPlace) {
  for (const e of Deno.readDirSync(EXAMPLE)) {
    if (e.isFile) {
      Deno.copyFileSync(`${EXAMPLE}/${e.name}`, `${place.dir}/${e.name}`);
    }
  }
  const run = await place.run("dataflow.yml", ["--name", "demo"]);
  await run.waitForLine(/receiver: value 2\b/);
  return run;
}

const topics = async (place: InspectPlace) =>
  (await place.json<TopicRow[]>(["topic", "list", "-d", "demo"]))
    .map((t) => t.topic).sort();

const nodes = async (place: InspectPlace) =>
  (await place.dora(["node", "list", "-d", "demo", "-q"])).stdout.trim()
    .split("\n").sort();

Deno.test("dora topic list and dora node list of a dora run show the nodes added and removed at run time", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await startExample(place);
    assert.deepEqual(await topics(place), ["sender/value"]);
    const add = await place.dora([
      "node",
      "add",
      "--from-yaml",
      `${place.dir}/filter-node.yml`,
    ]);
    assert.equal(add.code, 0, add.stderr);
    await run.waitForLine(/filter: started/);
    assert.deepEqual(await topics(place), ["filter/output", "sender/value"]);
    assert.deepEqual(await nodes(place), ["filter", "receiver", "sender"]);

    const remove = await place.dora(["node", "remove", "filter"]);
    assert.equal(remove.code, 0, remove.stderr);
    assert.deepEqual(await topics(place), ["sender/value"]);
    await eventually(
      "dora node list without the removed filter",
      async () =>
        (await nodes(place)).join(",") === "receiver,sender" || undefined,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora node add builds a node with build: before it starts (with --allow-shell-nodes), and a failing or unallowed build changes nothing", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await startExample(place);
    // The program exists only once its build ran.
    place.write(
      "template.ts",
      `import { Node } from "dora";
const node = await Node.init();
for await (const e of node) {
  if (e.type === "INPUT") { console.log("built: got " + e.value.get(0)); break; }
}
`,
    );
    place.write(
      "built-node.yml",
      `id: built
path: built.ts
build: cp template.ts built.ts
inputs: { value: sender/value }
`,
    );
    // No flag, no terminal, no trust: refused, nothing ran.
    const refused = await place.dora(
      ["node", "add", "--from-yaml", `${place.dir}/built-node.yml`],
      { DORA_ALLOW_SHELL_NODES: "" },
    );
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(
      refused.stderr,
      /built-node\.yml runs build commands in a shell \(node "built": `cp template\.ts built\.ts`\): pass --allow-shell-nodes/,
    );
    assert.throws(() => Deno.statSync(`${place.dir}/built.ts`));

    const add = await place.dora([
      "node",
      "add",
      "--from-yaml",
      `${place.dir}/built-node.yml`,
      "--allow-shell-nodes",
    ]);
    assert.equal(add.code, 0, add.stderr);
    await run.waitForLine(/built: got \d+/);

    place.write(
      "broken-node.yml",
      `id: broken
path: receiver.ts
build: echo broken on purpose >&2; exit 3
inputs: { value: sender/value }
`,
    );
    const broken = await place.dora([
      "node",
      "add",
      "--from-yaml",
      `${place.dir}/broken-node.yml`,
      "--allow-shell-nodes",
    ]);
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(
      broken.stderr,
      /node "broken": build command "echo broken on purpose >&2; exit 3" exited with code 3/,
    );
    assert.match(broken.stderr, /broken on purpose/);
    assert.match(broken.stderr, /nothing changed/);
    const expand = await place.dora(["expand", "demo"]);
    assert.match(expand.stdout, /id: built/);
    assert.doesNotMatch(expand.stdout, /id: broken/);
  } finally {
    await place.cleanup();
  }
});
