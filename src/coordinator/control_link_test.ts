/**
 * Control links (CLI and daemons to a coordinator) run on a no-delay
 * WebSocket: a request over 1 KiB (a descriptor, a node's YAML) is answered
 * without waiting for a delayed ACK (44 ms per request on Deno's own
 * WebSocket), and the bearer token still goes with the handshake.
 */
import assert from "node:assert/strict";
import { connectCoordinator, ControlAuthError } from "../control/connect.ts";
import type { CoordinatorTarget } from "../control/target.ts";
import { startCoordinator } from "./mod.ts";

Deno.test("a control request over 1 KiB is answered without a delayed-ACK wait; the token goes with the handshake", async () => {
  const running = startCoordinator({
    interface: "127.0.0.1",
    port: 0,
    store: "memory",
    token: "s3cret",
    log: () => {},
  });
  try {
    const target = {
      addr: "127.0.0.1",
      port: running.port,
    } as CoordinatorTarget;
    await assert.rejects(
      connectCoordinator(target, { token: "wrong" }),
      (e) => e instanceof ControlAuthError && e.kind === "refused",
    );
    const { peer } = await connectCoordinator(target, { token: "s3cret" });
    try {
      const ms: number[] = [];
      for (let i = 0; i < 21; i++) {
        const t0 = performance.now();
        await peer.call("list", { pad: "x".repeat(4096) });
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      const median = ms[ms.length >> 1];
      assert.ok(
        median < 20,
        `4 KB request median ${median.toFixed(1)} ms (a delayed ACK is 40)`,
      );
    } finally {
      peer.close(1000, "done");
    }
  } finally {
    await running.shutdown();
  }
});
