/**
 * A machine set up once runs TypeScript nodes with no network at all: the
 * set-up (`scripts/setup.sh`, into a fresh Deno cache) caches what the node
 * API imports, then `dora run` runs a TypeScript dataflow inside a network
 * namespace that has no network (`unshare -n`).
 */
import assert from "node:assert/strict";
import { ROOT } from "../_support/dora.ts";

const decoder = new TextDecoder();

Deno.test("dora run runs TypeScript nodes without network after the set-up", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "dora-offline-" });
  try {
    const env = { DENO_DIR: `${dir}/deno-cache`, NO_COLOR: "1" };
    const setup = await new Deno.Command(`${ROOT}/scripts/setup.sh`, {
      env,
      stdin: "null",
    }).output();
    assert.equal(setup.code, 0, decoder.decode(setup.stderr));
    const deno = decoder.decode(setup.stdout).trim().split("\n").pop()!;
    Deno.mkdirSync(`${dir}/flow`);
    for (const f of Deno.readDirSync(`${ROOT}/examples/typescript-dataflow`)) {
      if (f.isFile) {
        Deno.copyFileSync(
          `${ROOT}/examples/typescript-dataflow/${f.name}`,
          `${dir}/flow/${f.name}`,
        );
      }
    }
    const run = await new Deno.Command("unshare", {
      args: [
        "-n",
        deno,
        "run",
        "-A",
        "--no-prompt",
        "--config",
        `${ROOT}/deno.json`,
        `${ROOT}/main.ts`,
        "run",
        `${dir}/flow/dataflow.yml`,
      ],
      env,
      stdin: "null",
    }).output();
    const stderr = decoder.decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.match(stderr, /receiver: SUCCESS: received 50 squares in order/);
    assert.doesNotMatch(stderr, /Download/);
    // Nothing in any node's log file mentions a download either.
    const out = `${dir}/flow/out`;
    for (const run of Deno.readDirSync(out)) {
      for (const log of Deno.readDirSync(`${out}/${run.name}`)) {
        const text = Deno.readTextFileSync(`${out}/${run.name}/${log.name}`);
        assert.doesNotMatch(text, /Download|registry\.npmjs/, log.name);
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
