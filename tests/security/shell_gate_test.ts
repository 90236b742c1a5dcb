/**
 * The shell gate: a descriptor cannot run shell commands written inline
 * without `--allow-shell-nodes`, whether it says `path: shell`, names a shell
 * interpreter (`/bin/sh -c …`, `bash -c …`, `env sh -c …`) or an interpreter
 * given inline code (`python3 -c …`). A script file (`run.sh`) is a program
 * like any other and runs.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs a one-node dataflow whose node is `path` with `args` in a fresh folder. */
async function runNode(
  path: string,
  args: string,
  flags: string[] = [],
): Promise<{ code: number; stderr: string; marker: boolean }> {
  const dir = await Deno.makeTempDir({ prefix: "dora-shell-gate-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/dataflow.yml`,
      `nodes:\n  - id: sneaky\n    path: ${path}\n    args: ${
        JSON.stringify(args.replaceAll("MARKER", `${dir}/marker`))
      }\n`,
    );
    Deno.writeTextFileSync(`${dir}/run.sh`, `#!/bin/sh\ntouch "$1"\n`);
    Deno.chmodSync(`${dir}/run.sh`, 0o755);
    const r = await runDora(
      ["run", "dataflow.yml", "--stop-after", "20s", ...flags],
      { cwd: dir, env: { DORA_ALLOW_SHELL_NODES: "" } },
    );
    return { code: r.code, stderr: r.stderr, marker: exists(`${dir}/marker`) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const INLINE: [string, string][] = [
  ["/bin/sh", `-c "touch MARKER"`],
  ["bash", `-c "touch MARKER"`],
  ["/usr/bin/env", `sh -c "touch MARKER"`],
  ["python3", `-c "open('MARKER', 'w')"`],
];

for (const [path, args] of INLINE) {
  Deno.test(`dora run refuses \`${path} ${args.split(" ")[0]}\` as a shell node without --allow-shell-nodes`, async () => {
    const r = await runNode(path, args);
    assert.equal(r.marker, false, `it ran: ${r.stderr}`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /node "sneaky"/);
    assert.match(r.stderr, /shell node/);
    assert.match(r.stderr, /--allow-shell-nodes/);
  });
}

Deno.test("dora run --allow-shell-nodes runs a shell interpreter node", async () => {
  const r = await runNode("/bin/sh", `-c "touch MARKER"`, [
    "--allow-shell-nodes",
  ]);
  assert.equal(r.marker, true, r.stderr);
});

Deno.test("dora run runs a shell script file without the flag", async () => {
  const r = await runNode("run.sh", "MARKER");
  assert.equal(r.marker, true, r.stderr);
  assert.doesNotMatch(r.stderr, /shell node/);
});
