import assert from "node:assert/strict";
import { formatDiagnostic } from "./diagnostic.ts";
import {
  analyzeEdit,
  type CurrentGraph,
  type GraphEdit,
  GraphEditError,
} from "./graph_edit.ts";
import { analyze } from "./load.ts";
import { flatData, yamlText } from "./flat_text.ts";

/** A dataflow folder with sender → receiver, and its running graph. */
async function setup(): Promise<
  {
    dir: string;
    current: CurrentGraph;
    write(name: string, text: string): string;
  }
> {
  const dir = await Deno.makeTempDir({ prefix: "graph-edit-" });
  for (const f of ["sender.py", "receiver.py", "filter.py"]) {
    await Deno.writeTextFile(`${dir}/${f}`, "");
  }
  await Deno.writeTextFile(
    `${dir}/dataflow.yml`,
    `nodes:
  - id: sender
    path: sender.py
    inputs:
      tick: dora/timer/millis/200
    outputs:
      - value
  - id: receiver
    path: receiver.py
    inputs:
      value: sender/value
`,
  );
  const analysis = await analyze(`${dir}/dataflow.yml`);
  return {
    dir,
    current: {
      label: 'dataflow "demo"',
      path: `${dir}/dataflow.yml`,
      source: yamlText(flatData(analysis)),
    },
    write(name: string, text: string) {
      Deno.writeTextFileSync(`${dir}/${name}`, text);
      return `${dir}/${name}`;
    },
  };
}

const lines = (r: { diagnostics: Parameters<typeof formatDiagnostic>[0][] }) =>
  r.diagnostics.map((d) =>
    formatDiagnostic(d).replace(/^[^:]*\/(?=[^/:]+\.yml:)/, "")
  );

Deno.test("analyzeEdit() adds a node from a file: the edited graph resolves, the new node is upserted", async () => {
  const { dir, current, write } = await setup();
  try {
    const file = write(
      "filter-node.yml",
      "id: filter\npath: filter.py\ninputs:\n  input: sender/value\noutputs:\n  - output\n",
    );
    const r = await analyzeEdit(current, { kind: "add", file });
    assert.deepEqual(r.upsert.map((n) => n.id), ["filter"]);
    assert.deepEqual(r.dataflow!.nodes.map((n) => n.id), [
      "sender",
      "receiver",
      "filter",
    ]);
    assert.match(r.flat!, /id: filter/);
    // The unread output is a warning pointing into the node file.
    assert.deepEqual(lines(r), [
      'filter-node.yml:6:5: warning: output "output" of node "filter" is not read by any node',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeEdit() reports problems of an added node at their place in its file", async () => {
  const { dir, current, write } = await setup();
  try {
    const dup = write("dup.yml", "id: receiver\npath: filter.py\n");
    assert.deepEqual(
      lines(await analyzeEdit(current, { kind: "add", file: dup })),
      [
        'dup.yml:1:5: node "receiver" already exists in dataflow "demo"',
      ],
    );
    const bad = write(
      "bad.yml",
      "- id: a\n  path: filter.py\n  inputs:\n    x: sender/nope\n- id: b\n  path: missing.py\n  queue: 3\n",
    );
    const r = await analyzeEdit(current, { kind: "add", file: bad });
    assert.deepEqual(lines(r), [
      'bad.yml:4:8: input "x" of node "a" reads "sender/nope", but node "sender" has no output "nope" (its outputs: value)',
      'bad.yml:7:3: unknown field "queue" in node "b"',
    ]);
    assert.equal(r.dataflow, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeEdit() rebases the path of a node file from another folder onto the dataflow's folder", async () => {
  const { dir, current } = await setup();
  const other = await Deno.makeTempDir({ dir, prefix: "nodes-" });
  try {
    await Deno.writeTextFile(`${other}/extra.py`, "");
    await Deno.writeTextFile(
      `${other}/extra.yml`,
      "id: extra\npath: extra.py\ninputs:\n  v: sender/value\n",
    );
    const r = await analyzeEdit(current, {
      kind: "add",
      file: `${other}/extra.yml`,
    });
    assert.equal(r.diagnostics.length, 0, lines(r).join("\n"));
    const name = other.slice(dir.length + 1);
    assert.equal(r.upsert[0]!.path, `${name}/extra.py`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeEdit() refuses changes naming what the graph does not have", async () => {
  const { dir, current } = await setup();
  try {
    const cases: [GraphEdit, RegExp][] = [
      [
        {
          kind: "connect",
          from: { node: "sender", port: "valeu" },
          to: { node: "receiver", port: "x" },
        },
        /node "sender" of dataflow "demo" has no output "valeu" \(did you mean "value"\?\)/,
      ],
      [
        {
          kind: "connect",
          from: { node: "sender", port: "value" },
          to: { node: "reciever", port: "x" },
        },
        /dataflow "demo" has no node "reciever" \(did you mean "receiver"\?\)/,
      ],
      [
        {
          kind: "connect",
          from: { node: "sender", port: "value" },
          to: { node: "receiver", port: "value" },
        },
        /input "value" of node "receiver" already reads "sender\/value"/,
      ],
      [
        {
          kind: "disconnect",
          from: { node: "sender", port: "value" },
          to: { node: "receiver", port: "other" },
        },
        /there is no edge from "sender\/value" to "receiver\/other" \(node "receiver" has no input "other"\)/,
      ],
      [
        { kind: "remove", node: "sender" },
        /node "sender" still feeds "receiver\/value"; disconnect that input first \(`dora node disconnect sender\/value receiver\/value`\) or pass --force to close it/,
      ],
      [
        { kind: "remove", node: "nope" },
        /dataflow "demo" has no node "nope" \(its nodes: "sender", "receiver"\)/,
      ],
    ];
    for (const [edit, re] of cases) {
      await assert.rejects(
        () => analyzeEdit(current, edit),
        (e: unknown) => e instanceof GraphEditError && re.test(e.message),
        JSON.stringify(edit),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeEdit() connects, disconnects and removes (with --force closing the readers' inputs)", async () => {
  const { dir, current } = await setup();
  try {
    const c = await analyzeEdit(current, {
      kind: "connect",
      from: { node: "sender", port: "value" },
      to: { node: "receiver", port: "copy" },
      queueSize: 2,
      queuePolicy: "backpressure",
    });
    assert.equal(c.diagnostics.length, 0, lines(c).join("\n"));
    const copy = c.upsert[0]!.inputs.find((i) => i.id === "copy")!;
    assert.deepEqual([copy.sourceText, copy.queueSize, copy.queuePolicy], [
      "sender/value",
      2,
      "backpressure",
    ]);
    const d = await analyzeEdit({ ...current, source: c.flat! }, {
      kind: "disconnect",
      from: { node: "sender", port: "value" },
      to: { node: "receiver", port: "copy" },
    });
    assert.deepEqual(d.upsert[0]!.inputs.map((i) => i.id), ["value"]);
    const r = await analyzeEdit(current, {
      kind: "remove",
      node: "sender",
      force: true,
    });
    assert.deepEqual(r.remove, ["sender"]);
    assert.deepEqual(r.closes, [{ node: "receiver", port: "value" }]);
    assert.deepEqual(r.dataflow!.nodes.map((n) => n.id), ["receiver"]);
    assert.deepEqual(r.upsert[0]!.inputs, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analyzeEdit() replaces a node only under the same id, keeping what others read", async () => {
  const { dir, current, write } = await setup();
  try {
    const other = write("other.yml", "id: sender2\npath: sender.py\n");
    assert.deepEqual(
      lines(
        await analyzeEdit(current, {
          kind: "replace",
          node: "sender",
          file: other,
        }),
      ),
      [
        'other.yml:1:5: the node is "sender2", not "sender": `dora node replace sender` swaps a node under the same id',
      ],
    );
    const noOutput = write("s.yml", "id: sender\npath: sender.py\n");
    const r = await analyzeEdit(current, {
      kind: "replace",
      node: "sender",
      file: noOutput,
    });
    assert.deepEqual(lines(r), [
      'dataflow "demo": input "value" of node "receiver" reads "sender/value", but node "sender" has no output "value" (it declares no outputs)',
    ]);
    const ok = write(
      "ok.yml",
      "id: sender\npath: sender.py\ninputs: { tick: dora/timer/millis/50 }\noutputs: [value]\n",
    );
    const good = await analyzeEdit(current, {
      kind: "replace",
      node: "sender",
      file: ok,
    });
    assert.equal(good.diagnostics.length, 0, lines(good).join("\n"));
    assert.deepEqual(good.upsert.map((n) => n.id), ["sender"]);
    assert.equal(
      good.upsert[0]!.inputs[0]!.sourceText,
      "dora/timer/millis/50",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
