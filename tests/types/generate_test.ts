/**
 * `dora types generate`: the declarations it writes make `deno check` (and
 * the Python stub makes mypy) refuse a node that sends the wrong type, the
 * wrong output or forgets required metadata, and accept a correct node.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

const FIXTURE = `${ROOT}/tests/types/fixtures/typed`;

/** A temp copy of the fixture dataflow (without generated files). */
async function fixtureCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "dora-types-" });
  for (const f of ["dataflow.yml", "planner.ts", "robot.py"]) {
    await Deno.copyFile(`${FIXTURE}/${f}`, `${dir}/${f}`);
  }
  return dir;
}

async function denoCheck(dir: string, file: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "--config", `${ROOT}/deno.json`, file],
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("dora types generate writes declarations that make deno check fail on a mistyped sendOutput", async () => {
  const dir = await fixtureCopy();
  try {
    const gen = await runDora(
      ["types", "generate", "dataflow.yml", "-o", "types.ts"],
      { cwd: dir },
    );
    assert.equal(gen.code, 0, gen.stderr);
    assert.ok(gen.stderr.includes("wrote types.ts (2 nodes"), gen.stderr);
    const good = await denoCheck(dir, "planner.ts");
    assert.equal(good.code, 0, good.text);

    // One mistake per line; deno check must name each of them.
    await Deno.writeTextFile(
      `${dir}/bad.ts`,
      [
        'import { initNode } from "./types.ts";',
        'const node = await initNode("planner");',
        'await node.sendOutput("speed", 1.5);', // Float32 output: a number is Float64
        'await node.sendOutput("speed", new Float64Array([1.5]));',
        'await node.sendOutput("spede", new Float32Array([1.5]));', // no such output
        'await node.sendOutput("pose", "a pose");', // a struct output
        'await node.sendOutput("cmd", 1);', // request_id metadata missing
        "for await (const e of node) {",
        '  if (e.type === "INPUT" && e.id === "odom") {',
        "    const frame: number = e.value.get(0)!.frame_id;", // a string field
        "  }",
        "}",
        'await initNode("plannr");', // no such node
        "",
      ].join("\n"),
    );
    const bad = await denoCheck(dir, "bad.ts");
    assert.equal(bad.code, 1, bad.text);
    const lines = [...bad.text.matchAll(/bad\.ts:(\d+):\d+/g)].map((m) =>
      Number(m[1])
    );
    for (const line of [3, 4, 5, 6, 7, 10, 13]) {
      assert.ok(
        lines.includes(line),
        `line ${line} not reported:\n${bad.text}`,
      );
    }
    assert.ok(
      bad.text.includes("not assignable to parameter of type 'Float32Array"),
      bad.text,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const MYPY = await (async () => {
  try {
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        "import mypy, pyarrow; import importlib.metadata as m; m.version('pyarrow-stubs')",
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.code === 0;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "dora types generate writes a Python stub that makes mypy fail on a mistyped send_output",
  ignore: !MYPY,
  async fn() {
    const dir = await fixtureCopy();
    try {
      const gen = await runDora(
        ["types", "generate", "dataflow.yml", "-o", "dataflow_types.pyi"],
        { cwd: dir },
      );
      assert.equal(gen.code, 0, gen.stderr);
      await Deno.writeTextFile(
        `${dir}/bad.py`,
        [
          "from typing import TYPE_CHECKING",
          "import pyarrow as pa",
          "from dora import Node",
          "if TYPE_CHECKING:",
          "    from dataflow_types import PlannerNode, RobotNode",
          'planner: "PlannerNode" = Node()',
          'planner.send_output("speed", pa.array([1.5]))', // float64 for a Float32 output
          'planner.send_output("label", 3)',
          'robot: "RobotNode" = Node()',
          'robot.send_output("odomm", pa.array([1.0]))',
          "for event in robot:",
          '    if event["type"] == "INPUT" and event["id"] == "speed":',
          '        wrong: pa.DoubleArray = event["value"]',
          "",
        ].join("\n"),
      );
      const mypy = async (file: string) => {
        const out = await new Deno.Command("python3", {
          args: [
            "-m",
            "mypy",
            "--no-incremental",
            "--follow-imports=silent",
            "--no-error-summary",
            file,
          ],
          cwd: dir,
          env: { MYPYPATH: `${ROOT}/nodes/api/python` },
          stdout: "piped",
          stderr: "piped",
        }).output();
        return {
          code: out.code,
          text: new TextDecoder().decode(out.stdout) +
            new TextDecoder().decode(out.stderr),
        };
      };
      const good = await mypy("robot.py");
      assert.equal(good.code, 0, good.text);
      const bad = await mypy("bad.py");
      assert.equal(bad.code, 1, bad.text);
      for (const line of [7, 8, 10, 13]) {
        assert.ok(
          bad.text.includes(`bad.py:${line}:`),
          `line ${line}:\n${bad.text}`,
        );
      }
      assert.ok(bad.text.includes('"DoubleArray"'), bad.text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("dora types generate output matches the committed files of the examples and fixtures", async () => {
  for (
    const [dataflow, file] of [
      ["tests/types/fixtures/typed/dataflow.yml", "types.ts"],
      ["examples/typed-dataflow/dataflow.yml", "types.ts"],
      ["examples/typed-dataflow/dataflow.yml", "dataflow_types.py"],
    ]
  ) {
    const dir = await Deno.makeTempDir({ prefix: "dora-types-" });
    try {
      const r = await runDora(
        ["types", "generate", dataflow, "-o", `${dir}/${file}`],
        { cwd: ROOT },
      );
      assert.equal(r.code, 0, r.stderr);
      const committed = dataflow.replace(/[^/]+$/, file);
      assert.equal(
        await Deno.readTextFile(`${dir}/${file}`),
        await Deno.readTextFile(`${ROOT}/${committed}`),
        `${committed} is stale: run dora types generate ${dataflow} -o ${committed}`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("dora types generate refuses an invalid dataflow and an unknown file kind", async () => {
  const broken = await runDora(
    ["types", "generate", "tests/descriptor_cases/types_edge_bad.yml"],
    { cwd: ROOT },
  );
  assert.equal(broken.code, 1);
  assert.ok(
    broken.stderr.includes("types_edge_bad.yml:19:14: input"),
    broken.stderr,
  );
  const kind = await runDora(
    ["types", "generate", "examples/typed-dataflow/dataflow.yml", "-o", "x.rs"],
    { cwd: ROOT },
  );
  assert.equal(kind.code, 2, kind.stderr);
  assert.ok(
    kind.stderr.includes('cannot tell the language of "x.rs"'),
    kind.stderr,
  );
});
