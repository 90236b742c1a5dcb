/**
 * Losing a machine: `kill -9` of one daemon of a dataflow must only break
 * the inputs that came from it. The surviving daemon keeps running, its
 * receivers get NODE_FAILED then INPUT_CLOSED for the lost machine's nodes,
 * and the dataflow ends as failed, naming the lost daemon.
 */
import assert from "node:assert/strict";
import { FIXTURES } from "../_support/fault.ts";
import { processAlive } from "../_support/dora.ts";
import { processesWithEnv, Sandbox } from "../_support/cluster.ts";
import { readOrEmpty, waitUntil } from "../_support/wait.ts";

/** Traffic in both directions between A and B, 100 messages a second. */
const ACROSS = `
nodes:
  - id: far
    _unstable_deploy:
      machine: B
    path: ${FIXTURES}/sender.ts
    args: --ticks 1000000
    inputs:
      tick: dora/timer/millis/10
    outputs: [data]
  - id: near
    _unstable_deploy:
      machine: A
    path: ${FIXTURES}/sender.ts
    args: --ticks 1000000
    inputs:
      tick: dora/timer/millis/10
    outputs: [data]
  - id: watcher
    _unstable_deploy:
      machine: A
    path: ${FIXTURES}/observer.ts
    inputs:
      far: far/data
      near: near/data
  - id: far_watcher
    _unstable_deploy:
      machine: B
    path: ${FIXTURES}/observer.ts
    inputs:
      near: near/data
`;

/** The FAULT-REPORT objects a node printed so far (from its log file). */
function reports(path: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readOrEmpty(path).split("\n")) {
    const at = line.indexOf("FAULT-REPORT {");
    if (at < 0) continue;
    try {
      const msg = JSON.parse(line).msg as string;
      out.push(JSON.parse(msg.slice(msg.indexOf("{"))));
    } catch {
      // a partial line
    }
  }
  return out;
}

Deno.test("dora start: kill -9 of one daemon fails only the inputs that came from it", async () => {
  const sb = await Sandbox.create();
  let uuid = "";
  try {
    await sb.coordinator([], {
      DORA_HEARTBEAT_MS: "200",
      DORA_DAEMON_TIMEOUT_MS: "1500",
    });
    const a = await sb.daemon(["--machine-id", "A"]);
    const b = await sb.daemon(["--machine-id", "B"]);
    const file = sb.write("dataflow.yml", ACROSS);
    const start = await sb.dora(["start", file, "--detach", "--name", "x"]);
    assert.equal(start.code, 0, start.stderr);
    uuid = start.stdout.trim();
    const log = `${sb.dir}/out/${uuid}/log_watcher.jsonl`;
    // Both directions carry data before the machine goes away.
    await waitUntil(
      () => {
        const r = reports(log);
        return r.some((x) => x.id === "far") && r.some((x) => x.id === "near");
      },
      "data from both machines",
      { detail: () => a.stderr + b.stderr },
    );

    b.child.kill("SIGKILL");
    await b.done;

    const failed = await waitUntil(
      () =>
        reports(log).find((x) => x.event === "NODE_FAILED" && x.id === "far"),
      "NODE_FAILED for the node of the lost machine",
      { detail: () => a.stderr },
    );
    assert.match(String(failed.error), /daemon "B" lost/);
    assert.deepEqual(failed.inputs, ["far"]);
    await waitUntil(
      () =>
        reports(log).find((x) => x.event === "INPUT_CLOSED" && x.id === "far"),
      "INPUT_CLOSED for the input from the lost machine",
      { detail: () => a.stderr },
    );
    // The local input keeps flowing, and daemon A is alive and well.
    const seen = reports(log).filter((x) => x.id === "near").length;
    await waitUntil(
      () => reports(log).filter((x) => x.id === "near").length > seen + 5,
      "more local data after the loss",
      { detail: () => a.stderr },
    );
    assert.ok(processAlive(a.child.pid), a.stderr);
    assert.doesNotMatch(a.stderr, /BrokenPipe|uncaught|unhandled/i);

    const stop = await sb.dora(["stop", "x"]);
    assert.equal(stop.code, 1, stop.stdout + stop.stderr);
    assert.match(stop.stdout + stop.stderr, /daemon "B" lost/);
    assert.ok(processAlive(a.child.pid), a.stderr);
  } finally {
    await sb.cleanup();
    if (uuid) {
      for (const pid of processesWithEnv(uuid)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  }
});
