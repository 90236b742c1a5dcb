/**
 * A rolling upgrade stops at the first machine whose daemon does not come
 * back, and says what was upgraded and which dataflows were not restarted.
 */
import assert from "node:assert/strict";
import { freePort, TICKER_TS } from "../_support/cluster.ts";
import { SshLab } from "../_support/ssh.ts";

Deno.test("dora cluster upgrade stops at a daemon that does not come back", async () => {
  const lab = await SshLab.create();
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await lab.addMachine("a");
    await lab.addMachine("b");
    const port = freePort();
    const aPort = freePort();
    const up = await lab.dora([
      "cluster",
      "up",
      lab.clusterFile("cluster.yml", port, [
        { id: "a", daemonPort: aPort },
        { id: "b", daemonPort: freePort() },
      ]),
    ]);
    assert.equal(up.code, 0, up.stderr);
    lab.write("df/ticker.ts", TICKER_TS);
    const df = lab.write(
      "df/tick.yml",
      `nodes:
  - id: ticker
    path: ticker.ts
    deploy: {machine: a}
    inputs: {tick: dora/timer/millis/100}
`,
    );
    const start = await lab.dora([
      "start",
      df,
      "--detach",
      "--name",
      "tick",
      "--coordinator-port",
      String(port),
    ]);
    assert.equal(start.code, 0, start.stderr);

    // The file now gives b a data port that is taken: its new daemon exits.
    const edited = lab.clusterFile("edited.yml", port, [
      { id: "a", daemonPort: aPort },
      { id: "b", daemonPort: (holder.addr as Deno.NetAddr).port },
    ]);
    const upgrade = await lab.dora(["cluster", "upgrade", edited]);
    assert.equal(upgrade.code, 1, upgrade.stdout + upgrade.stderr);
    assert.match(
      upgrade.stderr,
      /^error: upgrade stopped at machine "b": its daemon did not come back on the new version$/m,
    );
    assert.match(
      upgrade.stderr,
      /machine "b": its daemon exited with status 1 during start-up/,
    );
    assert.match(upgrade.stderr, /the address is in use/);
    assert.match(upgrade.stderr, /^ {2}upgraded: a$/m);
    assert.match(upgrade.stderr, /^ {2}not upgraded yet: none$/m);
    assert.match(upgrade.stderr, /^ {2}not restarted: tick /m);
    assert.match(
      upgrade.stderr,
      /a {2}upgraded: daemon \(pid \d+\) reconnected/,
    );
    assert.deepEqual(lab.processesOf("b"), [], "b's failed daemon is gone");

    const down = await lab.dora(["cluster", "down", edited]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(lab.leftovers(), []);
  } finally {
    holder.close();
    await lab.cleanup();
  }
});
