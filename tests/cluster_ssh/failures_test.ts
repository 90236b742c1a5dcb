/**
 * `dora cluster up` against machines that fail: unreachable, refusing the
 * key, a daemon that crashes at start. Each is one clear error naming the
 * machine, and what was started on the healthy machine is stopped again.
 * `install`/`uninstall` on a machine without systemd say so.
 */
import assert from "node:assert/strict";
import { freePort } from "../_support/cluster.ts";
import { SshLab } from "../_support/ssh.ts";

/** `cluster up` with machine a and `other` must fail, leaving nothing running. */
async function failingUp(
  lab: SshLab,
  aPort: number,
  other: string,
  daemonPort = freePort(),
  extra: { host?: string; flags?: string[]; stopped?: string } = {},
): Promise<string> {
  const file = lab.clusterFile(`${other}.yml`, freePort(), [
    { id: "a", daemonPort: aPort },
    { id: other, daemonPort, host: extra.host },
  ]);
  const r = await lab.dora(["cluster", "up", file, ...extra.flags ?? []]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^error: 1 of the cluster's machines did not come up: ${other}$`,
      "m",
    ),
  );
  assert.match(
    r.stderr,
    new RegExp(`stopped the daemons started on: ${extra.stopped ?? "a"}$`, "m"),
  );
  assert.match(r.stderr, /stopped the coordinator started for the cluster/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  assert.deepEqual(lab.processesOf("a"), [], "a's daemon was stopped");
  assert.deepEqual(lab.leftovers(), []);
  return r.stderr;
}

Deno.test("dora cluster up names each failing machine and stops what it started elsewhere", async (t) => {
  const lab = await SshLab.create();
  try {
    await lab.addMachine("a");
    await lab.addMachine("key", { acceptKey: false });
    await lab.addMachine("gone", { down: true });
    await lab.addMachine("crash");
    await lab.addMachine("far", { isolated: true });
    const aPort = freePort();

    await t.step("unreachable host", async () => {
      const err = await failingUp(lab, aPort, "gone");
      assert.match(
        err,
        /cannot reach machine "gone" over SSH \(\S+@127\.0\.0\.1:\d+\): connect to host 127\.0\.0\.1 port \d+: Connection refused/,
      );
    });

    await t.step("refused key", async () => {
      const err = await failingUp(lab, aPort, "key");
      assert.match(
        err,
        /cannot reach machine "key" over SSH \(\S+@127\.0\.0\.1:\d+\): \S+@127\.0\.0\.1: Permission denied \(publickey\)/,
      );
    });

    await t.step("daemon crashing at start", async () => {
      // Its data port is taken: the daemon exits at once.
      const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const err = await failingUp(
          lab,
          aPort,
          "crash",
          (holder.addr as Deno.NetAddr).port,
        );
        assert.match(
          err,
          /machine "crash": its daemon exited with status 1 during start-up/,
        );
        assert.match(err, /last lines of its daemon log/);
        assert.match(
          err,
          /cannot listen for daemon data connections on 127\.0\.0\.1:\d+: the address is in use/,
        );
      } finally {
        holder.close();
      }
    });

    await t.step("daemon that cannot reach the coordinator", async () => {
      // "far" has its own network: our 127.0.0.1 is not its 127.0.0.1.
      const err = await failingUp(lab, aPort, "far", freePort(), {
        host: "far.netns",
        flags: ["--timeout", "3s"],
        stopped: "a, far",
      });
      assert.match(
        err,
        /machine "far": its daemon \(pid \d+\) did not register with the coordinator within 3s \(can it reach the coordinator's address\?\)/,
      );
      assert.match(err, /last lines of its daemon log/);
      assert.match(
        err,
        /could not connect to the dora coordinator at 127\.0\.0\.1:\d+/,
      );
      assert.deepEqual(lab.processesOf("far"), [], "far's daemon was stopped");
    });
  } finally {
    await lab.cleanup();
  }
});

Deno.test("dora cluster install and uninstall refuse a machine without systemd before copying anything", async () => {
  const lab = await SshLab.create();
  try {
    await lab.addMachine("s");
    const file = lab.clusterFile("cluster.yml", freePort(), [
      { id: "s", daemonPort: freePort() },
    ]);
    const install = await lab.dora(["cluster", "install", file]);
    assert.equal(install.code, 1, install.stdout + install.stderr);
    assert.match(
      install.stderr,
      /error: installing the daemon service failed on 1 of 1 machine\(s\): s/,
    );
    assert.match(
      install.stderr,
      /machine "s" does not run systemd \(no \/run\/systemd\/system\): start its daemon with `dora cluster up` instead/,
    );
    let shipped = true;
    try {
      Deno.statSync(`${lab.machine("s").home}/.dora/bin`);
    } catch {
      shipped = false;
    }
    assert.equal(shipped, false, "nothing was copied");
    const uninstall = await lab.dora(["cluster", "uninstall", file]);
    assert.equal(uninstall.code, 1);
    assert.match(
      uninstall.stderr,
      /machine "s": removing dora-daemon-s\.service failed: this machine does not run systemd/,
    );
    assert.deepEqual(lab.leftovers(), []);
  } finally {
    await lab.cleanup();
  }
});
