import assert from "node:assert/strict";
import { formatDiagnostic } from "../descriptor/mod.ts";
import { parseClusterFile } from "./config.ts";
import { ClusterFileError } from "./errors.ts";

function problems(text: string): string[] {
  try {
    parseClusterFile(text, "cluster.yml", "/tmp/cluster.yml");
  } catch (err) {
    if (err instanceof ClusterFileError) {
      return err.diagnostics.map(formatDiagnostic);
    }
    throw err;
  }
  return [];
}

Deno.test("parseClusterFile() fills in the defaults of the original", () => {
  const c = parseClusterFile(
    "coordinator:\n  addr: 192.168.1.10\nmachines:\n  - id: arm\n    host: 192.168.1.11\n",
  );
  assert.deepEqual(c.coordinator, { addr: "192.168.1.10", port: 6013 });
  assert.deepEqual(c.machines, [{
    id: "arm",
    host: "192.168.1.11",
    user: undefined,
    port: undefined,
    daemonPort: 53291,
    labels: {},
    installDir: "~/.dora/bin",
    zenohPort: 5456,
  }]);
  assert.equal(c.transport, "tcp");
});

Deno.test("parseClusterFile() reads every machine field", () => {
  const c = parseClusterFile(`coordinator: {addr: "::1", port: 7000}
machines:
  - id: pi
    host: robot.local
    user: pi
    port: 2222
    daemon_port: 40000
    labels: {gpu: "false", arch: arm64}
    install_dir: /opt/dora/
`);
  assert.deepEqual(c.coordinator, { addr: "::1", port: 7000 });
  assert.deepEqual(c.machines[0], {
    id: "pi",
    host: "robot.local",
    user: "pi",
    port: 2222,
    daemonPort: 40000,
    labels: { gpu: "false", arch: "arm64" },
    installDir: "/opt/dora",
    zenohPort: 5456,
  });
});

Deno.test("parseClusterFile() rejects unknown fields with their position and a suggestion", () => {
  assert.deepEqual(
    problems(`coordinator:
  addr: 10.0.0.1
  prot: 6013
machines:
  - id: a
    host: b
    lables: {}
`),
    [
      'cluster.yml:3:3: unknown field "prot" in "coordinator" (did you mean "port"?)',
      'cluster.yml:7:5: unknown field "lables" in machine "a" (did you mean "labels"?)',
    ],
  );
});

Deno.test("parseClusterFile() accepts the zenoh fields, which select the zenoh transport", async () => {
  const c = parseClusterFile(
    `coordinator: {addr: 10.0.0.1}
zenoh_peer: tcp/10.0.0.1:7447
machines:
  - {id: a, host: b, zenoh_port: 5457, zenoh_addr: 10.0.0.2}
  - {id: c, host: d}
`,
  );
  assert.equal(c.transport, "zenoh");
  assert.equal(c.zenohPeer, "tcp/10.0.0.1:7447");
  assert.equal(c.machines[0].zenohPort, 5457);
  assert.equal(c.machines[0].zenohAddr, "10.0.0.2");
  assert.equal(c.machines[1].zenohPort, 5456);
  const { daemonFlags } = await import("./remote_daemon.ts");
  assert.deepEqual(daemonFlags(c, c.machines[0]).slice(-5), [
    "--zenoh",
    "--zenoh-listen",
    "tcp/10.0.0.2:5457",
    "--zenoh-connect",
    "tcp/10.0.0.1:7447",
  ]);
  const plain = parseClusterFile(
    `coordinator: {addr: 10.0.0.1}
transport: zenoh
machines: [{id: a, host: b}, {id: c, host: d}]
`,
  );
  assert.deepEqual(daemonFlags(plain, plain.machines[1]).slice(-5), [
    "--zenoh",
    "--zenoh-listen",
    "tcp/0.0.0.0:5456",
    "--zenoh-connect",
    "tcp/b:5456",
  ]);
  assert.ok(!daemonFlags(plain, plain.machines[0]).includes("--zenoh-connect"));
  assert.equal(
    parseClusterFile(
      `coordinator: {addr: 10.0.0.1}\nmachines: [{id: a, host: b}]\n`,
    ).transport,
    "tcp",
  );
});

Deno.test("parseClusterFile() reports bad zenoh fields by line", () => {
  const list = problems(`coordinator: {addr: 10.0.0.1}
transport: tcp
zenoh_peer: 10.0.0.1
machines:
  - id: a
    host: b
    zenoh_port: 0
    zenoh_addr: robot
`);
  assert.deepEqual(list.map((l) => l.replace(/: .*/, "")), [
    "cluster.yml:2:12",
    "cluster.yml:3:13",
    "cluster.yml:7:17",
    "cluster.yml:8:17",
  ]);
  assert.match(list[0], /"transport: tcp" with zenoh fields/);
  assert.match(
    list[1],
    /invalid zenoh_peer "10\.0\.0\.1": expected a zenoh endpoint/,
  );
  assert.match(list[2], /invalid zenoh_port 0 in machine "a"/);
  assert.match(
    list[3],
    /invalid zenoh_addr "robot" in machine "a": expected an IP address/,
  );
  assert.match(
    problems(
      `coordinator: {addr: 10.0.0.1}\ntransport: udp\nmachines: [{id: a, host: b}]\n`,
    )[0],
    /^cluster\.yml:2:12: invalid transport "udp": expected tcp or zenoh/,
  );
});

Deno.test("parseClusterFile() reports duplicate ids, bad ids, hosts and ports", () => {
  assert.deepEqual(
    problems(`coordinator:
  addr: robot.local
  port: 0
machines:
  - id: a
    host: 10.0.0.2
  - id: a
    host: 10.0.0.3
  - id: "x y"
    host: "-oProxyCommand=evil"
  - id: c
    host: pi@10.0.0.4
    daemon_port: 70000
  - host: 10.0.0.5
`),
    [
      'cluster.yml:2:9: invalid coordinator.addr "robot.local": expected an IP address such as 192.168.1.10',
      'cluster.yml:3:9: invalid port 0 in "coordinator": expected a port (1-65535)',
      'cluster.yml:7:9: duplicate machine id "a" (machine #1 has it too)',
      'cluster.yml:9:9: invalid id "x y" in machine "x y": use 1-256 characters of A-Z a-z 0-9 _ . -',
      'cluster.yml:10:11: invalid host "-oProxyCommand=evil" in machine "x y": expected a host name or address (put the user in "user")',
      'cluster.yml:12:11: invalid host "pi@10.0.0.4" in machine "c": expected a host name or address (put the user in "user")',
      'cluster.yml:13:18: invalid daemon_port 70000 in machine "c": expected a port (1-65535)',
      'cluster.yml:14:5: missing field "id" in machine #5',
    ].sort(byLine),
  );
});

Deno.test("parseClusterFile() wants string labels and a non-empty machine list", () => {
  assert.deepEqual(
    problems(`coordinator: {addr: 10.0.0.1}
machines:
  - id: a
    host: b
    labels:
      gpu: true
`),
    [
      'cluster.yml:6:12: label "gpu" of machine "a" must be a string (quote it: gpu: "true")',
    ],
  );
  assert.deepEqual(problems("coordinator: {addr: 10.0.0.1}\nmachines: []\n"), [
    'cluster.yml:2:11: "machines" must list at least one machine',
  ]);
  assert.deepEqual(problems(""), [
    'cluster.yml:1:1: the cluster file must be a mapping with "coordinator" and "machines", got nothing',
  ]);
});

Deno.test("parseClusterFile() refuses two machines on one host and data port", () => {
  assert.deepEqual(
    problems(`coordinator: {addr: 127.0.0.1}
machines:
  - {id: a, host: 127.0.0.1, port: 2201}
  - {id: b, host: 127.0.0.1, port: 2202}
`),
    [
      'cluster.yml:4:5: machines "a" and "b" are both 127.0.0.1 with daemon_port 53291: give one another daemon_port',
    ],
  );
});

function byLine(a: string, b: string): number {
  const pos = (s: string) => s.split(":").slice(1, 3).map(Number);
  const [la, ca] = pos(a);
  const [lb, cb] = pos(b);
  return la! - lb! || ca! - cb!;
}
