/**
 * Runs the node in `tests/dataflow.yml` with `dora run` and checks its output.
 * `DORA` names the dora command when it is not `dora` on PATH.
 */
import assert from "node:assert/strict";

const here = new URL(".", import.meta.url).pathname;

Deno.test("___name___ passes messages on", async () => {
  const [cmd, ...lead] = (Deno.env.get("DORA") ?? "dora").split(/\s+/)
    .filter((w) => w !== "");
  const out = await new Deno.Command(cmd!, {
    args: [...lead, "run", `${here}dataflow.yml`],
    cwd: here,
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /checker got \[1, 2, 3\]/);
});
