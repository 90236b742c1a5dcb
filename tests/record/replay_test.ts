/**
 * `dora replay` end to end: the deterministic regression check passing and
 * failing, pacing and delivery, `--loop` ended by Ctrl-C, bad input, and
 * damaged or truncated recordings.
 */
import assert from "node:assert/strict";
import { DoraProcess, runDora } from "../_support/dora.ts";
import { recordFixture } from "./_fixture.ts";
import { fileSink, RecordingWriter } from "../../src/record/mod.ts";

/** Records the fixture dataflow (with `COUNT` messages) to `<dir>/run.mcap`. */
async function recorded(count = 30) {
  const df = await recordFixture((y) =>
    y.replace("COUNT: 30", `COUNT: ${count}`)
  );
  const file = `${df.dir}/run.mcap`;
  const r = await runDora(["record", df.path, "-o", file]);
  assert.equal(r.code, 0, r.stderr);
  return Object.assign(df, { file });
}

function stop(dora: DoraProcess): void {
  try {
    dora.kill("SIGKILL");
  } catch { /* already exited */ }
}

Deno.test("dora replay --check passes on a deterministic node and fails when it changes", async () => {
  await using df = await recorded();
  const ok = await runDora(["replay", df.file, "--check", "--speed", "0"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /replaying "counter"/);
  assert.match(
    ok.stderr,
    /check passed: 30 messages on 1 topics match the recording/,
  );
  // The same dataflow with a regression in the node under test.
  const yaml = await Deno.readTextFile(df.path);
  const changed = `${df.dir}/changed.yml`;
  await Deno.writeTextFile(
    changed,
    yaml.replace(
      "  - id: doubler\n    path: doubler.ts\n",
      '  - id: doubler\n    path: doubler.ts\n    env:\n      BUG: "1"\n',
    ),
  );
  const bad = await runDora([
    "replay",
    df.file,
    "--check",
    "--speed",
    "0",
    "--dataflow",
    changed,
  ]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(
    bad.stderr,
    /error: replay check failed: topic "doubler\/doubled", message 5: expected Float64 \[10,5\] params \{"seq":5\}, got Float64 \[11,6\] params \{"seq":5\}/,
  );
  assert.match(bad.stderr, /5 messages matched; 1 of 1 topics differ/);
});

Deno.test("dora replay publishes every recorded message in order at the recorded pace", async () => {
  await using df = await recorded();
  const r = await runDora(["replay", df.file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /sink received 30/);
  assert.match(r.stderr, /replayed 31 messages/);
  // The recorded dataflow ran, not the file on disk: a replayed node needs
  // no script.
  await Deno.remove(`${df.dir}/counter.ts`);
  const again = await runDora(["replay", df.file, "--speed", "0"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /sink received 30/);
});

Deno.test("dora replay --loop goes on until Ctrl-C and then ends cleanly", async () => {
  await using df = await recorded();
  const dora = new DoraProcess(["replay", df.file, "--loop", "--speed", "4"]);
  try {
    await dora.waitForLine(/sink at 70/);
    dora.kill("SIGINT");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /dataflow .* finished/);
  } finally {
    stop(dora);
    await dora.result();
  }
});

Deno.test("dora replay rejects bad input before anything starts", async () => {
  await using df = await recorded();
  const plain = `${df.dir}/plain.mcap`;
  {
    // An MCAP file dora did not write: no dataflow metadata.
    const f = await Deno.open(plain, { write: true, create: true });
    const w = new RecordingWriter(fileSink(f));
    await w.start();
    await w.end();
    f.close();
  }
  const partial = `${df.dir}/partial.yml`;
  await Deno.writeTextFile(
    partial,
    (await Deno.readTextFile(df.path)).replace(
      / {2}- id: doubler[\s\S]*?(?= {2}- id: sink)/,
      "",
    ).replace("source: doubler/doubled", "source: counter/numbers"),
  );
  const runs = () => [...Deno.readDirSync(`${df.dir}/out`)].length;
  const before = runs();
  const cases: [string[], number, RegExp][] = [
    [[df.path], 1, /dataflow\.yml is not an MCAP file/],
    [[`${df.dir}/nope.mcap`], 1, /recording not found: .*nope\.mcap/],
    [[plain], 1, /was not written by `dora record`.*--dataflow/],
    [
      [df.file, "--replace", "ghost"],
      1,
      /node "ghost" given to --replace not in the dataflow/,
    ],
    [
      [df.file, "--dataflow", partial],
      1,
      /node "doubler" recorded in .*run\.mcap is not in the dataflow/,
    ],
    [[df.file, "--speed", "fast"], 2, /invalid --speed "fast"/],
    [[df.file, "--check", "--loop"], 2, /--check and --loop/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runDora(["replay", ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
  }
  assert.equal(runs(), before, "no dataflow was started");
});

/** Top-level records of an MCAP file: [opcode, offset, length]. */
function records(bytes: Uint8Array): [number, number, number][] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: [number, number, number][] = [];
  for (let at = 8; at + 9 <= bytes.length;) {
    const len = Number(view.getBigUint64(at + 1, true));
    out.push([bytes[at]!, at, 9 + len]);
    at += 9 + len;
  }
  return out;
}

Deno.test("dora replay skips a damaged chunk and stops at a truncated tail, with warnings", async () => {
  // 600 messages at 5 ms: chunks close every second, so there are several.
  await using df = await recorded(600);
  const bytes = await Deno.readFile(df.file);
  const chunks = records(bytes).filter(([op]) => op === 0x06);
  assert.ok(chunks.length >= 3, `chunks: ${chunks.length}`);
  const [, firstAt, firstLen] = chunks[0]!;
  const [, lastAt, lastLen] = chunks.at(-1)!;
  const damaged = bytes.slice(0, lastAt + Math.floor(lastLen / 2));
  damaged[firstAt + firstLen - 20] ^= 0xff;
  const file = `${df.dir}/damaged.mcap`;
  await Deno.writeFile(file, damaged);
  const info = await runDora(["recording", "info", file, "--format", "json"]);
  assert.equal(info.code, 0, info.stderr);
  const json = JSON.parse(info.stdout);
  assert.equal(json.damaged_chunks, 1);
  assert.equal(json.truncated_at, lastAt);
  const numbers =
    json.topics.find((t: { topic: string }) => t.topic === "counter/numbers")
      .messages;
  assert.ok(numbers > 0 && numbers < 600, `messages left: ${numbers}`);
  const r = await runDora(["replay", file, "--speed", "0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /damaged\.mcap ends early \(at byte \d+/);
  assert.match(r.stderr, /1 damaged chunks and 0 damaged records are skipped/);
  // Every message of the readable chunks, none dropped on the way to the
  // node it feeds (backpressure); the sink downstream may drop at full speed.
  assert.match(r.stderr, new RegExp(`replayed ${numbers} messages`));
  assert.match(r.stderr, new RegExp(`doubler sent ${numbers}\\b`));
});
