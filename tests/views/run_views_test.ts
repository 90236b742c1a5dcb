/**
 * `dora run --ui --foxglove`: both view servers start for the run's
 * dataflow, serve it, and end with it; a port in use is a warning naming
 * it while the dataflow runs on.
 *
 * @module
 */
import assert from "node:assert/strict";
import foxglove from "@foxglove/ws-protocol";
import type { ServerInfo } from "@foxglove/ws-protocol";
import { processAlive } from "../_support/mod.ts";
import { eventually } from "../_support/inspect.ts";
import { viewsPlace } from "../_support/views.ts";

const { FoxgloveClient } = foxglove;

/** Pids of the view servers bound to dataflow `uuid`. */
function viewServers(uuid: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (
        cmdline.includes("--exit-with-dataflow") && cmdline.includes(uuid) &&
        processAlive(Number(e.name))
      ) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

Deno.test({
  name:
    "dora run --ui --foxglove serves the dataflow in both views and ends them with it",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await viewsPlace();
    try {
      const run = await place.run("views.yml", [
        "--ui",
        "--ui-port",
        "0",
        "--foxglove",
        "--foxglove-port",
        "0",
      ]);
      const uuid = /dataflow (\S+) started/.exec(
        await run.waitForLine(/dataflow \S+ started/),
      )![1]!;
      const ui = /dashboard at (http:\/\/\S+)/.exec(
        await run.waitForLine(/dashboard at http:\/\//),
      )![1]!;
      const ws = /Foxglove server at (ws:\/\/\S+)/.exec(
        await run.waitForLine(/Foxglove server at ws:\/\//),
      )![1]!;
      // The dashboard page, for this dataflow.
      const page = await fetch(ui);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      // Foxglove sees its outputs (--foxglove implies --debug).
      const socket = new WebSocket(ws, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      const client = new FoxgloveClient({ ws: socket });
      let info: ServerInfo | undefined;
      const topics: string[] = [];
      client.on("serverInfo", (i) => info = i);
      client.on("advertise", (cs) => topics.push(...cs.map((c) => c.topic)));
      const closed = new Promise<void>((r) => client.on("close", () => r()));
      await eventually(
        "serverInfo and channels",
        () => Promise.resolve(info && topics.length >= 4 ? true : undefined),
      );
      assert.ok(topics.includes("sender/numbers"));
      assert.equal(viewServers(uuid).length, 2);

      // Ending the run ends both servers.
      run.kill("SIGINT");
      await run.result();
      await closed;
      await eventually(
        "no view server left",
        () =>
          Promise.resolve(viewServers(uuid).length === 0 ? true : undefined),
      );
    } finally {
      await place.cleanup();
    }
  },
});

Deno.test({
  name: "dora run --ui on a port in use warns, naming it, and runs on",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const place = await viewsPlace();
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (busy.addr as Deno.NetAddr).port;
      const run = await place.run("views.yml", [
        "--ui",
        "--ui-port",
        String(port),
      ]);
      const warning = await run.waitForLine(/--ui: `dora ui` did not start/);
      assert.match(warning, new RegExp(String(port)));
      // The dataflow is still running and stops cleanly.
      await run.waitForLine(/dataflow \S+ started/);
      run.kill("SIGINT");
      const r = await run.result();
      assert.equal(r.code, 0, r.stderr);
    } finally {
      busy.close();
      await place.cleanup();
    }
  },
});
