import assert from "node:assert/strict";
import { parseClusterFile } from "./config.ts";
import { systemdQuote, unitFile, unitName } from "./systemd.ts";

const cluster = parseClusterFile(`coordinator: {addr: 192.168.1.10, port: 6013}
machines:
  - id: pi
    host: 192.168.1.20
    user: pi
    daemon_port: 53291
    labels: {camera: "true", arch: arm64}
`);
const pi = cluster.machines[0]!;

/** Runs `systemd-analyze verify` on `unit` written as `name` beside an executable `dora`. */
async function verify(
  unit: (dir: string) => string,
  name: string,
): Promise<{ code: number; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "dora-unit-" });
  try {
    await Deno.writeTextFile(`${dir}/dora`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/daemon-pi.env`, "DORA_AUTH_TOKEN=x\n", {
      mode: 0o600,
    });
    await Deno.writeTextFile(`${dir}/${name}`, unit(dir));
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", `${dir}/${name}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("unitFile() writes a unit that systemd-analyze verify accepts", async () => {
  const result = await verify(
    (dir) =>
      unitFile(cluster, pi, {
        dora: `${dir}/dora`,
        envFile: `${dir}/daemon-pi.env`,
        home: dir,
      }),
    unitName(pi),
  );
  assert.equal(result.stderr, "");
  assert.equal(result.code, 0);
});

Deno.test("unitFile() runs the daemon as the SSH user with its flags and restart policy", async () => {
  const text = unitFile(cluster, pi, {
    dora: "/home/pi/.dora/bin/dora",
    envFile: "/home/pi/.dora/cluster/daemon-pi.env",
    user: "nobody",
    home: "/home/pi",
  });
  assert.match(text, /^User=nobody$/m);
  assert.match(text, /^Restart=on-failure$/m);
  assert.match(text, /^RestartSec=5$/m);
  assert.match(
    text,
    /^ExecStart=\/home\/pi\/\.dora\/bin\/dora daemon --machine-id pi --coordinator-addr 192\.168\.1\.10 --coordinator-port 6013 --local-listen-port 53291 --interface 0\.0\.0\.0 --labels camera=true,arch=arm64$/m,
  );
  assert.match(
    text,
    /^EnvironmentFile=\/home\/pi\/\.dora\/cluster\/daemon-pi\.env$/m,
  );
  assert.doesNotMatch(text, /DORA_AUTH_TOKEN/);
  // A broken value is reported by systemd-analyze: the check above can fail.
  const broken = await verify(
    (dir) =>
      unitFile(cluster, pi, {
        dora: `${dir}/dora`,
        envFile: `${dir}/daemon-pi.env`,
        home: dir,
      }).replace("RestartSec=5", "RestartSec=soon"),
    unitName(pi),
  );
  assert.match(broken.stderr, /RestartSec|sec value/);
});

Deno.test("systemdQuote() quotes spaces and percent signs", () => {
  assert.equal(systemdQuote("/opt/dora/bin/dora"), "/opt/dora/bin/dora");
  assert.equal(systemdQuote("/home/a b/dora"), '"/home/a b/dora"');
  assert.equal(systemdQuote("50%"), '"50%%"');
});
