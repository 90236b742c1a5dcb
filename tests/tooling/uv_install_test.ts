/**
 * `--uv` when uv is missing: dora installs it from PyPI into its cache and
 * says so; when that fails, one error names uv and what to do, and nothing is
 * left behind. The machine's uv is hidden by a PATH with the system Python
 * only (no uv program, no uv module).
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

const TICK_TS = `import { Node } from "dora";
const node = await Node.init();
console.log("node ran");
await node.close();
`;

function env(dir: string, extra: Record<string, string> = {}) {
  return {
    PATH: `${Deno.execPath().replace(/\/deno$/, "")}:/usr/bin:/bin`,
    DORA_CACHE_DIR: `${dir}/cache`,
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    ...extra,
  };
}

Deno.test("dora run --uv names uv when it is missing and cannot be installed", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-uv-" });
  try {
    Deno.writeTextFileSync(`${dir}/tick.ts`, TICK_TS);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: tick\n    path: tick.ts\n",
    );
    const r = await runDora(["run", "dataflow.yml", "--uv"], {
      cwd: dir,
      // A package index that refuses connections (loopback).
      env: env(dir, {
        PIP_INDEX_URL: "http://127.0.0.1:9/simple",
        PIP_RETRIES: "0",
      }),
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /uv not found: installing it from PyPI into .*\/cache\/uv/,
    );
    assert.match(
      r.stderr,
      /error: uv: uv is not installed and `python3 -m pip install uv` failed \(exit code 1\)/,
    );
    assert.match(
      r.stderr,
      /install uv yourself \(pip install uv\) or run without --uv/,
    );
    assert.doesNotMatch(r.stderr, /node ran/);
    assert.deepEqual([...Deno.readDirSync(`${dir}/cache`)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora run --uv installs uv from PyPI when it is missing and says so", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-uv-" });
  try {
    Deno.writeTextFileSync(`${dir}/tick.ts`, TICK_TS);
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      "nodes:\n  - id: tick\n    path: tick.ts\n",
    );
    const first = await runDora(["run", "dataflow.yml", "--uv"], {
      cwd: dir,
      env: env(dir),
    });
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stderr,
      /uv not found: installing it from PyPI into .*\/cache\/uv/,
    );
    assert.match(first.stderr, /installed uv \d+\.\d+/);
    assert.match(first.stderr, /tick: node ran/);
    assert.ok(Deno.statSync(`${dir}/cache/uv/bin/uv`).isFile);
    // The second run finds the uv dora installed.
    const second = await runDora(["run", "dataflow.yml", "--uv"], {
      cwd: dir,
      env: env(dir),
    });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /installing it from PyPI/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
