/**
 * `dora record --proxy`: recording a dataflow that already runs (a `dora run
 * --debug`, or a `dora start --debug` through a coordinator) through the
 * message tap, without adding a node to it; the recording replays like one
 * made by `dora record`.
 */
import assert from "node:assert/strict";
import {
  DoraProcess,
  fixture,
  InspectPlace,
  Sandbox,
} from "../_support/mod.ts";
import { mcapDoctor, readWithPython } from "./_fixture.ts";

interface RecordingInfo {
  finished: boolean;
  dataflow: { dataflow_id: string; nodes: { id: string }[] };
  topics: { topic: string; messages: number; dropped: number }[];
}

interface CatLine {
  topic: string;
  value: number[];
  params: { seq?: number };
}

/** The `sender/numbers` messages of a recording, checked gap-free. */
async function recordedSeqs(
  dora: (
    args: string[],
  ) => Promise<{ code: number; stdout: string; stderr: string }>,
  file: string,
): Promise<number[]> {
  const cat = await dora(["recording", "cat", file, "--format", "json"]);
  assert.equal(cat.code, 0, cat.stderr);
  const lines = cat.stdout.trim().split("\n").filter((l) => l).map((l) =>
    JSON.parse(l) as CatLine
  );
  const seqs = lines.filter((l) => l.topic === "sender/numbers").map((l) => {
    assert.deepEqual(l.value, [l.params.seq!, l.params.seq! * 0.5]);
    return l.params.seq!;
  });
  assert.ok(seqs.length > 0, "something was recorded");
  for (let i = 1; i < seqs.length; i++) {
    assert.equal(seqs[i], seqs[i - 1]! + 1, `no message missing: ${seqs}`);
  }
  return seqs;
}

Deno.test("dora record --proxy records a running dora run until it ends, and the recording replays", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await place.run("pipeline.yml", ["--debug"]);
    const unknown = await place.dora([
      "record",
      "--proxy",
      "--topics",
      "sender/nope",
      "-o",
      `${place.dir}/unknown.mcap`,
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /sender\/nope/);
    assert.throws(
      () => Deno.statSync(`${place.dir}/unknown.mcap`),
      Deno.errors.NotFound,
    );

    const file = `${place.dir}/proxy.mcap`;
    const rec = new DoraProcess(["record", "--proxy", "-o", file], {
      cwd: place.dir,
      env: place.env,
    });
    place.procs.push(rec);
    await rec.waitForLine(/recording 2 topics of pipeline to .*proxy\.mcap/);
    // A few messages in, the dataflow ends: the recorder writes what came.
    const echo = await place.dora([
      "topic",
      "echo",
      "sender/numbers",
      "--count",
      "5",
    ]);
    assert.equal(echo.code, 0, echo.stderr);
    run.kill("SIGINT");
    const r = await rec.result();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /dataflow pipeline \(\S+\) ended/);
    assert.match(r.stderr, /recorded \d+ messages .* on 2 topics/);

    const info = await place.json<RecordingInfo>(["recording", "info", file]);
    assert.equal(info.finished, true);
    assert.deepEqual(info.dataflow.nodes.map((n) => n.id), [
      "sender",
      "receiver",
    ]);
    const numbers = info.topics.find((t) => t.topic === "sender/numbers")!;
    assert.equal(numbers.dropped, 0);
    const seqs = await recordedSeqs((a) => place.dora(a), file);
    assert.equal(numbers.messages, seqs.length);

    // Replayed: the recorded sender stands in, the receiver gets them all.
    const replay = await place.dora(["replay", file, "--speed", "0"]);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(
      replay.stdout + replay.stderr,
      new RegExp(`received ${seqs.length}\\b`),
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora record --proxy refuses a dataflow without debug and a bad output, leaving no file", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml");
    const file = `${place.dir}/nodebug.mcap`;
    const r = await place.dora(["record", "--proxy", "-o", file]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /without debug inspection.*--debug.*publish_all_messages_to_zenoh/s,
    );
    assert.throws(() => Deno.statSync(file), Deno.errors.NotFound);

    const missing = await place.dora([
      "record",
      "--proxy",
      "-o",
      `${place.dir}/no/such/folder/x.mcap`,
    ]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /the folder .*no\/such\/folder does not exist/,
    );

    const usage = await place.dora(["record", "-d", "pipeline"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /missing the dataflow YAML \(or --proxy/);
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora record --proxy records a dataflow started through a coordinator, by name, for --stop-after", async () => {
  const sb = await Sandbox.create();
  for (const f of ["sender.ts", "receiver.ts", "pipeline.yml"]) {
    sb.write(f, Deno.readTextFileSync(fixture(`inspect/${f}`)));
  }
  try {
    await sb.coordinator();
    await sb.daemon();
    const start = await sb.dora([
      "start",
      `${sb.dir}/pipeline.yml`,
      "--name",
      "robot",
      "--detach",
      "--debug",
    ]);
    assert.equal(start.code, 0, start.stderr);
    const file = `${sb.dir}/robot.mcap`;
    const r = await sb.dora([
      "record",
      "--proxy",
      "--name",
      "robot",
      "--topics",
      "sender/numbers",
      "--stop-after",
      "1s",
      "-o",
      file,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /recording 1 topics of robot/);
    const seqs = await recordedSeqs((a) => sb.dora(a), file);
    assert.ok(seqs.length >= 10, `a second at 50 Hz: ${seqs.length}`);
    const info = await sb.dora(["recording", "info", file, "--format", "json"]);
    const parsed = JSON.parse(info.stdout) as RecordingInfo;
    // The coordinator's flat YAML of the dataflow is stored for replay.
    assert.deepEqual(parsed.dataflow.nodes.map((n) => n.id), [
      "sender",
      "receiver",
    ]);
    assert.equal(parsed.dataflow.dataflow_id, start.stdout.trim());
    // The mcap tools open it like any recording.
    const doctor = await mcapDoctor(file);
    assert.deepEqual(doctor.findings, []);
    assert.equal(doctor.messages, seqs.length);
    assert.equal(doctor.complete, true);
    const py = await readWithPython(file);
    assert.equal(py.counts["sender/numbers"], seqs.length);
    assert.equal(py.metadata["dora.dataflow"]!.proxy, "true");
  } finally {
    await sb.cleanup();
  }
});
