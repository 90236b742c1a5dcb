/**
 * Shared-memory references from a hostile node: a region smaller than the
 * reference says (mapping it would kill the reader with SIGBUS), a region
 * name with `/../` that would make the runtime read or delete a file of the
 * sender's choice. Each is refused with an error naming the sender, through
 * the daemon (inline copies for receivers without FFI, relayed references)
 * and over direct links; `dora run` and every other node go on.
 */
import assert from "node:assert/strict";
import { DoraProcess, ROOT } from "../_support/dora.ts";
import { dataflowId, regionsOf, removeRegionsOf } from "../_support/shm.ts";

const FIXTURES = `${ROOT}/tests/fixtures/security`;
const RECEIVERS = ["noffi", "mapper", "pyrecv"];

function dataflow(folder: string, mode: string): string {
  const inputs = `
    inputs:
      lie: hostile/lie
      steal: hostile/steal`;
  return `nodes:
  - id: hostile
    path: hostile_regions.py
    args: ${folder} ${mode}
    outputs: [lie, steal]
  - id: noffi
    path: region_receiver.ts
    permissions:
      ffi: false${inputs}
  - id: mapper
    path: region_receiver.ts${inputs}
  - id: pyrecv
    path: region_receiver.py${inputs}
`;
}

async function runHostile(mode: "daemon" | "link"): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dora-regions-" });
  const folder = await Deno.makeTempDir({ prefix: "dora-victim-" });
  let dora: DoraProcess | undefined;
  let id: string | undefined;
  try {
    await Deno.writeTextFile(`${folder}/victim`, "do not delete\n");
    await Deno.writeTextFile(`${folder}/secret`, "TOP-SECRET-BYTES\n");
    for (
      const f of [
        "hostile_regions.py",
        "region_receiver.ts",
        "region_receiver.py",
      ]
    ) {
      await Deno.copyFile(`${FIXTURES}/${f}`, `${dir}/${f}`);
    }
    await Deno.writeTextFile(`${dir}/dataflow.yml`, dataflow(folder, mode));
    dora = new DoraProcess(["run", "dataflow.yml"], { cwd: dir });
    id = await dataflowId(dora);
    for (const r of RECEIVERS) await dora.waitForLine(new RegExp(`${r}: done`));
    // Through the daemon, the sender is told.
    if (mode === "daemon") {
      await dora.waitForLine(/hostile: error .*not a region of node "hostile"/);
    }
    dora.kill("SIGINT");
    const res = await dora.result();
    const out = res.stdout + res.stderr;
    assert.equal(res.signal, null, out);
    assert.doesNotMatch(out, /SIGBUS|bus error/i);
    for (const r of RECEIVERS) {
      const lines = out.split("\n").filter((l) => l.includes(`${r}: `));
      const said = lines.join("\n");
      // The secret was read for nobody.
      assert.doesNotMatch(said, /TOP-SECRET/, said);
      assert.doesNotMatch(said, /input (lie|steal)/, said);
      // `lie` was refused, naming the sender, with the real size.
      const lie = lines.find((l) => /error .*["`]lie["`]/.test(l));
      assert.ok(lie, `${r} got no error for "lie":\n${out}`);
      assert.match(lie, /hostile/);
      // (Over a link, a receiver without FFI cannot map anything.)
      if (mode === "daemon" || r !== "noffi") assert.match(lie, /4096/);
    }
    if (mode === "link") {
      // Over links the receiver checks the name itself.
      for (const r of ["mapper", "pyrecv"]) {
        assert.match(
          out,
          new RegExp(`${r}: error .*steal.*not a region of node "hostile"`),
        );
      }
    }
    // The runtime deleted nothing the node named.
    assert.equal(
      await Deno.readTextFile(`${folder}/victim`),
      "do not delete\n",
    );
    assert.equal(res.code, 0, out);
  } finally {
    try {
      dora?.kill("SIGKILL");
    } catch {
      // exited
    }
    await dora?.result().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
  if (id) {
    const left = regionsOf(id);
    removeRegionsOf(id);
    assert.deepEqual(left, []);
  }
}

Deno.test("dora run refuses lying and foreign shared-memory references sent through the daemon", async () => {
  await runHostile("daemon");
});

Deno.test("dora run receivers refuse lying and foreign shared-memory references sent over direct links", async () => {
  await runHostile("link");
});
