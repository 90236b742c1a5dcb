import assert from "node:assert/strict";
import { type LinkSink, LinkWriter } from "./_link_writer.ts";

/** A writer whose sink records, per write, how often the hook had run. */
function writer(quietMs: number) {
  const seen = { yields: 0, writes: [] as number[] };
  const w = new LinkWriter({
    onDrop: () => {},
    onLost: () => {},
    afterLoneWrite: () => seen.yields++,
  }, quietMs);
  const sink: LinkSink = {
    write(p: Uint8Array): Promise<number> {
      seen.writes.push(seen.yields);
      return Promise.resolve(p.length);
    },
  };
  const slot = w.slot(10, true);
  w.attach(sink);
  const send = async () => {
    w.push(slot, '{"t":"input","id":"a"}', null);
    w.kick();
    await w.flush();
  };
  return { seen, send };
}

Deno.test("a lone write yields the CPU right after handing its bytes over", async () => {
  const { seen, send } = writer(10_000);
  await send();
  assert.equal(seen.yields, 1, "nothing was written before: lone");
  assert.deepEqual(seen.writes, [0], "the hook runs after the write call");
  for (let i = 0; i < 3; i++) await send();
  assert.equal(seen.yields, 1, "writes within the quiet time do not yield");
});

Deno.test("a write after a quiet spell yields again", async () => {
  const { seen, send } = writer(1);
  await send();
  await new Promise((r) => setTimeout(r, 20));
  await send();
  assert.equal(seen.yields, 2);
});
