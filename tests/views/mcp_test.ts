// `dora mcp` driven by the official MCP SDK client over stdio, against a
// real coordinator, daemon and node processes.
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { doraCommand } from "../../src/dora_command.ts";
import {
  fixture,
  freePort,
  processAlive,
  processesWithEnv,
  Sandbox,
  waitUntil,
} from "../_support/mod.ts";

interface ToolAnswer {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
}

/** An MCP client connected to `dora mcp <args>` in `sandbox`. */
async function mcpClient(
  sandbox: Sandbox,
  args: string[] = [],
  env: Record<string, string> = {},
) {
  const { cmd, args: lead } = doraCommand();
  // A runtime folder of its own: it never sees other tests' `dora run`s.
  const rt = `${sandbox.dir}/rt`;
  Deno.mkdirSync(rt, { recursive: true, mode: 0o700 });
  const transport = new StdioClientTransport({
    command: cmd,
    args: [...lead, "mcp", ...args],
    cwd: sandbox.dir,
    env: { ...sandbox.env, XDG_RUNTIME_DIR: rt, ...env },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (c: Uint8Array) => {
    stderr += new TextDecoder().decode(c);
  });
  const client = new Client({ name: "dora-test", version: "1.0.0" });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    await client.callTool({ name, arguments: args }) as ToolAnswer;
  /** Calls a tool that must succeed; returns its structured answer. */
  const ok = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await call(name, args);
    assert.ok(
      !r.isError,
      `${name} failed: ${r.content[0]?.text}\nserver stderr:\n${stderr}`,
    );
    // deno-lint-ignore no-explicit-any
    return r.structuredContent as any;
  };
  /** Calls a tool that must fail; returns its error text. */
  const fails = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await call(name, args);
    assert.equal(r.isError, true, `${name} should fail: ${r.content[0]?.text}`);
    return r.content[0]!.text;
  };
  return { client, transport, call, ok, fails, stderr: () => stderr };
}

const FIXTURES = fixture("views");

async function copyFixtures(sandbox: Sandbox): Promise<string> {
  for (const f of ["mcp.yml", "counter.ts", "listener.ts"]) {
    await Deno.copyFile(`${FIXTURES}/${f}`, `${sandbox.dir}/${f}`);
  }
  return `${sandbox.dir}/mcp.yml`;
}

Deno.test("dora mcp starts a dataflow, lists its nodes and topics, sets a param, reads logs and stops it", async () => {
  const sandbox = await Sandbox.create();
  let mcp: Awaited<ReturnType<typeof mcpClient>> | undefined;
  try {
    await sandbox.coordinator();
    await sandbox.daemon();
    await copyFixtures(sandbox);
    sandbox.write(
      "broken.yml",
      "nodes:\n  - id: a\n    path: a.ts\n    inputs:\n      x: nowhere/out\n",
    );
    mcp = await mcpClient(sandbox);

    const { tools } = await mcp.client.listTools();
    const names = tools.map((t: Tool) => t.name).sort();
    for (
      const t of [
        "list_dataflows",
        "start_dataflow",
        "stop_dataflow",
        "restart_dataflow",
        "list_nodes",
        "list_topics",
        "read_topic",
        "topic_rate",
        "read_logs",
        "get_params",
        "set_param",
        "delete_param",
        "validate_dataflow",
      ]
    ) assert.ok(names.includes(t), `tool ${t} missing: ${names}`);
    const start = tools.find((t: Tool) => t.name === "start_dataflow")!;
    assert.equal(start.annotations?.readOnlyHint, false);
    assert.deepEqual(start.inputSchema.required, ["path"]);

    // validate: a good file, a broken one (positioned problems).
    const good = await mcp.ok("validate_dataflow", { path: "mcp.yml" });
    assert.equal(good.valid, true);
    assert.deepEqual(good.nodes, ["counter", "listener"]);
    const bad = await mcp.ok("validate_dataflow", { path: "broken.yml" });
    assert.equal(bad.valid, false);
    assert.match(bad.errors.join("\n"), /broken\.yml:5:\d+: .*nowhere/);

    // Bad input: a tool error naming the argument; nothing started.
    assert.match(
      await mcp.fails("start_dataflow", { path: "mcp.yml", name: "no spaces" }),
      /name/,
    );
    assert.match(
      await mcp.fails("start_dataflow", { path: "mcp.yml", bogus: 1 }),
      /bogus/,
    );
    assert.match(
      await mcp.fails("start_dataflow", { path: "broken.yml" }),
      /broken\.yml is not a valid dataflow[\s\S]*broken\.yml:5:/,
    );
    assert.match(
      await mcp.fails("start_dataflow", { path: "missing.yml" }),
      /dataflow file not found: .*missing\.yml/,
    );
    assert.match(
      await mcp.fails("list_nodes", {}),
      /no dataflow is running/,
    );

    const started = await mcp.ok("start_dataflow", {
      path: "mcp.yml",
      name: "robot",
      debug: true,
    });
    assert.equal(started.name, "robot");
    assert.deepEqual(Object.keys(started.nodes).sort(), [
      "counter",
      "listener",
    ]);
    const uuid: string = started.uuid;

    const listed = await mcp.ok("list_dataflows");
    assert.deepEqual(listed.dataflows.map((d: { uuid: string }) => d.uuid), [
      uuid,
    ]);
    assert.equal(listed.dataflows[0].nodes, 2);

    const nodes = await mcp.ok("list_nodes", { dataflow: "robot" });
    assert.deepEqual(nodes.nodes.map((n: { id: string }) => n.id), [
      "counter",
      "listener",
    ]);
    assert.deepEqual(nodes.nodes[1].inputs, { count: "counter/count" });
    const topics = await mcp.ok("list_topics", { dataflow: uuid.slice(0, 8) });
    assert.equal(topics.debug, true);
    assert.deepEqual(
      topics.topics.map((t: { topic: string; subscribers: string[] }) => [
        t.topic,
        t.subscribers,
      ]),
      [["counter/count", ["listener/count"]]],
    );

    // The topic itself: decoded values, and a rate.
    const read = await mcp.ok("read_topic", {
      topic: "counter/count",
      count: 3,
    });
    assert.equal(read.messages.length, 3);
    assert.equal(read.messages[0].type, "f64");
    assert.equal(read.messages[0].complete, true);
    const [a, b] = read.messages.map((m: { values: number[] }) => m.values[0]);
    assert.ok(b > a, `counts grow: ${a}, ${b}`);
    const rate = await mcp.ok("topic_rate", {
      topics: ["counter/count"],
      seconds: 1,
    });
    assert.equal(rate.rates[0].topic, "counter/count");
    assert.ok(rate.rates[0].messages > 0 && rate.rates[0].hz > 0);
    assert.match(
      await mcp.fails("read_topic", { topic: "counter" }),
      /node\/output/,
    );
    assert.match(
      await mcp.fails("read_topic", { topic: "counter/nothing" }),
      /nothing/,
    );
    await waitUntil(
      async () =>
        (await mcp!.ok("list_nodes", {})).nodes.every((n: {
          status: string;
        }) => n.status === "running"),
      "both nodes running in list_nodes",
    );

    // Logs: the listener hears the counter.
    await waitUntil(
      async () =>
        (await mcp!.ok("read_logs", { nodes: ["listener"], grep: "heard" }))
          .count > 0,
      "the listener's log",
    );
    assert.match(
      await mcp.fails("read_logs", { nodes: ["nobody"] }),
      /no node "nobody"/,
    );
    assert.match(await mcp.fails("read_logs", { tail: 0 }), /tail/);
    assert.match(await mcp.fails("read_logs", { level: "loud" }), /level/);

    // Parameters: read, set (the node logs the change), delete.
    assert.deepEqual(
      (await mcp.ok("get_params", { node: "counter" })).params,
      { gain: 1 },
    );
    const set = await mcp.ok("set_param", {
      node: "counter",
      key: "gain",
      value: { factor: 2.5 },
    });
    assert.equal(set.delivered, true);
    assert.deepEqual(
      (await mcp.ok("get_params", { node: "counter", key: "gain" })).value,
      { factor: 2.5 },
    );
    await waitUntil(async () =>
      (await mcp!.ok("read_logs", {
        dataflow: "robot",
        nodes: ["counter"],
        grep: 'param gain = {"factor":2.5}',
      })).count === 1, "the counter's log of the new gain");
    assert.match(
      await mcp.fails("set_param", { node: "counter", key: "gain" }),
      /value/,
    );
    assert.match(
      await mcp.fails("set_param", { node: "ghost", key: "k", value: 1 }),
      /ghost/,
    );
    await mcp.ok("delete_param", { node: "counter", key: "gain" });
    assert.match(
      await mcp.fails("get_params", { node: "counter", key: "gain" }),
      /no parameter "gain"/,
    );

    const stopped = await mcp.ok("stop_dataflow", { dataflow: "robot" });
    assert.equal(stopped.uuid, uuid);
    assert.equal(stopped.status, "finished");
    assert.deepEqual((await mcp.ok("list_dataflows")).dataflows, []);
    const all = await mcp.ok("list_dataflows", { all: true });
    assert.equal(all.dataflows[0].status, "finished");
    // The logs of an ended dataflow stay readable by name.
    assert.ok(
      (await mcp.ok("read_logs", { dataflow: "robot", level: "stdout" }))
        .count > 0,
    );
    assert.deepEqual(processesWithEnv(uuid), []);
  } finally {
    await mcp?.client.close();
    await sandbox.cleanup();
  }
});

Deno.test("dora mcp --read-only refuses the tools that change anything", async () => {
  const sandbox = await Sandbox.create();
  let mcp: Awaited<ReturnType<typeof mcpClient>> | undefined;
  try {
    await sandbox.coordinator();
    await sandbox.daemon();
    const path = await copyFixtures(sandbox);
    const started = await sandbox.dora(["start", path, "--detach"]);
    assert.equal(started.code, 0, started.stderr);
    const uuid = started.stdout.trim();
    mcp = await mcpClient(sandbox, ["--read-only"]);
    const { tools } = await mcp.client.listTools();
    assert.equal(
      tools.find((t: Tool) => t.name === "list_dataflows")?.annotations
        ?.readOnlyHint,
      true,
    );
    for (
      const [tool, args] of [
        ["start_dataflow", { path: "mcp.yml" }],
        ["stop_dataflow", {}],
        ["restart_dataflow", {}],
        ["set_param", { node: "counter", key: "gain", value: 3 }],
        ["delete_param", { node: "counter", key: "gain" }],
        ["restart_node", { node: "counter" }],
        ["stop_node", { node: "listener" }],
      ] as const
    ) {
      assert.match(
        await mcp.fails(tool, args),
        new RegExp(`"${tool}" changes a dataflow .* --read-only: refused`),
      );
    }
    // Its messages need debug inspection, and the error says how.
    assert.match(
      await mcp.fails("read_topic", { topic: "counter/count" }),
      /runs without debug inspection.*start_dataflow and `debug: true`/,
    );
    // Nothing changed; reading still works.
    const listed = await mcp.ok("list_dataflows");
    assert.deepEqual(listed.dataflows.map((d: { uuid: string }) => d.uuid), [
      uuid,
    ]);
    assert.equal(listed.dataflows[0].status, "running");
    assert.deepEqual(
      (await mcp.ok("get_params", { node: "counter" })).params,
      { gain: 1 },
    );
    const stop = await sandbox.dora(["stop", uuid]);
    assert.equal(stop.code, 0, stop.stderr);
  } finally {
    await mcp?.client.close();
    await sandbox.cleanup();
  }
});

Deno.test("dora mcp without a coordinator runs the dataflow as its own dora run, and stops it when it ends", async () => {
  const sandbox = await Sandbox.create();
  let mcp: Awaited<ReturnType<typeof mcpClient>> | undefined;
  try {
    const port = freePort();
    mcp = await mcpClient(sandbox, [], {
      DORA_COORDINATOR_PORT: String(port),
    });
    const listed = await mcp.ok("list_dataflows");
    assert.equal(listed.coordinator, `none answers at 127.0.0.1:${port}`);
    assert.match(
      await mcp.fails("read_logs", {}),
      /no dataflow is running, and no coordinator answers/,
    );
    await copyFixtures(sandbox);
    const started = await mcp.ok("start_dataflow", {
      path: "mcp.yml",
      name: "solo",
      debug: true,
    });
    assert.match(started.where, /^dora run, pid \d+$/);
    const uuid: string = started.uuid;
    const [running] = (await mcp.ok("list_dataflows")).dataflows;
    assert.equal(running.uuid, uuid);
    assert.equal(running.name, "solo");
    const read = await mcp.ok("read_topic", { topic: "counter/count" });
    assert.equal(read.messages[0].type, "f64");
    // Parameters and logs through the `dora run`'s own endpoint.
    const set = await mcp.ok("set_param", {
      node: "counter",
      key: "gain",
      value: 10,
    });
    assert.equal(set.delivered, true);
    await waitUntil(
      async () =>
        (await mcp!.ok("read_logs", {
          nodes: ["counter"],
          grep: "param gain = 10",
        }))
          .count === 1,
      "the counter's log of the new gain",
    );
    assert.equal(
      (await mcp.ok("get_params", { node: "counter", key: "gain" })).value,
      10,
    );
    // Restart: the same command again (name, debug), its gain carried.
    const restarted = await mcp.ok("restart_dataflow", { dataflow: "solo" });
    assert.equal(restarted.replaced, uuid);
    assert.notEqual(restarted.uuid, uuid);
    assert.equal(restarted.name, "solo");
    assert.match(restarted.where, /^dora run, pid \d+$/);
    assert.notEqual(restarted.where, started.where);
    assert.equal(restarted.carriedParams, 1);
    assert.deepEqual(processesWithEnv(uuid), []);
    assert.deepEqual(
      (await mcp.ok("list_dataflows")).dataflows.map((d: { uuid: string }) =>
        d.uuid
      ),
      [restarted.uuid],
    );
    assert.equal(
      (await mcp.ok("get_params", { node: "counter", key: "gain" })).value,
      10,
    );
    // The new counter sends n × 10 (debug carried: the topic is readable).
    await waitUntil(async () => {
      const r = await mcp!.ok("read_topic", {
        topic: "counter/count",
        count: 2,
      });
      const [a, b] = r.messages.map((m: { values: number[] }) => m.values[0]);
      return b - a === 10;
    }, "the restarted counter to use gain 10");
    const stopped = await mcp.ok("stop_dataflow", {});
    assert.equal(stopped.uuid, restarted.uuid);
    assert.equal(stopped.status, "finished");
    assert.deepEqual((await mcp.ok("list_dataflows")).dataflows, []);
    assert.deepEqual(processesWithEnv(restarted.uuid), []);

    // A `dora run` started elsewhere is not restarted: a tool error that
    // says why and what to do, and it runs on untouched.
    const { cmd: dora, args: lead } = doraCommand();
    const foreign = new Deno.Command(dora, {
      args: [...lead, "run", "mcp.yml", "--name", "theirs"],
      cwd: sandbox.dir,
      env: {
        ...sandbox.env,
        XDG_RUNTIME_DIR: `${sandbox.dir}/rt`,
        DORA_COORDINATOR_PORT: String(port),
      },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let theirs: { uuid: string; where: string } | undefined;
      await waitUntil(async () => {
        theirs = (await mcp!.ok("list_dataflows")).dataflows[0];
        return theirs !== undefined;
      }, "the foreign dora run to be listed");
      const refused = await mcp.fails("restart_dataflow", {
        dataflow: "theirs",
      });
      assert.match(
        refused,
        new RegExp(
          `pid ${foreign.pid}\\) that dora mcp did not start.*nothing was changed.*restart_node.*stop_dataflow.*${sandbox.dir}/mcp\\.yml.*start_dataflow`,
        ),
      );
      assert.deepEqual(
        (await mcp.ok("list_dataflows")).dataflows.map((d: { uuid: string }) =>
          d.uuid
        ),
        [theirs!.uuid],
      );
      assert.equal(
        (await mcp.ok("stop_dataflow", { dataflow: "theirs" })).status,
        "finished",
      );
      assert.equal((await foreign.status).code, 0);
    } finally {
      try {
        foreign.kill("SIGKILL");
      } catch {
        // ended already
      }
      await foreign.status;
    }

    // A `dora run` still running when the client goes away ends too.
    const again = await mcp.ok("start_dataflow", { path: "mcp.yml" });
    const pid = Number(/pid (\d+)/.exec(again.where)![1]);
    await mcp.client.close();
    mcp = undefined;
    await waitUntil(() => !processAlive(pid), "the dora run child to end");
    await waitUntil(
      () => processesWithEnv(again.uuid).length === 0,
      "its nodes to end",
    );

    // Closing stdin ends the server (exit 0, nothing on stdout).
    const { cmd, args } = doraCommand();
    const bare = new Deno.Command(cmd, {
      args: [...args, "mcp"],
      cwd: sandbox.dir,
      env: sandbox.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await bare.stdin.close();
    const out = await bare.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(out.stdout.length, 0);
  } finally {
    await mcp?.client.close();
    await sandbox.cleanup();
  }
});
