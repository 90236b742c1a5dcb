/**
 * The runtime's route table at run time (what `topic echo/hz/pub`, recorders
 * and live graph changes build on): subscriptions that never slow the
 * dataflow, injected messages, routes added and removed. Real node
 * processes, driven by an in-process `DataflowRuntime` (what `dora run` is).
 */
import assert from "node:assert/strict";
import { fixture, tempDataflow } from "../_support/dora.ts";
import { loadDataflow } from "../../src/descriptor/mod.ts";
import { DataflowRuntime, RouteError } from "../../src/runtime/mod.ts";
import type { TapMessage } from "../../src/runtime/mod.ts";

const sender = (l: string) => fixture(`datapath/seq_sender.${l}`);
const receiver = (l: string) => fixture(`datapath/seq_receiver.${l}`);

/** A runtime over `yaml`, collecting each node's stdout lines. */
async function start(yaml: string) {
  const df = await tempDataflow(yaml);
  const { dataflow } = await loadDataflow(df.path);
  const lines = new Map<string, string[]>();
  const waiters: { node: string; re: RegExp; resolve: () => void }[] = [];
  const runtime = new DataflowRuntime({
    dataflow,
    graceMs: 2000,
    events: {
      onLog(r) {
        if (r.stream !== "stdout") return;
        const l = lines.get(r.node) ?? [];
        l.push(r.msg);
        lines.set(r.node, l);
        for (const w of [...waiters]) {
          if (w.node === r.node && w.re.test(r.msg)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      },
    },
  });
  return {
    runtime,
    says: (node: string) => lines.get(node) ?? [],
    /** Resolves once `node` printed a line matching `re` (or already did). */
    saw(node: string, re: RegExp): Promise<void> {
      if ((lines.get(node) ?? []).some((l) => re.test(l))) {
        return Promise.resolve();
      }
      return new Promise((resolve) => waiters.push({ node, re, resolve }));
    },
    async [Symbol.asyncDispose]() {
      // A runtime that was started ends (forced, if still running).
      if (runtime.socketPath !== "") {
        runtime.stop({ force: true });
        await runtime.finished;
      }
      await df[Symbol.asyncDispose]();
    },
  };
}

/** `seq <n>` lines of `input` printed by a PRINT_ALL receiver. */
function seqs(lines: string[], input: string): number[] {
  const re = new RegExp(`: ${input} seq (\\d+)$`);
  return lines.map((l) => re.exec(l)).filter((m) => m !== null).map((m) =>
    Number(m![1])
  );
}

for (const lang of ["ts", "py"]) {
  Deno.test(`DataflowRuntime.subscribe() copies a ${lang} sender's messages without slowing it and counts what a slow subscriber lost`, async () => {
    const COUNT = 500;
    await using run = await start(`
nodes:
  - id: sender
    path: ${sender(lang)}
    outputs: [out]
    env: { COUNT: ${COUNT}, SIZE: 16 }
  - id: rx
    path: ${receiver("py")}
    inputs:
      in: { source: sender/out, queue_policy: backpressure }
`);
    const tap = run.runtime.subscribe("sender", "out", {
      queueSize: 10,
      maxBytes: 8,
    });
    await run.runtime.start();
    const summary = await run.runtime.finished;
    // The dataflow ended: the subscription did too, keeping its last copies.
    const kept: TapMessage[] = [];
    for await (const m of tap) kept.push(m);
    assert.equal(tap.closed, true);
    assert.equal(kept.length, 10);
    assert.equal(tap.received, COUNT);
    assert.equal(tap.lost, COUNT - 10);
    for (const [i, m] of kept.entries()) {
      const seq = COUNT - 10 + i;
      assert.deepEqual(m.metadata.p?.seq, ["int", seq]);
      assert.equal(m.size, 16);
      assert.equal(m.truncated, true);
      assert.deepEqual([...m.payload!], new Array(8).fill(seq % 256));
    }
    // The receiver lost nothing.
    assert.ok(
      run.says("rx").includes(
        `seq_receiver[0]: in got ${COUNT} first=0 last=${
          COUNT - 1
        } ordered=true contiguous=true bad=0`,
      ),
      run.says("rx").join("\n"),
    );
    assert.equal(summary.success, true);
  });
}

Deno.test("DataflowRuntime.subscribe() of an unknown output is an error naming it", async () => {
  await using run = await start(`
nodes:
  - id: sender
    path: ${sender("ts")}
    outputs: [out]
    env: { COUNT: 1 }
`);
  assert.throws(
    () => run.runtime.subscribe("sender", "nope"),
    (e) => e instanceof RouteError && /no output "nope"/.test(e.message),
  );
  assert.throws(
    () => run.runtime.subscribe("ghost", "out"),
    (e) => e instanceof RouteError && /no node "ghost"/.test(e.message),
  );
});

for (const lang of ["ts", "py"]) {
  Deno.test(`DataflowRuntime.inject() delivers a message to a ${lang} receiver as if its node had sent it`, async () => {
    await using run = await start(`
nodes:
  - id: sender
    path: ${sender("ts")}
    outputs: [out]
    env: { COUNT: 2, DELAY_MS: 400 }
  - id: rx
    path: ${receiver(lang)}
    inputs:
      in: { source: sender/out, queue_policy: backpressure }
    env: { PRINT_ALL: 1 }
`);
    await run.runtime.start();
    await run.saw("rx", /in seq 0$/);
    const n = run.runtime.inject("sender", "out", {
      value: new Uint8Array(8).fill(1000 % 256),
      params: { seq: 1000 },
    });
    assert.equal(n, 1);
    await run.runtime.finished;
    const got = seqs(run.says("rx"), "in");
    assert.deepEqual(got.filter((s) => s === 1000), [1000], got.join(","));
    assert.deepEqual(got.filter((s) => s !== 1000), [0, 1]);
  });

  Deno.test(`DataflowRuntime.addRoute()/removeRoute() connect and disconnect a ${lang} receiver while messages flow`, async () => {
    await using run = await start(`
nodes:
  - id: sender
    path: ${sender("ts")}
    outputs: [out]
    env: { COUNT: 3000, DELAY_MS: 1 }
  - id: rx
    path: ${receiver("ts")}
    inputs:
      in: { source: sender/out, queue_policy: backpressure }
  - id: late
    path: ${receiver(lang)}
    inputs:
      idle: dora/timer/secs/100
    env: { PRINT_ALL: 1 }
`);
    await run.runtime.start();
    const route = {
      from: { node: "sender", output: "out" },
      to: { node: "late", input: "extra" },
    };
    run.runtime.addRoute(route, {
      queueSize: 100,
      queuePolicy: "backpressure",
    });
    const info = run.runtime.routeTable().find((r) =>
      r.to.node === "late" && r.to.input === "extra"
    );
    assert.ok(info);
    assert.equal(info.queuePolicy, "backpressure");
    await run.saw("late", /extra seq \d+$/);
    await new Promise((r) => setTimeout(r, 200));
    run.runtime.removeRoute(route);
    await run.saw("late", /closed extra after \d+$/);
    assert.throws(() => run.runtime.removeRoute(route), RouteError);
    const got = seqs(run.says("late"), "extra");
    assert.ok(got.length > 0);
    // From its first message on, nothing lost, reordered or duplicated.
    assert.ok(
      got.every((s, i) => i === 0 || s === got[i - 1] + 1),
      got.join(","),
    );
    // INPUT_CLOSED comes once (a control event: first, as ever).
    assert.equal(
      run.says("late").filter((l) => l.includes("closed extra")).length,
      1,
    );
  });
}
