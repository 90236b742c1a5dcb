/**
 * The original dora's `python-dataflow-builder` example, run unchanged
 * (fixtures/python-dataflow-builder, copied from dora-rs/dora): its contract
 * test, and `simple_example.py`, which builds (`dora build --uv`) and runs
 * (`dora run --uv`) the dataflow it writes with `dora.builder`. The PyPI
 * packages it installs are stand-in wheels served from a local folder.
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { freePort } from "../_support/cluster.ts";
import { ROOT } from "../_support/dora.ts";

const FIXTURE = `${ROOT}/tests/tooling/fixtures/python-dataflow-builder`;
const decoder = new TextDecoder();

async function python(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const out = await new Deno.Command("python3", {
    args,
    cwd,
    env: { PYTHONPATH: `${ROOT}/nodes/api/python`, NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  return {
    code: out.code,
    text: decoder.decode(out.stdout) + decoder.decode(out.stderr),
  };
}

/** A wheel of `module.py` as package `name` with a console script `name`. */
async function standInWheel(name: string, into: string): Promise<void> {
  const module = name.replaceAll("-", "_");
  const source = Deno.readTextFileSync(`${FIXTURE}/standins/${module}.py`);
  const r = await python([
    "-c",
    `import sys, zipfile
name, module, source, into = sys.argv[1:]
info = f"{module}-0.1.dist-info"
with zipfile.ZipFile(f"{into}/{module}-0.1-py3-none-any.whl", "w") as z:
    z.writestr(f"{module}.py", source)
    z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 0.1\\n")
    z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nGenerator: dora-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(f"{info}/entry_points.txt", f"[console_scripts]\\n{name} = {module}:main\\n")
    z.writestr(f"{info}/RECORD", "")`,
    name,
    module,
    source,
    into,
  ], into);
  assert.equal(r.code, 0, r.text);
}

Deno.test("the original's python-dataflow-builder contract test passes unchanged", async () => {
  const r = await python([`${FIXTURE}/test_builder_api.py`], FIXTURE);
  assert.equal(r.code, 0, r.text);
  assert.match(
    r.text,
    /python-dataflow-builder: SUCCESS - generated YAML has expected structure/,
  );
});

Deno.test("the original's python-dataflow-builder example builds and runs unchanged with --uv", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-builder-" });
  try {
    Deno.copyFileSync(
      `${FIXTURE}/simple_example.py`,
      `${dir}/simple_example.py`,
    );
    Deno.mkdirSync(`${dir}/wheels`);
    for (const name of ["opencv-video-capture", "dora-yolo", "opencv-plot"]) {
      await standInWheel(name, `${dir}/wheels`);
    }
    const { cmd, args } = doraCommand();
    const r = await python(["simple_example.py"], dir, {
      DORA: [cmd, ...args].join(" "),
      // `pip install <package>` (as `uv pip`) finds only the stand-ins:
      // offline, with an empty cache of its own.
      UV_FIND_LINKS: `${dir}/wheels`,
      UV_OFFLINE: "1",
      UV_CACHE_DIR: `${dir}/uv-cache`,
      // The generated build: lines run without a terminal to confirm them.
      DORA_ALLOW_SHELL_NODES: "true",
      // Build locally: no coordinator answers on this port.
      DORA_COORDINATOR_PORT: String(freePort()),
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? dir,
    });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /Generated dataflow\.yml/);
    assert.match(r.text, /camera: \$ \S*uv pip install opencv-video-capture/);
    assert.match(r.text, /built 3 node\(s\)/);
    assert.match(r.text, /plot: 3 images, 3 box sets/);
    const yml = Deno.readTextFileSync(`${dir}/dataflow.yml`);
    assert.match(yml, /image: camera\/image/);
    assert.match(yml, /boxes2d: object-detection\/bbox/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
