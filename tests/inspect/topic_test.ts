/**
 * The message tap on a `dora run --debug`: `topic echo` (table and JSON,
 * `--count`), `topic hz` and `topic info` without a terminal, `topic pub`
 * delivering converted JSON, and the faults: an unknown topic, debug off, a
 * dataflow that ends while attached, a subscriber killed with SIGKILL, and a
 * 100 kHz flood that the dataflow's own receiver gets whole while echo skips.
 */
import assert from "node:assert/strict";
import type { TopicInfo } from "../../src/inspect/mod.ts";
import { DoraProcess } from "../_support/dora.ts";
import { eventually, InspectPlace } from "../_support/mod.ts";

Deno.test("dora topic echo prints values, parameters and timestamps, or JSON per message", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml", ["--debug"]);
    const json = await place.dora([
      "topic",
      "echo",
      "sender/numbers",
      "-f",
      "json",
      "--count",
      "3",
    ]);
    assert.equal(json.code, 0, json.stderr);
    const messages = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(messages.length, 3);
    for (const m of messages) {
      assert.equal(m.topic, "sender/numbers");
      assert.equal(m.type, "f64");
      assert.equal(m.len, 2);
      assert.equal(m.size, 16);
      assert.equal(m.complete, true);
      const seq = m.params.seq;
      assert.deepEqual(m.values, [seq, seq * 0.5]);
      assert.match(m.timestamp, /^\d{19}$/);
      assert.ok(!Number.isNaN(Date.parse(m.time)));
    }
    assert.equal(messages[1].params.seq, messages[0].params.seq + 1);
    assert.match(json.stderr, /3 message\(s\) shown/);

    const table = await place.dora(["topic", "echo", "--count", "2"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^\d\d:\d\d:\d\d\.\d{3} {2}sender\/numbers {2}f64\[2\] {2}\[(\d+), [\d.]+\] {2}\{seq: (\d+)\}$/,
    );
    assert.match(
      table.stderr,
      /echoing sender\/numbers, sender\/status \(Ctrl-C to stop\)/,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora topic hz and topic info report the rate and type without a terminal", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml", ["--debug"]);
    const hz = await place.dora(["topic", "hz", "--window", "2", "-f", "json"]);
    assert.equal(hz.code, 0, hz.stderr);
    const rows = JSON.parse(hz.stdout) as {
      topic: string;
      hz: number;
      count: number;
    }[];
    assert.deepEqual(rows.map((r) => r.topic), [
      "sender/numbers",
      "sender/status",
    ]);
    assert.ok(rows[0]!.count > 1 && rows[0]!.hz > 0);
    assert.equal(rows[1]!.count, 0);
    const table = await place.dora([
      "topic",
      "hz",
      "sender/numbers",
      "--window",
      "1",
    ]);
    assert.match(
      table.stdout,
      /TOPIC\s+AVG \(ms\)\s+AVG \(Hz\)\s+MIN \(ms\)\s+MAX \(ms\)\s+STD \(ms\)\s+MSGS\s+LOST\nsender\/numbers\s+[\d.]+\s+[\d.]+/,
    );

    const info = await place.dora([
      "topic",
      "info",
      "sender/numbers",
      "--duration",
      "1",
      "-f",
      "json",
    ]);
    assert.equal(info.code, 0, info.stderr);
    const report = JSON.parse(info.stdout);
    assert.deepEqual(report.types, ["f64"]);
    assert.equal(report.publisher, "sender");
    assert.deepEqual(report.subscribers, ["receiver/numbers"]);
    assert.ok(report.messages > 0 && report.rate_hz > 0);
    assert.equal(report.bytes, report.messages * 16);
    const text = await place.dora([
      "topic",
      "info",
      "sender/numbers",
      "--duration",
      "1",
    ]);
    assert.match(
      text.stdout,
      /type: {9}f64\npublisher: {4}sender\nsubscribers: {2}receiver\/numbers\nmessages: {5}\d+ in [\d.]+s/,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora topic pub delivers converted JSON to the topic's subscribers", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await place.run("pipeline.yml", ["--debug"]);
    const one = await place.dora([
      "topic",
      "pub",
      "sender/status",
      "[1, 2, 3]",
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(
      one.stdout,
      /published 1 message\(s\) on sender\/status of dataflow pipeline/,
    );
    await run.waitForLine(/receiver: injected \[1,2,3\]/);
    place.write("value.json", '{"x": 1.5, "tags": ["a", "b"]}');
    const file = await place.dora([
      "topic",
      "pub",
      "sender/status",
      "--file",
      "value.json",
      "--count",
      "2",
      "--rate",
      "20",
    ]);
    assert.equal(file.code, 0, file.stderr);
    await run.waitForLine(
      /receiver: injected \[\{"x":1.5,"tags":\["a","b"\]\}\]/,
    );
    const bad = await place.dora(["topic", "pub", "sender/status", '[1, "a"]']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /error: DATA: cannot convert the JSON value to Arrow: at \$\[1\]: a string where the elements before are numbers/,
    );
    const typo = await place.dora(["topic", "pub", "sender/stats", "1"]);
    assert.equal(typo.code, 1);
    assert.match(
      typo.stderr,
      /no topic "sender\/stats" .*\(did you mean "sender\/status"\?\); its topics: sender\/numbers, sender\/status/,
    );
    run.kill("SIGINT");
    const r = await run.result();
    // Only the good values arrived: one array, then the struct twice.
    assert.equal(r.stderr.match(/receiver: injected/g)?.length, 3);
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora topic commands name unknown topics and both ways to enable debug", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml", ["--name", "plain"]);
    for (
      const args of [["echo"], ["hz", "--once"], ["info", "sender/numbers"], [
        "pub",
        "sender/status",
        "1",
      ]]
    ) {
      const r = await place.dora(["topic", ...args]);
      assert.equal(r.code, 1, `topic ${args[0]}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /error: dataflow plain \(.*\) was started without debug inspection, so its messages cannot be tapped: start it with `--debug` \(`dora run --debug` or `dora start --debug`\), or add `_unstable_debug: \{ publish_all_messages_to_zenoh: true \}` \(or `debug: \{ enable_debug_inspection: true \}`\) to its YAML/,
        `topic ${args[0]}`,
      );
    }
    await place.run("pipeline.yml", ["--debug", "--name", "dbg"]);
    for (const cmd of ["echo", "hz"]) {
      const r = await place.dora(["topic", cmd, "-d", "dbg", "sender/numbrs"]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /error: no topic "sender\/numbrs" in this dataflow \(did you mean "sender\/numbers"\?\); its topics: sender\/numbers, sender\/status/,
      );
    }
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora topic echo and hz say when the dataflow ends while attached, and exit 0", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await place.run("pipeline.yml", ["--debug"]);
    const echo = new DoraProcess(["topic", "echo", "sender/numbers"], {
      cwd: place.dir,
      env: place.env,
    });
    const hz = new DoraProcess(["topic", "hz", "--window", "600"], {
      cwd: place.dir,
      env: place.env,
    });
    await echo.waitForLine(/sender\/numbers {2}f64\[2\]/);
    // hz prints its table when it ends: subscribed once the tap shows it.
    await eventually("hz attached", async () => {
      const t = await place.json<TopicInfo[]>(["topic", "list"]);
      return t[0]!.taps >= 2 ? true : undefined;
    });
    run.kill("SIGINT");
    const [e, h] = await Promise.all([echo.result(), hz.result()]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(
      e.stderr,
      /dataflow pipeline \([0-9a-f-]{36}\) ended \(finished\)\n\d+ message\(s\) shown/,
    );
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /sender\/numbers\s+[\d.]+/);
    assert.match(
      h.stderr,
      /dataflow pipeline \(.*\) ended \(finished\) after [\d.]+s/,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("a topic subscriber killed with SIGKILL leaves no tap behind", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml", ["--debug"]);
    const echo = new DoraProcess(["topic", "echo", "sender/numbers"], {
      cwd: place.dir,
      env: place.env,
    });
    await echo.waitForLine(/sender\/numbers {2}f64\[2\]/);
    const attached = await place.json<TopicInfo[]>(["topic", "list"]);
    assert.equal(attached.find((t) => t.topic === "sender/numbers")!.taps, 1);
    echo.kill("SIGKILL");
    await echo.result();
    await eventually("the tap detached", async () => {
      const t = await place.json<TopicInfo[]>(["topic", "list"]);
      return t.every((x) => x.taps === 0) ? true : undefined;
    });
  } finally {
    await place.cleanup();
  }
});

Deno.test("a 100 kHz flood with topic echo attached: the receiver loses nothing, echo reports what it skipped", async () => {
  const place = await InspectPlace.create();
  place.write(
    "flood.yml",
    `nodes:
  - id: flood
    path: flood.ts
    env: { COUNT: "200000" }
    inputs:
      go: counter/go
    outputs:
      - n
  - id: counter
    path: counter.ts
    inputs:
      n:
        source: flood/n
        queue_size: 1000
        queue_policy: backpressure
    outputs:
      - go
`,
  );
  try {
    const run = await place.run("flood.yml", [
      "--debug",
      "--log-format",
      "compact",
    ]);
    const echo = new DoraProcess(["topic", "echo", "flood/n", "-f", "json"], {
      cwd: place.dir,
      env: place.env,
    });
    // The flood starts once echo is attached (on a message injected on `go`).
    await eventually("echo attached", async () => {
      const t = await place.json<TopicInfo[]>(["topic", "list"]);
      return t.find((x) => x.topic === "flood/n")!.taps === 1
        ? true
        : undefined;
    });
    const go = await place.dora(["topic", "pub", "counter/go", "true"]);
    assert.equal(go.code, 0, go.stderr);
    const r = await run.result();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /counter: counter got 200000 messages, 0 gaps/);
    const e = await echo.result();
    assert.equal(e.code, 0, e.stderr);
    const lines = e.stdout.trim().split("\n").filter((l) => l).map((l) =>
      JSON.parse(l)
    );
    const shown = lines.filter((l) => "values" in l);
    const skipped = lines.filter((l) => "skipped" in l).reduce(
      (s, l) => s + l.skipped,
      0,
    );
    assert.ok(skipped > 0, "echo skipped copies it could not keep up with");
    assert.ok(shown.length > 0);
    assert.ok(shown.length + skipped <= 200000);
    // What it shows is in order.
    const seqs = shown.map((m) => m.values[0] as number);
    assert.deepEqual(seqs, seqs.toSorted((a, b) => a - b));
    assert.match(
      e.stderr,
      new RegExp(`${shown.length} message\\(s\\) shown, ${skipped} skipped`),
    );
  } finally {
    await place.cleanup();
  }
});
