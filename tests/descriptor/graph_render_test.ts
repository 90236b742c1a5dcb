/**
 * `dora graph` writes a page that renders with no network: headless
 * Chromium draws the SVG, and every node of the dataflow is in it.
 * Skipped when Chromium or the cached mermaid.js (scripts/setup.sh) is absent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { mermaidCandidates } from "../../src/cli/mermaid_js.ts";
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
const MERMAID = mermaidCandidates().some((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

/** Renders `html` in headless Chromium with the network off; returns the DOM. */
async function renderDom(html: string): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "dora-chromium-" });
  try {
    const out = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--proxy-server=127.0.0.1:9", // any network access would fail
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
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

Deno.test({
  name: "dora graph HTML renders every node offline in headless Chromium",
  ignore: !CHROMIUM || !MERMAID,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "dora-graph-" });
    try {
      const html = `${dir}/graph.html`;
      const r = await runDora([
        "graph",
        "examples/module-dataflow/dataflow.yml",
        "-o",
        html,
      ], { cwd: ROOT });
      assert.equal(r.code, 0, r.stderr);
      const page = await Deno.readTextFile(html);
      assert.ok(
        !/<script[^>]+src=/.test(page),
        "the page must not load scripts",
      );
      assert.ok(!page.includes("cdn.jsdelivr"), "no CDN");
      const dom = await renderDom(html);
      const svg = dom.slice(dom.indexOf('<svg id="mermaid'));
      assert.ok(svg.length > 0 && svg.includes("flowchart"), "no SVG rendered");
      for (
        const id of [
          "sender",
          "pipeline.doubler",
          "pipeline.filter",
          "receiver",
          "millis/50",
        ]
      ) {
        assert.ok(svg.includes(id), `node ${id} missing from the SVG`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("dora graph without mermaid.js explains how to get it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-graph-" });
  try {
    const r = await runDora(
      ["graph", "examples/module-dataflow/dataflow.yml", "-o", `${dir}/g.html`],
      { cwd: ROOT, env: { DORA_MERMAID_JS: `${dir}/missing.js` } },
    );
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes("scripts/setup.sh"), r.stderr);
    assert.ok(!/\n\s+at /.test(r.stderr), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
