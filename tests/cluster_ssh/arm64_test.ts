/**
 * A machine of another CPU (it reports aarch64, like a 64-bit Raspberry Pi)
 * gets the Deno build for it from npm (`@deno/linux-arm64-glibc`), not this
 * computer's. This computer cannot run it, so its daemon fails at start:
 * that is reported with its log, and nothing is left running.
 */
import assert from "node:assert/strict";
import { freePort } from "../_support/cluster.ts";
import { SshLab } from "../_support/ssh.ts";

Deno.test("dora cluster up ships the aarch64 Deno from npm to an aarch64 machine", async () => {
  const lab = await SshLab.create();
  try {
    const fake = lab.write(
      "pi-bin/uname",
      `#!/bin/sh
case "$1" in
  -m) echo aarch64 ;;
  -s) echo Linux ;;
  *) exec /bin/uname "$@" ;;
esac
`,
    );
    await Deno.chmod(fake, 0o755);
    await lab.addMachine("pi", { pathPrefix: `${lab.dir}/pi-bin` });
    const file = lab.clusterFile("cluster.yml", freePort(), [
      { id: "pi", daemonPort: freePort() },
    ]);
    const r = await lab.dora(["cluster", "up", file]);
    assert.match(r.stderr, /pi {2}Linux aarch64, dora in /);
    // Fetched from npm into the artifact cache (this run, or an earlier one).
    const fetched =
      `${lab.env.DORA_CACHE_DIR}/cluster/deno/2.9.6/linux-arm64-glibc/deno`;
    assert.ok(
      Deno.statSync(fetched).isFile,
      "the npm package's deno is cached",
    );
    assert.match(r.stderr, /pi {2}copied; every checksum verified/);
    const versions = `${lab.machine("pi").home}/.dora/bin/versions`;
    const [version] = [...Deno.readDirSync(versions)].map((e) => e.name);
    const header = Deno.readFileSync(`${versions}/${version}/deno`).subarray(
      0,
      20,
    );
    assert.deepEqual([...header.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
    assert.equal(
      new DataView(header.buffer, header.byteOffset).getUint16(18, true),
      0xb7,
      "the shipped deno is an aarch64 executable",
    );
    // This x86_64 computer cannot run it: the start-up failure is reported.
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /machine "pi": its daemon exited with status \d+ during start-up/,
    );
    assert.match(r.stderr, /Exec format error|cannot execute/);
    assert.deepEqual(lab.leftovers(), []);
  } finally {
    await lab.cleanup();
  }
});
