/**
 * Runs the dataflow with `dora run` and checks what the listener printed.
 * `DORA` names the dora command when it is not `dora` on PATH, e.g.
 * `DORA=/path/to/dora-checkout/scripts/dora.sh deno test -A`.
 */
import assert from "node:assert/strict";

const project = new URL(".", import.meta.url).pathname;

Deno.test("the listener receives every greeting", async () => {
  const [cmd, ...lead] = (Deno.env.get("DORA") ?? "dora").split(/\s+/)
    .filter((w) => w !== "");
  const out = await new Deno.Command(cmd!, {
    args: [...lead, "run", `${project}dataflow.yml`],
    cwd: project,
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  for (let i = 1; i <= 5; i++) {
    assert.match(text, new RegExp(`listener received: hello ${i}\\b`));
  }
  assert.match(text, /listener: 5 greetings in all/);
});
