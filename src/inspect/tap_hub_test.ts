import assert from "node:assert/strict";
import {
  InjectError,
  type OutputTap,
  type TapOptions,
  type TapSource,
} from "./tap.ts";
import { Tap } from "../runtime/delivery/taps.ts";
import { type TapBatch, TapHub, timingEntries } from "./tap_hub.ts";

/** A source whose outputs are fed by hand (the hub is what is tested). */
class Outputs implements TapSource {
  taps = new Map<string, Tap[]>();
  subscribeOutput(node: string, output: string, opts: TapOptions): OutputTap {
    const key = `${node}/${output}`;
    if (key === "x/missing") {
      throw new InjectError(`node "x" has no output "missing"`);
    }
    const q: Tap = new Tap(node, output, opts, () => {
      this.taps.set(key, (this.taps.get(key) ?? []).filter((t) => t !== q));
    });
    this.taps.set(key, [...(this.taps.get(key) ?? []), q]);
    return q;
  }
  injectOutput(): void {}
  send(key: string, ts: number, bytes = new Uint8Array([1, 2, 3, 4])): void {
    for (const q of this.taps.get(key) ?? []) {
      const payload = q.maxBytes > 0 ? bytes.slice(0, q.maxBytes) : null;
      q.offer({
        node: key.split("/")[0]!,
        output: key.split("/")[1]!,
        metadata: { ts: String(ts) },
        layout: undefined,
        payload,
        size: bytes.length,
        truncated: (payload?.length ?? 0) < bytes.length,
        shm: false,
      });
    }
  }
  count(): number {
    return [...this.taps.values()].reduce((s, l) => s + l.length, 0);
  }
}

function sink() {
  const batches: TapBatch[] = [];
  let congested = false;
  const waiters: (() => void)[] = [];
  const asked = Promise.withResolvers<void>();
  return {
    batches,
    setCongested(v: boolean) {
      congested = v;
    },
    next: () => new Promise<void>((r) => waiters.push(r)),
    /** Resolves once the hub asked whether the link is congested. */
    asked: asked.promise,
    sink: {
      send(b: TapBatch) {
        batches.push(b);
        waiters.splice(0).forEach((w) => w());
      },
      congested: () => {
        asked.resolve();
        return congested;
      },
    },
  };
}

Deno.test("TapHub batches the copies of a subscription's topics to its sink", async () => {
  const src = new Outputs();
  const hub = new TapHub();
  const s = sink();
  hub.subscribe("s1", src, [{ node: "a", output: "o" }, {
    node: "b",
    output: "o",
  }], {
    mode: "full",
    maxBytes: 2,
    queueSize: 10,
    group: "df",
  }, s.sink);
  const next = s.next();
  src.send("a/o", 1);
  src.send("b/o", 2);
  await next;
  assert.deepEqual(s.batches[0], {
    subscription: "s1",
    messages: [
      { topic: "a/o", ts: "1", size: 4, b: "AQI=" },
      { topic: "b/o", ts: "2", size: 4, b: "AQI=" },
    ],
  });
  hub.unsubscribe("s1");
  assert.equal(src.count(), 0);
});

Deno.test("TapHub sends only timing in timing mode", async () => {
  const src = new Outputs();
  const hub = new TapHub();
  const s = sink();
  hub.subscribe("s", src, [{ node: "a", output: "o" }], {
    mode: "timing",
    maxBytes: 4096,
    queueSize: 10,
    group: "df",
  }, s.sink);
  const next = s.next();
  src.send("a/o", 7);
  await next;
  assert.deepEqual(s.batches[0]!.timing, { "a/o": ["7", [0], [4]] });
  hub.closeAll();
});

Deno.test("TapHub waits out a congested sink while the queues drop and count", async () => {
  const src = new Outputs();
  const hub = new TapHub();
  const s = sink();
  s.setCongested(true);
  hub.subscribe("s", src, [{ node: "a", output: "o" }], {
    mode: "full",
    maxBytes: 0,
    queueSize: 2,
    group: "df",
  }, s.sink);
  for (let i = 0; i < 5; i++) src.send("a/o", i);
  await s.asked; // the hub found the link congested and sent nothing
  assert.equal(s.batches.length, 0);
  const next = s.next();
  s.setCongested(false);
  await next;
  assert.deepEqual(s.batches[0]!.messages!.map((m) => m.ts), ["3", "4"]);
  assert.deepEqual(s.batches[0]!.lost, { "a/o": 3 });
  hub.closeAll();
});

Deno.test("TapHub taps nothing when one topic cannot be tapped, and closes groups", () => {
  const src = new Outputs();
  const hub = new TapHub();
  assert.throws(
    () =>
      hub.subscribe("s", src, [{ node: "a", output: "o" }, {
        node: "x",
        output: "missing",
      }], {
        mode: "full",
        maxBytes: 0,
        queueSize: 2,
        group: "df",
      }, sink().sink),
    InjectError,
  );
  assert.equal(src.count(), 0);
  assert.equal(hub.has("s"), false);
  let ended = 0;
  for (const id of ["a", "b"]) {
    hub.subscribe(
      id,
      src,
      [{ node: "a", output: "o" }],
      {
        mode: "full",
        maxBytes: 0,
        queueSize: 2,
        group: id === "a" ? "df1" : "df2",
      },
      sink().sink,
      () => ended++,
    );
  }
  assert.deepEqual(hub.closeGroup("df1"), ["a"]);
  assert.equal(ended, 1);
  assert.equal(hub.size, 1);
  hub.closeAll();
  assert.equal(ended, 2);
});

Deno.test("timingEntries() restores every timestamp of a compact timing run", () => {
  const run: [string, number[], number[]] = ["1796322668690213134", [
    0,
    100,
    250,
  ], [8, 8, 9]];
  assert.deepEqual([...timingEntries(run)], [
    { ts: 1796322668690213134n, size: 8 },
    { ts: 1796322668690213234n, size: 8 },
    { ts: 1796322668690213384n, size: 9 },
  ]);
});
