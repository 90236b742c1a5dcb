/**
 * Bad zenoh settings get one clear line and exit 1 (2 for usage errors):
 * an unreachable bridge names its endpoint, a missing bridge program says
 * how to get one, a bridge of another version names both versions, and
 * daemons on different transports are refused by `dora start`.
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";
import { freePort, Sandbox } from "../_support/cluster.ts";
import { bridgePorts, zenohDaemon } from "../_support/zenoh.ts";

Deno.test("dora daemon --transport zenoh names the bridge endpoint it cannot reach", async () => {
  const sb = await Sandbox.create();
  try {
    const port = freePort();
    const r = await sb.dora([
      "daemon",
      "--transport",
      "zenoh",
      "--zenoh-endpoint",
      `ws/127.0.0.1:${port}`,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^error: cannot reach the zenoh bridge at ws/127\\.0\\.0\\.1:${port}: .*dora daemon --zenoh`,
        "m",
      ),
    );
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora daemon --zenoh without a bridge program says how to get one", async () => {
  const sb = await Sandbox.create();
  try {
    const r = await sb.dora(["daemon", "--zenoh"], {
      DORA_ZENOH_BRIDGE: `${sb.dir}/no-such-bridge`,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: no zenoh-bridge-remote-api found \(looked in DORA_ZENOH_BRIDGE=".*no-such-bridge"\); build one with `scripts\/setup\.sh --zenoh`/,
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora daemon --zenoh refuses a bridge of another zenoh version, naming both", async () => {
  const sb = await Sandbox.create();
  try {
    const fake = sb.write(
      "old-bridge",
      `#!/bin/sh\necho "zenoh bridge for Remote API v1.9.0"\n`,
    );
    Deno.chmodSync(fake, 0o755);
    const r = await sb.dora(["daemon", "--zenoh"], { DORA_ZENOH_BRIDGE: fake });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /error: zenoh version mismatch: dora uses zenoh-ts 1\.10\.1 but the bridge .*old-bridge is zenoh-bridge-remote-api 1\.9\.0; install zenoh-bridge-remote-api 1\.10\.x/,
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora daemon usage errors for zenoh settings exit 2", async () => {
  const sb = await Sandbox.create();
  try {
    for (
      const [args, re] of [
        [["--transport", "udp"], /--transport expects tcp or zenoh, got "udp"/],
        [
          ["--transport", "zenoh", "--zenoh-endpoint", "127.0.0.1:10000"],
          /--zenoh-endpoint expects ws\/HOST:PORT, got "127\.0\.0\.1:10000"/,
        ],
        [
          ["--zenoh", "--zenoh-connect", "tcp/x"],
          /--zenoh-connect expects tcp\/HOST:PORT/,
        ],
      ] as const
    ) {
      const r = await sb.dora(["daemon", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora start refuses a dataflow across daemons on different transports", async () => {
  const sb = await Sandbox.create();
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await zenohDaemon(sb, "B", bridgePorts());
    const r = await sb.dora([
      "start",
      `${ROOT}/examples/multiple-daemons/dataflow.yml`,
      "--detach",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /different data transports \(tcp: "A"; zenoh: "B"\)|different data transports \(zenoh: "B"; tcp: "A"\)/,
    );
  } finally {
    await sb.cleanup();
  }
});
