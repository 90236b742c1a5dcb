/**
 * `dora record` end to end: real dataflows recorded to MCAP files that the
 * `mcap` Python package and pymcap-cli open, the dry run, bad input, a
 * recorder killed mid-run, and a stop that loses nothing.
 */
import assert from "node:assert/strict";
import { childPids, DoraProcess, runDora } from "../_support/dora.ts";
import { mcapDoctor, readWithPython, recordFixture } from "./_fixture.ts";

for (const compression of ["none", "zstd", "lz4"]) {
  Deno.test(`dora record --compression ${compression} writes a recording the mcap tools open`, async () => {
    await using df = await recordFixture();
    const file = `${df.dir}/run.mcap`;
    const r = await runDora([
      "record",
      df.path,
      "-o",
      file,
      "--compression",
      compression,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /recorded 61 messages .* on 3 topics/);
    const py = await readWithPython(file);
    assert.equal(py.error, null);
    assert.deepEqual(py.counts, {
      "counter/numbers": 30,
      "counter/hello": 1,
      "doubler/doubled": 30,
    });
    const numbers = py.first["counter/numbers"]!;
    assert.equal(numbers.schema_encoding, "arrow");
    assert.equal(numbers.message_encoding, "arrow");
    assert.equal(numbers.type, "double");
    assert.deepEqual(numbers.values, [0, 0]);
    assert.deepEqual(py.first["counter/hello"]!.values, ["hello"]);
    assert.equal(numbers.channel_metadata["dora.node"], "counter");
    const meta = py.metadata["dora.dataflow"]!;
    assert.match(meta.descriptor!, /id: doubler/);
    assert.match(meta.dataflow_id!, /^[0-9a-f-]{36}$/);
    assert.equal(meta.compression, compression);
    assert.deepEqual(
      JSON.parse(py.metadata["dora.topics"]!["doubler/doubled"]!),
      {
        messages: 30,
        bytes:
          JSON.parse(py.metadata["dora.topics"]!["doubler/doubled"]!).bytes,
        dropped: 0,
      },
    );
    const doctor = await mcapDoctor(file);
    assert.deepEqual(doctor.findings, []);
    assert.equal(doctor.errors, 0);
    assert.equal(doctor.messages, 61);
    assert.equal(doctor.complete, true);
  });
}

Deno.test("dora record --topics records only those outputs", async () => {
  await using df = await recordFixture();
  const file = `${df.dir}/some.mcap`;
  const r = await runDora([
    "record",
    df.path,
    "-o",
    file,
    "--topics",
    "doubler/doubled",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const py = await readWithPython(file);
  assert.deepEqual(py.counts, { "doubler/doubled": 30 });
});

Deno.test("dora record --output-yaml writes the recording dataflow and runs nothing", async () => {
  await using df = await recordFixture();
  const out = `${df.dir}/recording.yml`;
  const file = `${df.dir}/dry.mcap`;
  const r = await runDora([
    "record",
    df.path,
    "-o",
    file,
    "--output-yaml",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const yaml = await Deno.readTextFile(out);
  assert.match(yaml, /id: __dora_record__/);
  assert.match(
    yaml,
    /counter\/numbers:\n\s+source: counter\/numbers\n\s+queue_size: 1000\n\s+queue_policy: drop_oldest/,
  );
  await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(`${df.dir}/out`), Deno.errors.NotFound);
  // The written dataflow records when run as it is.
  const run = await runDora(["run", out]);
  assert.equal(run.code, 0, run.stderr);
  const py = await readWithPython(file);
  assert.equal(py.counts["doubler/doubled"], 30);
});

Deno.test("dora record rejects bad input before anything starts", async () => {
  await using df = await recordFixture();
  const cases: [string[], number, RegExp][] = [
    [
      ["--topics", "counter/numbers,camera/image"],
      1,
      /topic "camera\/image" not in the dataflow; its topics are: counter\/numbers, counter\/hello, doubler\/doubled/,
    ],
    [
      ["-o", `${df.dir}/missing/folder/x.mcap`],
      1,
      /cannot write the recording .*x\.mcap: the folder .*missing\/folder does not exist/,
    ],
    [["-o", df.path], 1, /already exists/],
    [["-o", "/proc/x.mcap"], 1, /cannot write the recording \/proc\/x\.mcap/],
    [["--compression", "gzip"], 2, /--compression.*gzip/],
    [["--queue-size", "0"], 2, /invalid --queue-size "0"/],
    [["--stop-after", "soon"], 2, /invalid --stop-after "soon"/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runDora(["record", df.path, ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    // Nothing ran: no node logs, no recording left behind.
    await assert.rejects(Deno.stat(`${df.dir}/out`), Deno.errors.NotFound);
  }
  const left = [...Deno.readDirSync(df.dir)].map((e) => e.name).filter((n) =>
    n.endsWith(".mcap")
  );
  assert.deepEqual(left, []);
  const missing = await runDora(["record", `${df.dir}/nope.yml`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /dataflow file not found/);
});

Deno.test("dora record stopped early keeps every message sent before the stop", async () => {
  await using df = await recordFixture((y) =>
    y.replace("COUNT: 30", "COUNT: 0")
  );
  const file = `${df.dir}/stop.mcap`;
  const dora = new DoraProcess(["record", df.path, "-o", file], {
    cwd: df.dir,
  });
  try {
    await dora.waitForLine(/sink at 50/);
    dora.kill("SIGINT");
    const r = await dora.result();
    assert.equal(r.code, 0, r.stderr);
    const sent = Number(/counter sent (\d+)/.exec(r.stderr)![1]);
    const py = await readWithPython(file);
    assert.equal(py.counts["counter/numbers"], sent);
    const doubled = Number(/doubler sent (\d+)/.exec(r.stderr)![1]);
    assert.equal(py.counts["doubler/doubled"], doubled);
    assert.equal(py.error, null);
  } finally {
    stop(dora);
    await dora.result();
  }
});

/** Kills `dora` if it still runs (a failed test leaves nothing behind). */
function stop(dora: DoraProcess): void {
  try {
    dora.kill("SIGKILL");
  } catch { /* already exited */ }
}

/** Pids of the processes below `pid` whose command line matches `re`. */
function descendants(pid: number, re: RegExp): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of childPids(p)) {
      try {
        const cmd = Deno.readTextFileSync(`/proc/${c}/cmdline`);
        if (re.test(cmd)) out.push(c);
      } catch { /* gone */ }
      walk(c);
    }
  };
  walk(pid);
  return out;
}

Deno.test("dora record: a SIGKILLed recorder leaves a file readable up to its last complete chunk", async () => {
  await using df = await recordFixture((y) =>
    y.replace("COUNT: 30", "COUNT: 0")
  );
  const file = `${df.dir}/crash.mcap`;
  const dora = new DoraProcess(["record", df.path, "-o", file], {
    cwd: df.dir,
  });
  try {
    // Chunks close at least every second: wait for the second one.
    await dora.waitForLine(/sink at 400/);
    const [recorder] = descendants(
      dora.child.pid,
      /nodes\/record\/recorder\.ts/,
    );
    assert.ok(recorder, "the recorder process");
    Deno.kill(recorder!, "SIGKILL");
    await dora.waitForLine(/__dora_record__/);
    dora.kill("SIGINT");
    await dora.result();
    const py = await readWithPython(file, true);
    assert.equal(py.error, "EndOfFile");
    const n = py.counts["counter/numbers"] ?? 0;
    assert.ok(n > 0, `messages read: ${JSON.stringify(py.counts)}`);
    // dora reads it too, and says it is incomplete.
    const info = await runDora(["recording", "info", file, "--format", "json"]);
    assert.equal(info.code, 0, info.stderr);
    const json = JSON.parse(info.stdout);
    assert.equal(json.finished, false);
    assert.equal(typeof json.truncated_at, "number");
    const topic = json.topics.find((t: { topic: string }) =>
      t.topic === "counter/numbers"
    );
    assert.equal(topic.messages, n);
  } finally {
    stop(dora);
    await dora.result();
  }
});
