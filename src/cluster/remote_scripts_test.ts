import assert from "node:assert/strict";
import {
  ACTIVATE_SCRIPT,
  SHIP_SCRIPT,
  START_SCRIPT,
  STOP_SCRIPT,
  VERIFY_SCRIPT,
} from "./remote_scripts.ts";

/** Whether `pid` runs (not gone, not a zombie). */
function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Runs a remote script here with `sh`, HOME = `home`. */
async function run(
  script: string,
  home: string,
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command("sh", {
    args: ["-c", script, "sh", ...args],
    env: { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout).trim(),
    stderr: text.decode(out.stderr).trim(),
  };
}

/** A gzip'd tar of an artifact folder with `files` and its manifest. */
async function artifact(
  dir: string,
  files: Record<string, string>,
  damage?: string,
): Promise<Uint8Array> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  const sums = await new Deno.Command("sh", {
    args: ["-c", "sha256sum ./* > MANIFEST.sha256"],
    cwd: dir,
  }).output();
  assert.ok(sums.success);
  if (damage) await Deno.writeTextFile(`${dir}/${damage}`, "changed");
  const tar = await new Deno.Command("sh", {
    args: ["-c", 'tar -C "$1" -cf - . | gzip -1', "sh", dir],
    stdout: "piped",
  }).output();
  return tar.stdout;
}

Deno.test("SHIP_SCRIPT, VERIFY_SCRIPT and ACTIVATE_SCRIPT install, check and switch versions", async () => {
  const home = await Deno.makeTempDir({ prefix: "dora-remote-" });
  try {
    const bin = `${home}/.dora/bin`;
    const v1 = await artifact(`${home}/src1`, { dora: "#!/bin/sh\necho 1\n" });
    assert.equal(
      (await run(VERIFY_SCRIPT, home, ["~/.dora/bin", "v1"])).stdout,
      "absent",
    );
    const shipped = await run(SHIP_SCRIPT, home, ["~/.dora/bin", "v1"], v1);
    assert.equal(shipped.code, 0, shipped.stderr);
    assert.equal(shipped.stdout, "shipped=v1");
    assert.equal(
      (await run(VERIFY_SCRIPT, home, ["~/.dora/bin", "v1"])).stdout,
      "verified",
    );
    assert.equal(
      (await run(ACTIVATE_SCRIPT, home, ["~/.dora/bin", "v1"])).stdout,
      "active=v1",
    );
    assert.equal(Deno.readLinkSync(`${bin}/current`), "versions/v1");
    assert.equal(Deno.readTextFileSync(`${bin}/dora`), "#!/bin/sh\necho 1\n");

    // A damaged installed file is noticed.
    Deno.writeTextFileSync(`${bin}/versions/v1/dora`, "tampered");
    assert.equal(
      (await run(VERIFY_SCRIPT, home, ["~/.dora/bin", "v1"])).stdout,
      "corrupt",
    );

    // A copy whose checksums do not match is refused and leaves nothing.
    const bad = await artifact(`${home}/src2`, { dora: "two" }, "dora");
    const refused = await run(SHIP_SCRIPT, home, ["~/.dora/bin", "v2"], bad);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /checksum mismatch after copying/);
    assert.deepEqual(
      [...Deno.readDirSync(`${bin}/versions`)].map((e) => e.name),
      ["v1"],
    );

    // Switching keeps the previous version and removes older ones.
    for (const v of ["v2", "v3"]) {
      const tar = await artifact(`${home}/src-${v}`, { dora: v });
      assert.equal(
        (await run(SHIP_SCRIPT, home, ["~/.dora/bin", v], tar)).code,
        0,
      );
      assert.equal(
        (await run(ACTIVATE_SCRIPT, home, ["~/.dora/bin", v])).stdout,
        `active=${v}`,
      );
    }
    assert.deepEqual(
      [...Deno.readDirSync(`${bin}/versions`)].map((e) => e.name).sort(),
      ["v2", "v3"],
    );
    assert.equal(Deno.readTextFileSync(`${bin}/dora`), "v3");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("START_SCRIPT and STOP_SCRIPT start a detached daemon and stop it by its pid file", async () => {
  const home = await Deno.makeTempDir({ prefix: "dora-remote-" });
  try {
    const bin = `${home}/.dora/bin`;
    await Deno.mkdir(bin, { recursive: true });
    // A stand-in `dora` that runs until SIGTERM, printing its arguments.
    await Deno.writeTextFile(
      `${bin}/dora`,
      '#!/bin/sh\ntrap "echo stopping; exit 0" TERM\necho "args: $*"\nwhile :; do sleep 0.1; done\n',
      { mode: 0o755 },
    );
    const child = new Deno.Command("sh", {
      args: ["-c", START_SCRIPT, "sh", "~/.dora/bin", "m1", "--labels", "a=b"],
      env: { HOME: home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode("the-token\n"));
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let out = "";
    while (!/started \d+\n/.test(out)) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
    const pid = Number(/started (\d+)/.exec(out)![1]);
    // Closing stdin ends the watcher; the daemon keeps running.
    await w.close();
    await reader.cancel();
    assert.equal((await child.status).code, 0);
    assert.equal(
      Deno.readTextFileSync(`${home}/.dora/cluster/daemon-m1.pid`).trim(),
      String(pid),
    );
    assert.ok(running(pid), "the daemon runs after the watcher ended");
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    assert.ok(!cmdline.includes("the-token"), "the token is not an argument");
    const env = Deno.readTextFileSync(`/proc/${pid}/environ`);
    assert.match(env, /DORA_AUTH_TOKEN=the-token/);
    // The stand-in's first line says its TERM trap is set: wait for it.
    const log = `${home}/.dora/cluster/daemon-m1.log`;
    for (let i = 0; !Deno.readTextFileSync(log).includes("args:"); i++) {
      if (i > 600) {
        throw new Error(`the stand-in daemon wrote nothing to ${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const stopped = await run(STOP_SCRIPT, home, ["~/.dora/bin", "m1", "5"]);
    assert.equal(stopped.stdout, `stopped ${pid}`);
    assert.ok(!running(pid), "the daemon is gone");
    assert.equal(
      (await run(STOP_SCRIPT, home, ["~/.dora/bin", "m1", "5"])).stdout,
      "none",
    );
    assert.match(
      Deno.readTextFileSync(`${home}/.dora/cluster/daemon-m1.log`),
      /^args: daemon --machine-id m1 --labels a=b\nstopping\n$/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
