/**
 * Inspecting a plain `dora run` through its local endpoint (no coordinator):
 * `node list/info`, `topic list`, `top --once`, `trace list/view`, choosing
 * the dataflow with `-d`, and the errors for unknown names.
 */
import assert from "node:assert/strict";
import type {
  NodeInfo,
  TopicInfo,
  TraceSummary,
} from "../../src/inspect/mod.ts";
import {
  DoraProcess,
  eventually,
  InspectPlace,
  processAlive,
} from "../_support/mod.ts";

Deno.test("dora node list, node info, topic list and top --once show a dora run", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await place.run("pipeline.yml", ["--name", "pipe"]);
    const uuid = /dataflow (\S+) started/.exec(
      await run.waitForLine(/dataflow \S+ started/),
    )![1]!;

    // Resources come from a sample of /proc: the first one may precede a
    // process (a loaded machine starts them slowly); wait for one with both.
    const nodes = await eventually("a sample of both nodes", async () => {
      const n = await place.json<NodeInfo[]>(["node", "list"]);
      return n.length === 2 &&
          n.every((x) => (x.metrics.memory_mb ?? 0) > 0 && x.metrics.pid)
        ? n
        : undefined;
    });
    // In descriptor order.
    assert.deepEqual(nodes.map((n) => n.node_id), ["sender", "receiver"]);
    for (const n of nodes) {
      assert.equal(n.dataflow_id, uuid);
      assert.equal(n.dataflow_name, "pipe");
      assert.equal(n.daemon_id, "local");
      assert.equal(n.metrics.status, "running");
      assert.ok(n.metrics.pid !== null && processAlive(n.metrics.pid));
      assert.ok((n.metrics.memory_mb ?? 0) > 0);
    }
    const table = await place.dora(["node", "list"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /NODE\s+STATUS\s+PID\s+CPU%\s+MEMORY \(MB\)\s+RESTARTS\s+DATAFLOW/,
    );
    assert.match(
      table.stdout,
      /sender\s+Running\s+\d+\s+[\d.]+\s+[\d.]+\s+0\s+pipe/,
    );

    // Rates come from two samples of the counters: wait until one shows.
    const sender = await eventually("a rate on sender/numbers", async () => {
      const n = await place.json<NodeInfo>([
        "node",
        "info",
        "sender",
        "-d",
        "pipe",
      ]);
      return n.outputs.find((o) => o.id === "numbers")!.rate > 0
        ? n
        : undefined;
    });
    assert.deepEqual(
      sender.inputs.map((i) => [i.id, i.source]),
      [["tick", "dora/timer/millis/20"]],
    );
    const numbers = sender.outputs.find((o) => o.id === "numbers")!;
    assert.deepEqual(numbers.subscribers, ["receiver/numbers"]);
    assert.ok(numbers.sent > 0 && numbers.open);
    const info = await place.dora([
      "node",
      "info",
      "receiver",
      "-d",
      uuid.slice(0, 8),
    ]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /node "receiver" of dataflow pipe \(/);
    assert.match(
      info.stdout,
      /numbers\s+sender\/numbers\s+\d+\s+[\d.]+\s+\d+\s+\d+/,
    );

    const topics = await place.json<TopicInfo[]>(["topic", "list"]);
    assert.deepEqual(
      topics.map((t) => [t.topic, t.publisher, t.subscribers, t.live]),
      [
        ["sender/numbers", "sender", ["receiver/numbers"], true],
        ["sender/status", "sender", ["receiver/injected"], true],
      ],
    );

    const top = await place.dora(["top", "--once"]);
    assert.equal(top.code, 0, top.stderr);
    const snapshot = JSON.parse(top.stdout) as NodeInfo[];
    assert.deepEqual(snapshot.map((n) => n.node_id), ["receiver", "sender"]);
    assert.equal(typeof snapshot[0]!.metrics.cpu_usage, "number");
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora node info counts Python nodes' messages over their direct links, and topic echo taps a Python sender", async () => {
  const place = await InspectPlace.create();
  place.write(
    "py.yml",
    `nodes:
  - id: sender
    path: py_sender.py
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - numbers
  - id: receiver
    path: py_receiver.py
    inputs:
      numbers: sender/numbers
`,
  );
  try {
    await place.run("py.yml", ["--debug"]);
    const rates = await eventually("rates on both ends", async () => {
      const [sender, receiver] = await Promise.all(
        ["sender", "receiver"].map((n) =>
          place.json<NodeInfo>(["node", "info", n])
        ),
      );
      const out = sender!.outputs.find((o) => o.id === "numbers")!;
      const input = receiver!.inputs.find((i) => i.id === "numbers")!;
      return out.rate > 0 && input.rate > 0 ? { out, input } : undefined;
    });
    assert.ok(rates.out.sent > 0 && rates.input.received > 0);
    assert.equal(rates.input.dropped, 0);

    const echo = await place.dora([
      "topic",
      "echo",
      "sender/numbers",
      "--count",
      "3",
      "-f",
      "json",
    ]);
    assert.equal(echo.code, 0, echo.stderr);
    const lines = echo.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.deepEqual(l.values, [l.params.seq, l.params.seq * 0.5]);
    }
    assert.equal(lines[1].params.seq, lines[0].params.seq + 1);
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora trace list and view show the spans of a dora run's start and stop", async () => {
  const place = await InspectPlace.create();
  try {
    const run = await place.run();
    const traces = await eventually("the start trace", async () => {
      const t = await place.json<TraceSummary[]>(["trace", "list"]);
      return t.some((x) =>
          x.root_span_name === "start_dataflow" && x.span_count === 3
        )
        ? t
        : undefined;
    });
    const start = traces.find((t) => t.root_span_name === "start_dataflow")!;
    const list = await place.dora(["trace", "list"]);
    assert.match(
      list.stdout,
      /TRACE ID\s+ROOT SPAN\s+SPANS\s+STARTED\s+DURATION/,
    );
    assert.match(
      list.stdout,
      new RegExp(
        `${start.trace_id.slice(0, 12)}\\s+start_dataflow\\s+3\\s+\\d{4}-`,
      ),
    );
    const view = await place.dora([
      "trace",
      "view",
      start.trace_id.slice(0, 6),
    ]);
    assert.equal(view.code, 0, view.stderr);
    const lines = view.stdout.trimEnd().split("\n");
    assert.match(
      lines[0]!,
      /^start_dataflow \[INFO [\d.]+(s|ms|µs)\] \{dataflow_id=/,
    );
    assert.deepEqual(
      lines.slice(1).map((l) =>
        /^ {2}spawn_node .*node_id="(\w+)"/.exec(l)?.[1]
      )
        .sort(),
      ["receiver", "sender"],
    );
    const unknown = await place.dora(["trace", "view", "zz"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /error: no trace matches "zz"/);
    run.kill("SIGINT");
    assert.equal((await run.result()).code, 0);
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora node and topic commands choose among several dora runs with -d", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml", ["--name", "one"]);
    await place.run("pipeline.yml", ["--name", "two"]);
    // No terminal: an error that lists both, exit 2.
    const both = await place.dora(["node", "list"]);
    assert.equal(both.code, 2);
    assert.match(
      both.stderr,
      /error: 2 dataflows are running; choose one with -d/,
    );
    assert.match(both.stderr, /one \([0-9a-f-]{36}\) {2}\[dora run, pid \d+\]/);
    assert.match(both.stderr, /two \([0-9a-f-]{36}\)/);
    const two = await place.json<NodeInfo[]>(["node", "list", "-d", "tw"]);
    assert.ok(two.every((n) => n.dataflow_name === "two"));
    const none = await place.dora(["topic", "list", "-d", "three"]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /error: no running dataflow matches "three" \(by uuid, name or prefix\); running: one \(.*\), two \(/,
    );
    const node = await place.dora(["node", "info", "sendr", "-d", "one"]);
    assert.equal(node.code, 1);
    assert.match(
      node.stderr,
      /error: dataflow one \(.*\) has no node "sendr" \(did you mean "sender"\?\); its nodes: sender, receiver/,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("the inspection commands say when nothing runs", async () => {
  const place = await InspectPlace.create();
  try {
    for (
      const args of [["node", "list"], ["topic", "list"], ["top", "--once"]]
    ) {
      const r = await place.dora(args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(
        r.stderr,
        /error: no running dataflow found: no coordinator answers at 127\.0\.0\.1:\d+ and no `dora run` runs on this machine/,
      );
    }
    const named = await place.dora([
      "node",
      "list",
      "--coordinator-port",
      place.env.DORA_COORDINATOR_PORT!,
    ]);
    assert.equal(named.code, 1);
    assert.match(
      named.stderr,
      /error: could not connect to the dora coordinator at 127\.0\.0\.1:\d+: is it running\?/,
    );
    const top = await place.dora(["top"]);
    assert.equal(top.code, 2);
    assert.match(
      top.stderr,
      /`dora top` needs an interactive terminal; use `dora top --once`/,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("a restarted node shows its restarts in node list and a restart_node trace", async () => {
  const place = await InspectPlace.create();
  place.write(
    "crash_once.py",
    `import os
from dora import Node

node = Node()
marker = os.path.join(os.getcwd(), "crashed")
for event in node:
    if event["type"] == "INPUT" and not os.path.exists(marker):
        open(marker, "w").close()
        raise SystemExit(3)
    if event["type"] == "STOP":
        break
`,
  );
  place.write(
    "restart.yml",
    `nodes:
  - id: crashy
    path: crash_once.py
    restart_policy: on-failure
    restart_delay: 0.1
    inputs:
      tick: dora/timer/millis/50
`,
  );
  try {
    await place.run("restart.yml");
    const node = await eventually(
      "the restarted node running again",
      async () => {
        const [n] = await place.json<NodeInfo[]>(["node", "list"]);
        return n?.metrics.restart_count === 1 && n.metrics.status === "running"
          ? n
          : undefined;
      },
    );
    assert.ok(node.metrics.pid !== null);
    const traces = await eventually("the restart trace", async () => {
      const t = await place.json<TraceSummary[]>(["trace", "list"]);
      return t.some((x) => x.root_span_name === "restart_node") ? t : undefined;
    });
    const restart = traces.find((t) => t.root_span_name === "restart_node")!;
    const view = await place.dora(["trace", "view", restart.trace_id]);
    assert.match(
      view.stdout,
      /^restart_node \[INFO .*\] \{node_id="crashy", .*attempt="1", cause="exited with code 3"/,
    );
    assert.match(
      view.stdout,
      /\n {2}spawn_node \[INFO .*\] \{node_id="crashy", .*attempt="2"\}/,
    );
  } finally {
    await place.cleanup();
  }
});

Deno.test("a node whose input timed out is Degraded, with the input named", async () => {
  const place = await InspectPlace.create();
  place.write(
    "quiet.py",
    `from dora import Node
import pyarrow as pa

node = Node()
sent = 0
for event in node:
    if event["type"] == "INPUT" and sent < 3:
        node.send_output("data", pa.array([sent]))
        sent += 1
    if event["type"] == "STOP":
        break
`,
  );
  place.write(
    "listener.py",
    `from dora import Node

node = Node()
for event in node:
    if event["type"] == "STOP":
        break
`,
  );
  place.write(
    "quiet.yml",
    `health_check_interval: 0.2
nodes:
  - id: quiet
    path: quiet.py
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - data
  - id: listener
    path: listener.py
    inputs:
      data:
        source: quiet/data
        input_timeout: 0.5
      tick: dora/timer/millis/100
`,
  );
  try {
    await place.run("quiet.yml");
    const listener = await eventually("the listener degraded", async () => {
      const n = await place.json<NodeInfo>(["node", "info", "listener"]);
      return n.metrics.status === "degraded" ? n : undefined;
    });
    assert.deepEqual(listener.metrics.broken_inputs, ["data"]);
    const info = await place.dora(["node", "info", "listener"]);
    assert.match(info.stdout, /status: {4}Degraded \(inputs timed out: data\)/);
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora topic echo stops cleanly on Ctrl-C; bad option values are usage errors", async () => {
  const place = await InspectPlace.create();
  try {
    await place.run("pipeline.yml", ["--debug"]);
    const echo = new DoraProcess(["topic", "echo", "sender/numbers"], {
      cwd: place.dir,
      env: place.env,
    });
    await echo.waitForLine(/sender\/numbers {2}f64\[2\]/);
    echo.kill("SIGINT");
    const r = await echo.result();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\d+ message\(s\) shown/);
    for (
      const [args, why] of [
        [
          ["top", "--refresh-interval", "0.5"],
          /invalid --refresh-interval "0\.5": expected a number of seconds, at least 1/,
        ],
        [["topic", "hz", "--window", "0"], /invalid --window "0"/],
        [["topic", "echo", "--count", "x"], /invalid --count "x"/],
        [
          ["topic", "pub", "a/b"],
          /give the JSON either as DATA or with --file/,
        ],
        [["node", "list", "-f", "yaml"], /invalid --format "yaml"/],
      ] as [string[], RegExp][]
    ) {
      const u = await place.dora(args);
      assert.equal(u.code, 2, args.join(" "));
      assert.match(u.stderr, why);
    }
  } finally {
    await place.cleanup();
  }
});

Deno.test("dora run records its build stage as a build_dataflow trace", async () => {
  const place = await InspectPlace.create();
  place.write(
    "built.yml",
    `nodes:
  - id: sender
    path: sender.ts
    build: echo building
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - numbers
      - status
`,
  );
  try {
    await place.run("built.yml", ["--allow-shell-nodes"]);
    const traces = await place.json<TraceSummary[]>(["trace", "list"]);
    const build = traces.find((t) => t.root_span_name === "build_dataflow");
    assert.ok(build, JSON.stringify(traces));
    const view = await place.dora(["trace", "view", build.trace_id]);
    assert.match(
      view.stdout,
      /^build_dataflow \[INFO [\d.]+(s|ms|µs)\] \{path=".*built\.yml"\}/,
    );
  } finally {
    await place.cleanup();
  }
});
