/**
 * Small differences from the original that are now gone: `dora <unknown>
 * --help` is a usage error, `dora graph` names its page `<stem>-graph.html`
 * (`.N.html` when taken) and draws `send_stdout_as` / `send_logs_as` edges,
 * and `min_log_level` takes any case.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

Deno.test("dora <unknown> --help exits 2 with the unknown command's usage error", async () => {
  const r = await runDora(["frobnicate", "--help"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: unknown command 'frobnicate'/);
  assert.doesNotMatch(r.stdout, /Usage: dora \[options\] \[command\]/);
  const known = await runDora(["run", "--help"]);
  assert.equal(known.code, 0);
  assert.match(known.stdout, /Usage: dora run/);
});

const GRAPH_YML = `nodes:
  - id: talker
    path: talker.py
    send_stdout_as: said
    send_logs_as: logged
  - id: listener
    path: listener.py
    inputs:
      words: talker/said
      logs: talker/logged
`;

Deno.test("dora graph writes <stem>-graph.html, then .1.html, and draws stdout/logs outputs", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-graph-" });
  try {
    Deno.writeTextFileSync(`${dir}/flow.yml`, GRAPH_YML);
    const mermaid = await runDora(["graph", "flow.yml", "--mermaid"], {
      cwd: dir,
    });
    assert.equal(mermaid.code, 0, mermaid.stderr);
    assert.match(mermaid.stdout, /talker -- said as words --> listener/);
    assert.match(mermaid.stdout, /talker -- logged as logs --> listener/);
    assert.doesNotMatch(mermaid.stdout, /missing/);
    for (
      const expected of [
        "flow-graph.html",
        "flow-graph.1.html",
        "flow-graph.2.html",
      ]
    ) {
      const r = await runDora(["graph", "flow.yml"], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(expected.replaceAll(".", "\\.")));
      assert.ok(Deno.statSync(`${dir}/${expected}`).isFile);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("dora validate takes min_log_level in any case and names a bad one", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-level-" });
  try {
    Deno.writeTextFileSync(`${dir}/a.py`, "");
    Deno.writeTextFileSync(
      `${dir}/ok.yml`,
      "nodes:\n  - id: a\n    path: a.py\n    min_log_level: INFO\n  - id: b\n    path: a.py\n    min_log_level: Debug\n",
    );
    const ok = await runDora(["validate", "ok.yml"], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    Deno.writeTextFileSync(
      `${dir}/bad.yml`,
      "nodes:\n  - id: a\n    path: a.py\n    min_log_level: Loud\n",
    );
    const bad = await runDora(["validate", "bad.yml"], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /bad\.yml:4:\d+: invalid "min_log_level" in node "a": expected one of error, warn, info, debug, trace, stdout, got "Loud"/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
