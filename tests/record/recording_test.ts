/**
 * `dora recording info` and `dora recording cat` on a real recording, and
 * their errors.
 */
import assert from "node:assert/strict";
import { runDora } from "../_support/dora.ts";
import { recordFixture } from "./_fixture.ts";

Deno.test("dora recording info and cat show a recording's topics and messages", async () => {
  await using df = await recordFixture();
  const file = `${df.dir}/run.mcap`;
  const rec = await runDora(["record", df.path, "-o", file]);
  assert.equal(rec.code, 0, rec.stderr);

  const info = await runDora(["recording", "info", file]);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /status:\s+complete/);
  assert.match(info.stdout, /TOPIC\s+TYPE\s+MESSAGES\s+RATE\s+SIZE\s+DROPPED/);
  assert.match(info.stdout, /counter\/numbers\s+Float64\s+30\s+[\d.]+ Hz/);
  assert.match(info.stdout, /counter\/hello\s+Utf8\s+1\s/);
  assert.match(
    info.stdout,
    /doubler: path doubler\.ts; inputs numbers: counter\/numbers; outputs doubled/,
  );

  const cat = await runDora([
    "recording",
    "cat",
    file,
    "--topics",
    "doubler/doubled",
  ]);
  assert.equal(cat.code, 0, cat.stderr);
  const lines = cat.stdout.trim().split("\n");
  assert.equal(lines.length, 30);
  assert.match(
    lines[5]!,
    /doubler\/doubled {2}Float64 \[10,5\] {2}\{"seq":5\}$/,
  );

  const json = await runDora(["recording", "cat", file, "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  const messages = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(messages.length, 61);
  const hello = messages.find((m) => m.topic === "counter/hello");
  assert.deepEqual(hello.value, ["hello"]);
  assert.equal(hello.type, "Utf8");
  const sixth = messages.filter((m) => m.topic === "counter/numbers")[6];
  assert.deepEqual(sixth.value, [6, 3]);
  assert.deepEqual(sixth.params, { seq: 6 });
  assert.match(sixth.log_time_ns, /^\d{19}$/);
});

Deno.test("dora recording info and cat reject what is not a recording", async () => {
  await using df = await recordFixture();
  const cases: [string[], RegExp][] = [
    [["info", df.path], /dataflow\.yml is not an MCAP file/],
    [["info", `${df.dir}/none.mcap`], /recording not found: .*none\.mcap/],
    [["cat", df.dir], /is a folder, not a recording/],
  ];
  for (const [args, message] of cases) {
    const r = await runDora(["recording", ...args]);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const file = `${df.dir}/run.mcap`;
  const rec = await runDora([
    "record",
    df.path,
    "-o",
    file,
    "--topics",
    "counter/hello",
  ]);
  assert.equal(rec.code, 0, rec.stderr);
  const r = await runDora([
    "recording",
    "cat",
    file,
    "--topics",
    "camera/image",
  ]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /topic "camera\/image" not in .*run\.mcap; its topics are: counter\/hello/,
  );
  const bad = await runDora(["recording", "info", file, "--format", "xml"]);
  assert.equal(bad.code, 2, bad.stderr);
});
