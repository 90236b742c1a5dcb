/**
 * `dora ui` in real headless Chromium against a real `dora run`: the page
 * loads with no request leaving the machine, shows every node of the
 * dataflow, its rates and drops move, the topic panel shows values and a
 * plot, the log pane follows and filters, and a node failure appears.
 * Screenshots are kept as test artefacts (docs/views.md shows them).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { eventually } from "../_support/inspect.ts";
import {
  CHROMIUM,
  keepScreenshot,
  startView,
  viewsPlace,
  withBrowser,
} from "../_support/views.ts";

// The page's DOM, as the callbacks run in the browser see it.
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
declare const getComputedStyle: (e: any) => { fill: string };
// deno-lint-ignore no-explicit-any
type Elem = any;

const NODES = ["sender", "logger", "slow", "crasher", "camera", "bulk"];

/** Numbers shown on the edge `source -> node/input`. */
function edge(page: Page, key: string) {
  return page.evaluate((key) => {
    const g = [...document.querySelectorAll("g.edge")]
      .find((e: Elem) => e.dataset.edge === key) as Elem;
    return g
      ? {
        rate: Number(g.dataset.rate),
        dropped: Number(g.dataset.dropped),
        text: g.textContent ?? "",
        cls: g.getAttribute("class") ?? "",
      }
      : undefined;
  }, key);
}

/** The text of one cell of the node table. */
function cell(page: Page, node: string, column: string) {
  return page.evaluate(
    ([node, column]) =>
      document.querySelector(`#nodes tr[data-node="${node}"] td.${column}`)
        ?.textContent ?? undefined,
    [node, column] as const,
  );
}

Deno.test({
  name:
    "dora ui shows a running dataflow offline in Chromium: nodes, moving rates and drops, topic values, logs, a node failure",
  ignore: !CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await viewsPlace();
    try {
      await place.run("views.yml", ["--debug"]);
      const ui = await startView(place, ["ui", "--port", "0"]);
      const origin = new URL(ui.url).origin;
      await withBrowser(async (browser) => {
        const page = await browser.newPage({
          viewport: { width: 1440, height: 960 },
        });
        // Offline: anything not served by dora ui itself is refused and noted.
        const foreign: string[] = [];
        await page.route("**/*", (route) => {
          const url = route.request().url();
          if (url.startsWith(origin)) return route.continue();
          foreign.push(url);
          return route.abort();
        });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(ui.url);

        // Every node, in the graph and in the table.
        for (const id of NODES) {
          await page.waitForSelector(`#graph g.node[data-node="${id}"]`);
          await page.waitForSelector(`#nodes tr[data-node="${id}"]`);
        }
        assert.equal(await cell(page, "sender", "status"), "Running");
        await page.waitForSelector(
          '#graph g.node[data-node="dora/timer/millis/20"]',
        );

        // Rates move: the sender → logger edge gets a rate, the slow
        // input's drop count appears in red and keeps growing.
        const numbers = "sender/numbers->logger/numbers";
        const live = await eventually(
          "a rate on the logger's input",
          async () => {
            const e = await edge(page, numbers);
            return e && e.rate > 10 ? e : undefined;
          },
        );
        assert.match(live.text, /\d+(\.\d)?\/s/);
        assert.match(live.cls, /live/);
        const slow = "sender/numbers->slow/numbers";
        const first = await eventually("drops on the slow input", async () => {
          const e = await edge(page, slow);
          return e && e.dropped > 0 ? e : undefined;
        });
        assert.match(first.cls, /dropping/);
        assert.match(first.text, /\d+ dropped/);
        await eventually("the drop count moving", async () => {
          const e = await edge(page, slow);
          return e && e.dropped > first.dropped ? e : undefined;
        });
        const color = await page.evaluate(() => {
          const t = document.querySelector("g.edge.dropping text.drops");
          return t ? getComputedStyle(t).fill : "";
        });
        assert.equal(color, "rgb(220, 38, 38)");

        // The topic panel: values as text and a plot of the numbers.
        await page.selectOption("#topic-select", "sender/numbers");
        await page.waitForFunction(() =>
          [...document.querySelectorAll("#topic-values li")].some((li: Elem) =>
            /f64\[2\]\s+\[\d+, \d\]/.test(li.textContent ?? "")
          )
        );
        await page.waitForFunction(() =>
          (document.querySelector("#plot-legend")?.textContent ?? "")
            .includes("[1]")
        );

        // The log pane follows the logger, and filters by level.
        await page.waitForFunction(() =>
          (document.querySelector("#logs")?.textContent ?? "").includes(
            "got 25 messages",
          )
        );
        await page.waitForFunction(() =>
          (document.querySelector("#logs")?.textContent ?? "").includes(
            "still going after",
          )
        );
        await page.selectOption("#log-level", "warn");
        const shown = await page.$$eval(
          "#logs .line",
          (lines: Elem[]) => lines.map((l) => l.textContent ?? ""),
        );
        assert.ok(shown.length > 0);
        assert.ok(shown.every((l) => l.includes("WARN")), shown.join("\n"));
        await page.selectOption("#log-level", "stdout");

        // Sorting: NODE twice is descending.
        await page.click('#nodes th[data-key="node"]');
        await page.click('#nodes th[data-key="node"]');
        const order = await page.$$eval(
          "#nodes tbody tr",
          (rows: Elem[]) => rows.map((r) => r.dataset.node),
        );
        assert.deepEqual(order, [...NODES].sort().reverse());

        await keepScreenshot(
          "dashboard.png",
          await page.screenshot({ fullPage: true }),
        );

        // A node failure appears in the table, the graph and the header.
        Deno.writeTextFileSync(`${place.dir}/crash-now`, "");
        await eventually(
          "crasher shown as failed",
          async () =>
            (await cell(page, "crasher", "status")) === "Failed"
              ? true
              : undefined,
        );
        await page.waitForSelector('#graph g.node.failed[data-node="crasher"]');
        await page.waitForFunction(() =>
          (document.querySelector("#dataflow-state")?.textContent ?? "")
            .includes("failed")
        );
        await page.waitForFunction(() =>
          (document.querySelector("#logs")?.textContent ?? "").includes(
            "failing on purpose",
          )
        );
        await keepScreenshot(
          "dashboard-failure.png",
          await page.screenshot({ fullPage: true }),
        );

        assert.deepEqual(foreign, [], "the page must not leave the machine");
        assert.deepEqual(errors, []);
      });
      await ui.stop();
    } finally {
      await place.cleanup();
    }
  },
});
