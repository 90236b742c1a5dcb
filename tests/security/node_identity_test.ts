/**
 * Node identity: a process of the same user that connects to the daemon
 * socket as a node that has not connected yet, or to a sender's `listen`
 * socket as one of its receivers, is refused, and the real nodes go on
 * (fixtures in tests/fixtures/security/identity).
 */
import assert from "node:assert/strict";
import { ROOT, runDora } from "../_support/dora.ts";

const FIXTURES = `${ROOT}/tests/fixtures/security/identity`;

Deno.test("dora run refuses a node that connects as another node or links as another node's receiver", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-identity-" });
  try {
    for (const e of Deno.readDirSync(FIXTURES)) {
      await Deno.copyFile(`${FIXTURES}/${e.name}`, `${dir}/${e.name}`);
    }
    const r = await runDora(["run", "dataflow.yml"], { cwd: dir });
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    // The daemon socket: only the process dora started for "victim".
    assert.match(
      out,
      /imp: as victim: error node "victim" refused: the connection did not come from the process dora started for it/,
    );
    assert.match(out, /victim: connected/);
    // The senders' link sockets: only the receiver the daemon gave the key.
    for (const sender of ["src", "pysrc"]) {
      assert.match(
        out,
        new RegExp(
          `imp: link to ${sender} as rcv: error link as node "rcv" refused: wrong or missing link key`,
        ),
      );
    }
    assert.match(
      out,
      /refused a link that claimed to come from node "rcv" \(wrong or missing link key\)/,
    );
    // The real receiver got everything both senders sent.
    const src = Number(/\bsrc: sent (\d+)/.exec(out)?.[1]);
    const pysrc = Number(/pysrc: sent (\d+)/.exec(out)?.[1]);
    assert.ok(src >= 40 && pysrc >= 40, out);
    assert.match(out, new RegExp(`rcv: a ${src} b ${pysrc}\\b`));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("dora run drops what a node relays for an input that another node feeds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-relay-" });
  const fixtures = `${ROOT}/tests/fixtures/security/relay`;
  try {
    for (const e of Deno.readDirSync(fixtures)) {
      await Deno.copyFile(`${fixtures}/${e.name}`, `${dir}/${e.name}`);
    }
    const r = await runDora(["run", "dataflow.yml"], { cwd: dir });
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    assert.match(
      out,
      /node "spoof" relayed a message for input "from_src" of "rcv2", which it does not feed; dropped/,
    );
    assert.doesNotMatch(out, /SPOOFED/);
    assert.equal(out.match(/rcv2: from_src genuine/g)?.length, 3, out);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
