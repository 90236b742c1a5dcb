/**
 * `dora graph` labels typed edges with their type (`image [Image]`), in the
 * Mermaid text and in the rendered page.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  },
);

Deno.test("dora graph --mermaid labels typed edges with their type", async () => {
  const r = await runDora(
    ["graph", "--mermaid", "examples/typed-dataflow/dataflow.yml"],
    { cwd: ROOT },
  );
  assert.equal(r.code, 0, r.stderr);
  for (
    const line of [
      '  camera -- "image [Image]" --> detector',
      '  detector -- "detections [Detection]" --> planner',
      '  planner -- "command [DriveCommand]" --> motor',
      "  dora/timer/millis/20 -- tick --> camera",
    ]
  ) {
    assert.ok(r.stdout.split("\n").includes(line), `${line}\n${r.stdout}`);
  }
});

Deno.test({
  name: "dora graph HTML shows the type labels of typed edges",
  ignore: !CHROMIUM ||
    !(() => {
      try {
        return Deno.statSync(`${ROOT}/.tools/mermaid/mermaid.min.js`).isFile;
      } catch {
        return false;
      }
    })(),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "dora-graph-types-" });
    const profile = await Deno.makeTempDir({ prefix: "dora-chromium-" });
    try {
      const html = `${dir}/graph.html`;
      const r = await runDora(
        ["graph", "examples/typed-dataflow/dataflow.yml", "-o", html],
        { cwd: ROOT },
      );
      assert.equal(r.code, 0, r.stderr);
      const out = await new Deno.Command(CHROMIUM!, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--proxy-server=127.0.0.1:9",
          `--user-data-dir=${profile}`,
          "--virtual-time-budget=15000",
          "--dump-dom",
          `file://${html}`,
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).output();
      assert.equal(out.code, 0);
      const dom = new TextDecoder().decode(out.stdout);
      const svg = dom.slice(dom.indexOf('<svg id="mermaid'));
      for (const label of ["image [Image]", "command [DriveCommand]"]) {
        assert.ok(svg.includes(`<p>${label}</p>`), `${label} not drawn`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(profile, { recursive: true });
    }
  },
});
