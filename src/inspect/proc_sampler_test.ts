import assert from "node:assert/strict";
import { descendants, processTree, ProcSampler } from "./proc_sampler.ts";

Deno.test("ProcSampler.sample() measures a busy process tree's CPU and memory", async () => {
  // A shell whose child spins: both belong to the group.
  const child = new Deno.Command("sh", {
    args: ["-c", "sh -c 'while :; do :; done' & wait"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const sampler = new ProcSampler();
    const roots = new Map([["busy", child.pid]]);
    let tree = processTree();
    while (descendants(child.pid, tree).length < 2) {
      await new Promise((r) => setTimeout(r, 20));
      tree = processTree();
    }
    const first = sampler.sample(roots, tree).get("busy")!;
    assert.equal(first.cpu, 0, "no rate before a second sample");
    assert.ok(first.memoryBytes > 0);
    assert.equal(first.pids[0], child.pid);
    assert.ok(first.pids.length >= 2, "the spinning child is counted");
    // CPU time accrues in clock ticks: wait until some were used.
    let usage = first;
    while (usage.cpu === 0) {
      await new Promise((r) => setTimeout(r, 100));
      usage = sampler.sample(roots).get("busy")!;
    }
    assert.ok(usage.cpu > 0);
    assert.ok(usage.diskReadBytesPerSec !== undefined);
  } finally {
    for (const pid of descendants(child.pid, processTree()).reverse()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await child.status;
  }
});

Deno.test("ProcSampler.sample() leaves out groups whose process is gone", () => {
  const sampler = new ProcSampler();
  // Above the kernel's pid_max: never a live process.
  assert.equal(sampler.sample(new Map([["x", 2 ** 22 + 12345]])).size, 0);
});
