/**
 * Inspecting dataflows started through a coordinator with two daemons:
 * nodes from both daemons with their cross-daemon bytes, topics, `top
 * --once`, `dora list` CPU and memory, and the traces of start and stop that
 * join the coordinator's and the daemons' spans.
 */
import assert from "node:assert/strict";
import type {
  NodeInfo,
  TopicInfo,
  TraceSpan,
  TraceSummary,
} from "../../src/inspect/mod.ts";
import { eventually, fixture, runDora, Sandbox } from "../_support/mod.ts";

const DEPLOYED = `nodes:
  - id: sender
    path: sender.ts
    _unstable_deploy: { machine: A }
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - numbers
      - status
  - id: receiver
    path: receiver.ts
    _unstable_deploy: { machine: B }
    inputs:
      numbers: sender/numbers
`;

Deno.test("dora node, topic, top and trace inspect a dataflow across two daemons", async () => {
  const sb = await Sandbox.create();
  for (const f of ["sender.ts", "receiver.ts"]) {
    sb.write(f, Deno.readTextFileSync(fixture(`inspect/${f}`)));
  }
  const yml = sb.write("deployed.yml", DEPLOYED);
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await sb.dora([...args, "-f", "json"]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const start = await sb.dora(["start", yml, "--name", "across", "--detach"]);
    assert.equal(start.code, 0, start.stderr);
    const uuid = start.stdout.trim();

    // Bytes cross from A to B: wait until both sides counted some.
    const nodes = await eventually("cross-daemon bytes", async () => {
      const n = await json<NodeInfo[]>(["node", "list"]);
      return n.length === 2 && n[0]!.network.bytes_sent > 0 &&
          n[1]!.network.bytes_received > 0
        ? n
        : undefined;
    });
    assert.deepEqual(
      nodes.map((
        n,
      ) => [n.node_id, n.daemon_id, n.dataflow_name, n.metrics.status]),
      [["sender", "A", "across", "running"], [
        "receiver",
        "B",
        "across",
        "running",
      ]],
    );
    assert.ok(
      nodes.every((n) => n.dataflow_id === uuid && n.metrics.pid !== null),
    );

    const receiver = await json<NodeInfo>([
      "node",
      "info",
      "receiver",
      "-d",
      "across",
    ]);
    assert.deepEqual(receiver.inputs.map((i) => [i.id, i.source]), [
      ["numbers", "sender/numbers"],
    ]);
    const topics = await json<TopicInfo[]>([
      "topic",
      "list",
      "-d",
      uuid.slice(0, 10),
    ]);
    assert.deepEqual(topics.map((t) => [t.topic, t.live]), [
      ["sender/numbers", true],
      ["sender/status", true],
    ]);

    const top = await sb.dora(["top", "--once"]);
    assert.equal(top.code, 0, top.stderr);
    assert.deepEqual(
      (JSON.parse(top.stdout) as NodeInfo[]).map((n) => n.node_id),
      ["receiver", "sender"],
    );
    const list = await sb.dora(["list", "--format", "json"]);
    const row = JSON.parse(list.stdout.trim());
    assert.equal(typeof row.cpu, "number");
    assert.ok(row.memoryBytes > 0);

    const stop = await sb.dora(["stop", "across"]);
    assert.equal(stop.code, 0, stop.stderr);
    const gone = await sb.dora(["node", "list", "-d", "across"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no running dataflow matches "across"/);

    const traces = await json<TraceSummary[]>(["trace", "list"]);
    assert.deepEqual(
      traces.map((t) => t.root_span_name).sort(),
      ["start_dataflow", "stop_dataflow"],
    );
    const startTrace = traces.find((t) =>
      t.root_span_name === "start_dataflow"
    )!;
    const spans = await json<TraceSpan[]>([
      "trace",
      "view",
      startTrace.trace_id,
    ]);
    const byName = (n: string) => spans.filter((s) => s.name === n);
    assert.equal(byName("spawn_on_daemon").length, 2);
    // The daemons' spawn spans are children of the coordinator's spans.
    const onDaemon = new Map(
      byName("spawn_on_daemon").map((s) => [s.span_id, s]),
    );
    for (const s of byName("spawn_node")) {
      const parent = onDaemon.get(s.parent_span_id!);
      assert.ok(
        parent,
        `spawn_node of ${s.fields.node_id} under a spawn_on_daemon`,
      );
      assert.equal(s.target, "dora_daemon");
      assert.equal(
        parent.fields.daemon_id,
        s.fields.node_id === "sender" ? "A" : "B",
      );
    }
    const tree = await sb.dora([
      "trace",
      "view",
      startTrace.trace_id.slice(0, 8),
    ]);
    assert.match(tree.stdout, /^start_dataflow \[INFO .*\n {2}place_nodes/);
    const stopTrace = traces.find((t) => t.root_span_name === "stop_dataflow")!;
    const stopSpans = await json<TraceSpan[]>([
      "trace",
      "view",
      stopTrace.trace_id,
    ]);
    assert.deepEqual(
      stopSpans.filter((s) => s.name === "stop_node").map((s) =>
        s.fields.node_id
      )
        .sort(),
      ["receiver", "sender"],
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("dora topic echo, hz, info and pub work through the coordinator across daemons", async () => {
  const sb = await Sandbox.create();
  for (const f of ["sender.ts", "receiver.ts"]) {
    sb.write(f, Deno.readTextFileSync(fixture(`inspect/${f}`)));
  }
  const yml = sb.write(
    "deployed.yml",
    DEPLOYED.replace(
      "      numbers: sender/numbers\n",
      "      numbers: sender/numbers\n      injected: sender/status\n",
    ),
  );
  try {
    await sb.coordinator();
    await sb.daemon(["--machine-id", "A"]);
    await sb.daemon(["--machine-id", "B"]);
    const plain = await sb.dora(["start", yml, "--name", "plain", "--detach"]);
    assert.equal(plain.code, 0, plain.stderr);
    const off = await sb.dora(["topic", "echo", "-d", "plain"]);
    assert.equal(off.code, 1);
    assert.match(
      off.stderr,
      /dataflow plain \(.*\) was started without debug inspection.*`--debug`.*publish_all_messages_to_zenoh/,
    );
    assert.equal((await sb.dora(["stop", "plain"])).code, 0);

    const start = await sb.dora([
      "start",
      yml,
      "--name",
      "dbg",
      "--detach",
      "--debug",
    ]);
    assert.equal(start.code, 0, start.stderr);
    const echo = await sb.dora([
      "topic",
      "echo",
      "sender/numbers",
      "-f",
      "json",
      "--count",
      "3",
    ]);
    assert.equal(echo.code, 0, echo.stderr);
    const messages = echo.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(messages.length, 3);
    assert.deepEqual(messages[0].values, [
      messages[0].params.seq,
      messages[0].params.seq * 0.5,
    ]);

    const hz = await sb.dora([
      "topic",
      "hz",
      "sender/numbers",
      "--window",
      "1",
      "-f",
      "json",
    ]);
    assert.equal(hz.code, 0, hz.stderr);
    assert.ok(JSON.parse(hz.stdout)[0].count > 1);
    const info = await sb.dora([
      "topic",
      "info",
      "sender/numbers",
      "--duration",
      "1",
      "-f",
      "json",
    ]);
    assert.equal(info.code, 0, info.stderr);
    assert.deepEqual(JSON.parse(info.stdout).types, ["f64"]);

    // Injected on daemon A, delivered to the receiver on daemon B.
    const pub = await sb.dora(["topic", "pub", "sender/status", "[5, 6]"]);
    assert.equal(pub.code, 0, pub.stderr);
    await eventually("the injected message in the receiver's log", async () => {
      const logs = await sb.dora(["logs", "dbg", "receiver"]);
      return /injected \[5,6\]/.test(logs.stdout) ? true : undefined;
    });

    // A subscriber killed with SIGKILL: its tap on daemon A goes away.
    const killed = sb.spawn(["topic", "echo", "sender/numbers"]);
    await killed.waitFor(/sender\/numbers {2}f64\[2\]/);
    const taps = async () =>
      (await json<TopicInfo[]>(["topic", "list"])).find((t) =>
        t.topic === "sender/numbers"
      )!.taps;
    assert.equal(await taps(), 1);
    killed.child.kill("SIGKILL");
    await killed.done;
    await eventually(
      "the tap detached",
      async () => (await taps()) === 0 ? true : undefined,
    );

    // Attached while the dataflow stops: says so, exits 0.
    const attached = sb.spawn(["topic", "echo", "sender/numbers"]);
    await attached.waitFor(/sender\/numbers {2}f64\[2\]/);
    assert.equal((await sb.dora(["stop", "dbg"])).code, 0);
    const status = await attached.done;
    assert.equal(status.code, 0, attached.stderr);
    assert.match(
      attached.stderr,
      /dataflow dbg \([0-9a-f-]{36}\) ended \(finished\)/,
    );
  } finally {
    await sb.cleanup();
  }

  async function json<T>(args: string[]): Promise<T> {
    const r = await sb.dora([...args, "-f", "json"]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }
});

Deno.test("dora trace shows build and restart traces; an --auth coordinator needs its token for inspection too", async () => {
  const sb = await Sandbox.create();
  const other = await Deno.makeTempDir({ prefix: "dora-inspect-client-" });
  for (const f of ["sender.ts", "receiver.ts"]) {
    sb.write(f, Deno.readTextFileSync(fixture(`inspect/${f}`)));
  }
  const yml = sb.write(
    "built.yml",
    `nodes:
  - id: sender
    path: sender.ts
    build: echo building sender
    inputs:
      tick: dora/timer/millis/20
    outputs:
      - numbers
      - status
`,
  );
  try {
    await sb.coordinator(["--auth"]);
    await sb.daemon();
    const build = await sb.dora(["build", yml, "--allow-shell-nodes"]);
    assert.equal(build.code, 0, build.stderr);
    const start = await sb.dora([
      "start",
      yml,
      "--name",
      "built",
      "--detach",
      "--debug",
    ]);
    assert.equal(start.code, 0, start.stderr);
    const restart = await sb.dora(["restart", "built"]);
    assert.equal(restart.code, 0, restart.stderr);

    // Without the token (another user: another state dir, no token file,
    // another folder, no DORA_AUTH_TOKEN): refused.
    const stranger = { ...sb.env, DORA_STATE_DIR: `${other}/state` };
    for (
      const args of [["topic", "echo", "--count", "1"], ["trace", "list"], [
        "top",
        "--once",
      ]]
    ) {
      const r = await runDora(args, { cwd: other, env: stranger });
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /requires an auth token/, args.join(" "));
    }
    const echo = await sb.dora(["topic", "echo", "--count", "1", "-f", "json"]);
    assert.equal(echo.code, 0, echo.stderr);

    const list = await sb.dora(["trace", "list", "-f", "json"]);
    const traces = JSON.parse(list.stdout) as TraceSummary[];
    const byRoot = (n: string) => traces.filter((t) => t.root_span_name === n);
    assert.equal(byRoot("build_dataflow").length, 1);
    assert.equal(byRoot("restart_dataflow").length, 1);
    const buildSpans = JSON.parse(
      (await sb.dora([
        "trace",
        "view",
        byRoot("build_dataflow")[0]!.trace_id,
        "-f",
        "json",
      ]))
        .stdout,
    ) as TraceSpan[];
    assert.deepEqual(
      buildSpans.map((s) => s.name).sort(),
      ["build_dataflow", "build_node", "build_on_daemon"],
    );
    assert.equal(
      buildSpans.find((s) => s.name === "build_node")!.fields.node_id,
      "sender",
    );
    const tree = await sb.dora([
      "trace",
      "view",
      byRoot("restart_dataflow")[0]!.trace_id,
    ]);
    assert.match(
      tree.stdout,
      /^restart_dataflow \[INFO .*\{dataflow_id=.*name="built"/,
    );
    assert.match(tree.stdout, /\n {2}stop_dataflow \[INFO /);
    assert.match(tree.stdout, /\n {2}start_dataflow \[INFO /);
  } finally {
    await sb.cleanup();
    await Deno.remove(other, { recursive: true }).catch(() => {});
  }
});
