/**
 * A two-machine cluster over real SSH servers: `cluster up` ships dora to
 * each machine and starts its daemon, a dataflow placed by labels sends data
 * from one machine to the other, `cluster status` shows both, `upgrade`
 * re-ships a damaged copy and restarts the daemons one at a time (the
 * dataflow is restarted), and `down` leaves nothing running anywhere.
 */
import assert from "node:assert/strict";
import { freePort } from "../_support/cluster.ts";
import { SshLab } from "../_support/ssh.ts";
import { waitUntil } from "../_support/wait.ts";

const SENDER = `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const event of node) {
  if (event.type === "INPUT") await node.sendOutput("count", [++n]);
  else if (event.type === "STOP") break;
}
`;

const RECEIVER = `import { Node } from "dora";
const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") console.log("received " + event.value.get(0));
  else if (event.type === "STOP") break;
}
`;

const DATAFLOW = `nodes:
  - id: sender
    path: sender.ts
    _unstable_deploy:
      labels: {role: sender}
    inputs:
      tick: dora/timer/millis/50
    outputs: [count]
  - id: receiver
    path: receiver.ts
    _unstable_deploy:
      labels: {gpu: "true"}
    inputs:
      count: sender/count
`;

interface Status {
  machines: {
    id: string;
    daemon: string;
    pid?: number;
    version?: string;
    labels: Record<string, string>;
    dataflows: number;
  }[];
  dataflows: {
    uuid: string;
    name?: string;
    status: string;
    daemons: string[];
  }[];
}

Deno.test("dora cluster up, a dataflow across two machines by labels, upgrade and down leave nothing running", async () => {
  const lab = await SshLab.create();
  try {
    await lab.addMachine("a");
    await lab.addMachine("b");
    const port = freePort();
    const file = lab.clusterFile("cluster.yml", port, [
      {
        id: "a",
        daemonPort: freePort(),
        extra: "    labels: {role: sender}\n",
      },
      {
        id: "b",
        daemonPort: freePort(),
        extra: '    labels: {gpu: "true"}\n',
      },
    ]);
    lab.write("df/sender.ts", SENDER);
    lab.write("df/receiver.ts", RECEIVER);
    const dataflow = lab.write("df/dataflow.yml", DATAFLOW);
    const at = ["--coordinator-port", String(port)];

    // up: dora shipped to both machines, daemons registered.
    const up = await lab.dora(["cluster", "up", file]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(
      up.stdout,
      /cluster is up: coordinator 127\.0\.0\.1:\d+, 2 machines/,
    );
    assert.match(
      up.stdout,
      /\n {2}a {2}\S+ {2}daemon started \(pid \d+\), dora shipped/,
    );
    assert.match(
      up.stdout,
      /\n {2}b {2}\S+ {2}daemon started \(pid \d+\), dora shipped/,
    );
    const status1 = await clusterStatus(lab, file);
    for (const m of status1.machines) {
      assert.equal(m.daemon, "connected", `${m.id} connected`);
      // The daemon runs the shipped copy, under the machine's own HOME.
      const cmdline = Deno.readTextFileSync(`/proc/${m.pid}/cmdline`);
      const home = lab.machine(m.id).home;
      assert.ok(
        cmdline.startsWith(`${home}/.dora/bin/versions/`),
        `${m.id} runs ${cmdline.replaceAll("\0", " ")}`,
      );
      assert.match(cmdline, /\/lib\/dora\.js\0daemon\0--machine-id\0/);
      // The Python node API is shipped with the source of its C buffer type.
      Deno.statSync(
        `${home}/.dora/bin/current/lib/nodes/api/python/dora/_sample_buffer.c`,
      );
      const token = Deno.readTextFileSync(`${lab.env.DORA_STATE_DIR}/token`)
        .trim();
      assert.ok(!cmdline.includes(token), "no token on the command line");
    }
    assert.deepEqual(status1.machines.map((m) => m.labels), [
      { role: "sender" },
      { gpu: "true" },
    ]);

    // dora doctor over SSH: the shipped dora checks each machine, and that
    // it reaches the coordinator with the token.
    const doctor = await lab.dora([
      "cluster",
      "doctor",
      file,
      "--format",
      "json",
    ]);
    const report = JSON.parse(doctor.stdout) as {
      machines: {
        machineId: string;
        checks: { id: string; status: string }[];
      }[];
    };
    assert.deepEqual(report.machines.map((m) => m.machineId), ["a", "b"]);
    for (const m of report.machines) {
      const status = (id: string) => m.checks.find((c) => c.id === id)?.status;
      assert.equal(status("deno"), "ok", `${m.machineId}: ${doctor.stdout}`);
      assert.equal(
        status("coordinator"),
        "ok",
        `${m.machineId}: ${doctor.stdout}`,
      );
      assert.ok(status("pyarrow"), "Python nodes' needs are checked");
    }

    // A label nobody has: refused before anything starts.
    const nomatch = lab.write(
      "df/nomatch.yml",
      DATAFLOW.replace('{gpu: "true"}', '{gpu: "h100"}'),
    );
    const refused = await lab.dora([
      "start",
      nomatch,
      "--detach",
      "--name",
      "nope",
      ...at,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /labels gpu=h100/);

    // A dataflow spread over both machines by labels: data crosses.
    const start = await lab.dora([
      "start",
      dataflow,
      "--detach",
      "--name",
      "robot",
      ...at,
    ]);
    assert.equal(start.code, 0, start.stderr);
    await waitUntil(
      async () => /received 5\b/.test(await receiverLogs(lab, at)),
      "receiver on b got 5 messages from a",
    );
    const status2 = await clusterStatus(lab, file);
    const robot = status2.dataflows.find((d) => d.name === "robot")!;
    assert.equal(robot.status, "running");
    assert.deepEqual(robot.daemons.sort(), ["a", "b"]);
    assert.deepEqual(status2.machines.map((m) => m.dataflows), [1, 1]);
    // Nodes never get the coordinator's token.
    const token = Deno.readTextFileSync(`${lab.env.DORA_STATE_DIR}/token`)
      .trim();
    for (const id of ["a", "b"]) {
      for (const pid of lab.processesOf(id)) {
        if (pid === status2.machines.find((m) => m.id === id)!.pid) continue;
        const env = Deno.readTextFileSync(`/proc/${pid}/environ`);
        assert.ok(
          !env.includes(token),
          `process ${pid} on ${id} has the token`,
        );
      }
    }
    const table = await lab.dora(["cluster", "status", file]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /machines: +2 of 2 connected/);
    assert.match(table.stdout, /\na +\S+@127\.0\.0\.1:\d+ +connected +0\.1\.0/);

    // restart by name: stopped, started again from the stored descriptor.
    const restarted = await lab.dora(["cluster", "restart", file, "robot"]);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stderr, /restarted robot: \S+ -> \S+/);
    const current = restarted.stdout.trim();
    assert.notEqual(current, robot.uuid);

    // upgrade: b's copy is damaged, so it is shipped again; both daemons are
    // restarted one at a time and the dataflow is restarted after them.
    const bLib = `${lab.machine("b").home}/.dora/bin/current/lib/dora.js`;
    Deno.writeTextFileSync(bLib, "\n// damaged\n", { append: true });
    const upgrade = await lab.dora(["cluster", "upgrade", file]);
    assert.equal(upgrade.code, 0, upgrade.stderr);
    assert.match(
      upgrade.stderr,
      /\n {2}a {2}dora 0\.1\.0 \(\w+\) is installed/,
    );
    assert.match(
      upgrade.stderr,
      /\n {2}b {2}installed copy is damaged; copying/,
    );
    assert.ok(
      upgrade.stderr.indexOf("a  upgraded: daemon") <
        upgrade.stderr.indexOf("b  daemon restarted"),
      "a is back before b restarts",
    );
    assert.match(upgrade.stderr, /dataflow robot restarted: \S+ -> \S+/);
    const status3 = await clusterStatus(lab, file);
    for (const m of status3.machines) {
      assert.equal(m.daemon, "connected");
      assert.notEqual(m.pid, status1.machines.find((x) => x.id === m.id)!.pid);
    }
    const again = status3.dataflows.find((d) =>
      d.name === "robot" && d.status === "running"
    )!;
    assert.notEqual(again.uuid, current);
    await waitUntil(
      async () => /received 5\b/.test(await receiverLogs(lab, at)),
      "the restarted dataflow delivers again",
    );

    // down: dataflows, daemons and the coordinator stop; nothing is left.
    const down = await lab.dora(["cluster", "down", file]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /cluster is down/);
    assert.match(down.stderr, /\n {2}a {2}daemon exited/);
    assert.match(down.stderr, /\n {2}b {2}daemon exited/);
    assert.deepEqual(lab.processesOf("a"), []);
    assert.deepEqual(lab.processesOf("b"), []);
    assert.deepEqual(lab.leftovers(), []);
    const after = await lab.dora(["cluster", "status", file]);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /could not connect to the dora coordinator/);
  } finally {
    await lab.cleanup();
  }
});

async function clusterStatus(lab: SshLab, file: string): Promise<Status> {
  const r = await lab.dora(["cluster", "status", file, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function receiverLogs(lab: SshLab, at: string[]): Promise<string> {
  const r = await lab.dora(["logs", "robot", "receiver", ...at]);
  return r.stdout;
}
