/**
 * `dora completion <shell>` prints real completion scripts (golden files in
 * tests/completion_golden/), and the hidden `dora complete -- <words>` they
 * call answers from the live command tree.
 *
 * The scripts do not list commands (they ask `dora complete` at run time), so
 * adding commands does not change them. If @bomb.sh/tab is upgraded, regenerate
 * with `UPDATE_GOLDEN=1 deno test -A tests/cli/completion_test.ts` and review.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

const GOLDEN = `${ROOT}/tests/completion_golden`;

for (const shell of ["bash", "zsh", "fish", "powershell"]) {
  Deno.test(`dora completion ${shell} prints the golden script`, async () => {
    const r = await runDora(["completion", shell]);
    assert.equal(r.code, 0, r.stderr);
    const file = `${GOLDEN}/dora.${shell}`;
    if (Deno.env.get("UPDATE_GOLDEN") === "1") {
      await Deno.writeTextFile(file, r.stdout);
    }
    assert.equal(r.stdout, await Deno.readTextFile(file));
    assert.ok(/dora complete '?--/.test(r.stdout), "calls dora complete");
  });
}

Deno.test("dora completion detects the shell from $SHELL", async () => {
  const r = await runDora(["completion"], { env: { SHELL: "/usr/bin/fish" } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, await Deno.readTextFile(`${GOLDEN}/dora.fish`));
});

Deno.test("dora completion rejects an unknown shell with exit 2", async () => {
  const r = await runDora(["completion", "tcsh"]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes('unsupported shell "tcsh"'), r.stderr);
  assert.ok(r.stderr.includes("Usage: dora completion"), r.stderr);
});

/** Completion candidates (first column) for `words`. */
async function complete(...words: string[]): Promise<string[]> {
  const r = await runDora(["complete", "--", ...words]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l && !l.startsWith(":"))
    .map((l) => l.split("\t")[0]!);
}

Deno.test("dora complete lists every visible command and no hidden one", async () => {
  const help = (await runDora(["--help"])).stdout;
  const visible = help.slice(help.indexOf("Commands:")).split("\n").slice(1)
    .map((l) => /^ {2}([^\s|]+)/.exec(l)?.[1]).filter((n): n is string => !!n);
  assert.ok(visible.length >= 4, help);
  const got = await complete("");
  for (const name of visible) assert.ok(got.includes(name), `missing ${name}`);
  for (const name of ["validate", "expand", "graph", "completion"]) {
    assert.ok(got.includes(name), `missing ${name}`);
  }
  assert.ok(!got.includes("complete"), "the hidden command is not offered");
});

Deno.test("dora complete offers options and their values", async () => {
  const graph = await complete("graph", "--");
  for (const flag of ["--mermaid", "--open", "--output"]) {
    assert.ok(graph.includes(flag), `graph: missing ${flag} in ${graph}`);
  }
  assert.deepEqual(
    (await complete("completion", "")).sort(),
    ["bash", "fish", "powershell", "zsh"],
  );
  assert.deepEqual(await complete("validate", "--format", ""), [
    "text",
    "json",
  ]);
});
