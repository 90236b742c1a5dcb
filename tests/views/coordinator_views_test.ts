/**
 * `dora ui` and `dora foxglove` on a dataflow the coordinator runs (`dora
 * start` on a daemon), not a `dora run`: the dashboard shows its nodes and
 * rates in Chromium, Foxglove receives its messages.
 *
 * @module
 */
import assert from "node:assert/strict";
import foxglove from "@foxglove/ws-protocol";
import type { Channel, MessageData } from "@foxglove/ws-protocol";
import { fixture, Sandbox } from "../_support/mod.ts";
import { eventually } from "../_support/inspect.ts";
import { CHROMIUM, keepScreenshot, withBrowser } from "../_support/views.ts";

const { FoxgloveClient } = foxglove;

// The page's DOM, as the callbacks run in the browser see it.
// deno-lint-ignore no-explicit-any
declare const document: any;
// deno-lint-ignore no-explicit-any
type Elem = any;

Deno.test({
  name:
    "dora ui and dora foxglove show a dataflow that dora start runs on a daemon",
  ignore: !CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sandbox = await Sandbox.create();
    // A runtime folder of its own: no other test's `dora run` shows here.
    const env = { XDG_RUNTIME_DIR: `${sandbox.dir}/rt` };
    Deno.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
    try {
      await sandbox.coordinator([], env);
      await sandbox.daemon([], env);
      for (const f of ["mcp.yml", "counter.ts", "listener.ts"]) {
        Deno.copyFileSync(fixture(`views/${f}`), `${sandbox.dir}/${f}`);
      }
      const started = await sandbox.dora(
        ["start", "mcp.yml", "--detach", "--debug", "--name", "robot"],
        env,
      );
      assert.equal(started.code, 0, started.stderr);

      // The dashboard, in Chromium.
      const ui = sandbox.spawn(["ui", "-d", "robot", "--port", "0"], env);
      await ui.waitFor(/^http:\/\/\S+/m);
      const url = /^(http:\/\/\S+)/m.exec(ui.stdout)![1]!;
      await withBrowser(async (browser) => {
        const page = await browser.newPage({
          viewport: { width: 1280, height: 800 },
        });
        await page.goto(url);
        for (const id of ["counter", "listener"]) {
          await page.waitForSelector(`#graph g.node[data-node="${id}"]`);
          await page.waitForSelector(`#nodes tr[data-node="${id}"]`);
        }
        await eventually(
          "a rate on the listener's input",
          () =>
            page.evaluate(() => {
              const g = [...document.querySelectorAll("g.edge")].find((
                e: Elem,
              ) => e.dataset.edge === "counter/count->listener/count") as Elem;
              return g && Number(g.dataset.rate) > 0 ? true : undefined;
            }),
        );
        await keepScreenshot(
          "dashboard-coordinator.png",
          await page.screenshot(),
        );
      });

      // Foxglove: the output as a channel, decoded values.
      const fox = sandbox.spawn(
        ["foxglove", "-d", "robot", "--port", "0"],
        env,
      );
      await fox.waitFor(/^ws:\/\/\S+/m);
      const ws = /^(ws:\/\/\S+)/m.exec(fox.stdout)![1]!;
      const socket = new WebSocket(ws, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      const client = new FoxgloveClient({ ws: socket });
      const channels: Channel[] = [];
      const messages: MessageData[] = [];
      client.on("advertise", (cs) => channels.push(...cs));
      client.on("message", (m) => messages.push(m));
      const closed = new Promise<void>((r) => client.on("close", () => r()));
      try {
        const count = await eventually(
          "the counter/count channel",
          () =>
            Promise.resolve(channels.find((c) => c.topic === "counter/count")),
        );
        client.subscribe(count.id);
        const values = await eventually("three counts", () =>
          Promise.resolve(
            messages.length >= 3
              ? messages.map((m) =>
                JSON.parse(
                  new TextDecoder().decode(
                    new Uint8Array(
                      m.data.buffer,
                      m.data.byteOffset,
                      m.data.byteLength,
                    ),
                  ),
                ).data[0] as number
              )
              : undefined,
          ));
        assert.ok(values[2]! > values[0]!, `counts grow: ${values}`);
      } finally {
        client.close();
        await closed;
      }
      const stop = await sandbox.dora(["stop", "robot"], env);
      assert.equal(stop.code, 0, stop.stderr);
    } finally {
      await sandbox.cleanup();
    }
  },
});
