/**
 * Runs a node script the way the daemon does: `deno run --no-prompt <scoped
 * permissions> --import-map <map> node.ts`, with `"dora"` mapped to this API.
 */
import assert from "node:assert/strict";
import { FakeDaemon } from "./_fake_daemon.ts";
import type { NodeConfig } from "./config.ts";
import { decodeValue, type OutputHeader } from "../../../src/message/mod.ts";

const MOD = new URL("./mod.ts", import.meta.url).href;

const SCRIPT = `
import { Node } from "dora";
const node = await Node.init();
for await (const event of node) {
  if (event.type === "INPUT") await node.sendOutput("out", event.value, { seen: true });
}
node.log("info", "bye", { n: 1 });
`;

async function run(
  daemon: FakeDaemon,
  perms: string[],
  over: Partial<NodeConfig> = {},
) {
  const script = `${daemon.dir}/node.ts`;
  const map = `${daemon.dir}/import_map.json`;
  await Deno.writeTextFile(script, SCRIPT);
  await Deno.writeTextFile(
    map,
    JSON.stringify({
      imports: { dora: MOD, "apache-arrow": "npm:apache-arrow@21.2.0" },
    }),
  );
  const config = daemon.config({ parent_pid: Deno.pid, ...over });
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...perms, "--import-map", map, script],
    env: { DORA_NODE_CONFIG: JSON.stringify(config), NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("a node script runs under scoped permissions with the dora import map", async () => {
  const daemon = await FakeDaemon.start();
  const s = daemon.socket;
  const child = await run(daemon, [
    "--allow-env=DORA_NODE_CONFIG,DORA_ZERO_COPY_THRESHOLD",
    `--allow-read=${s}`,
    `--allow-write=${s}`,
    `--allow-net=unix:${s}`,
  ]);
  const session = await daemon.accept();
  session.input("in", new Int32Array([4, 5]));
  await session.until((r) => r.length >= 1);
  session.push({ t: "stop", cause: "MANUAL" });
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const o = session.outputs()[0];
  assert.deepEqual([...decodeValue((o.header as OutputHeader).d, o.payload)], [
    4,
    5,
  ]);
  const line = JSON.parse(new TextDecoder().decode(out.stdout).trim());
  assert.deepEqual(line, {
    level: "info",
    message: "bye",
    target: "node",
    fields: { n: 1 },
  });
  await daemon.close();
});

Deno.test("a node without socket permission says which permission is missing", async () => {
  const daemon = await FakeDaemon.start();
  const s = daemon.socket;
  const child = await run(daemon, [
    "--allow-env=DORA_NODE_CONFIG",
    `--allow-read=${s}`,
    `--allow-write=${s}`,
  ]);
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1);
  assert.match(stderr, /permission is missing: Requires net access/);
  assert.match(stderr, new RegExp(`--allow-net=unix:${s}`));
  await daemon.close();
});

Deno.test("a node allowed shared memory but without FFI says so in hello and uses the socket", async () => {
  const daemon = await FakeDaemon.start();
  const s = daemon.socket;
  const child = await run(daemon, [
    "--allow-env=DORA_NODE_CONFIG",
    `--allow-read=${s}`,
    `--allow-write=${s}`,
    `--allow-net=unix:${s}`,
  ], { shm: true });
  const session = await daemon.accept();
  assert.equal((session.hello as { shm?: boolean }).shm, false);
  session.input("in", new Uint8Array(100_000));
  await session.until((r) => r.length >= 1);
  const o = session.outputs()[0];
  assert.equal((o.header as OutputHeader).shm, undefined);
  assert.equal(o.payload?.length, 100_000);
  session.push({ t: "stop", cause: "MANUAL" });
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(
    new TextDecoder().decode(out.stdout),
    /shared memory is unavailable/,
  );
  await daemon.close();
});
