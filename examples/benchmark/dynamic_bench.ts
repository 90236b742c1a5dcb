/**
 * The dynamic-change benchmark (docs/dynamic.md): a coordinator and a
 * daemon on this machine running a 10-node dataflow (a TypeScript sender
 * on a 10 ms timer and nine receivers); then
 *
 * - `dora node add` of a Python node reading the sender, five times: from
 *   the start of the command to the node's first delivered message (the
 *   node prints its wall-clock time), CLI start-up included;
 * - `param_set` → the node's `PARAM_UPDATE`, 100 times over one control
 *   link (what `dora param set` does after connecting), p50 and p99; and the
 *   wall time of one `dora param set` command.
 *
 * `deno run -A examples/benchmark/dynamic_bench.ts` prints one JSON line.
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import { background, freePort } from "./_processes.ts";
import { connectCoordinator } from "../../src/control/connect.ts";

const here = new URL(".", import.meta.url).pathname;

async function dora(args: string[], env: Record<string, string>, cwd: string) {
  const { cmd, args: lead } = doraCommand();
  const out = await new Deno.Command(cmd, {
    args: [...lead, ...args],
    env,
    cwd,
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `dora ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

/** Lines of a node's log so far. */
function logLines(dir: string, uuid: string, node: string): string[] {
  try {
    return Deno.readTextFileSync(`${dir}/out/${uuid}/log_${node}.jsonl`)
      .split("\n").filter((l) => l.trim()).map((l) => {
        try {
          return String(JSON.parse(l).msg);
        } catch {
          return "";
        }
      });
  } catch {
    return [];
  }
}

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const dir = await Deno.makeTempDir({ prefix: "dora-dyn-bench-" });
const port = freePort();
const env = {
  ...Deno.env.toObject(),
  NO_COLOR: "1",
  DORA_STATE_DIR: `${dir}/state`,
  DORA_COORDINATOR_PORT: String(port),
};
const procs: Deno.ChildProcess[] = [];
try {
  procs.push(
    await background(
      ["coordinator", "--port", String(port)],
      env,
      /listening on/,
    ),
  );
  procs.push(await background(["daemon"], env, /registered with/));
  const sinks = Array.from({ length: 9 }, (_, i) =>
    `  - id: sink${i}
    path: ${here}dyn_sink.ts
    inputs: { value: sender/value }`).join("\n");
  Deno.writeTextFileSync(
    `${dir}/dataflow.yml`,
    `nodes:
  - id: sender
    path: ${dir}/ts_sender.ts
    inputs: { tick: dora/timer/millis/10 }
    outputs: [value]
${sinks}
`,
  );
  Deno.writeTextFileSync(
    `${dir}/ts_sender.ts`,
    `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const e of node) {
  if (e.type === "INPUT") await node.sendOutput("value", new Float64Array([++n]));
}
`,
  );
  const uuid = (await dora(
    ["start", `${dir}/dataflow.yml`, "--name", "bench", "--detach"],
    env,
    dir,
  )).trim().split("\n").at(-1)!;
  const addMs: number[] = [];
  const cmdMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const id = `probe${i}`;
    Deno.writeTextFileSync(
      `${dir}/${id}.yml`,
      `id: ${id}\npath: ${here}dyn_probe.py\ninputs: { value: sender/value }\n`,
    );
    const t0 = performance.timeOrigin + performance.now();
    await dora(["node", "add", "--from-yaml", `${dir}/${id}.yml`], env, dir);
    cmdMs.push(performance.timeOrigin + performance.now() - t0);
    const first = await until(() => {
      const l = logLines(dir, uuid, id).find((l) => l.startsWith("FIRST "));
      return l ? Number(l.split(" ")[1]) : undefined;
    }, `${id} first message`);
    addMs.push(first - t0);
  }

  // The coordinator's token is in the sandbox's state folder.
  Deno.env.set("DORA_STATE_DIR", `${dir}/state`);
  const { peer } = await connectCoordinator({ addr: "127.0.0.1", port });
  const sent = new Map<number, number>();
  for (let i = 0; i < 100; i++) {
    sent.set(i, performance.timeOrigin + performance.now());
    await peer.call("param_set", {
      ref: uuid,
      node: "probe0",
      key: "k",
      json: String(i),
    });
  }
  const got = await until(() => {
    const lines = logLines(dir, uuid, "probe0").filter((l) =>
      l.startsWith("PARAM ")
    );
    return lines.length >= 100 ? lines : undefined;
  }, "100 PARAM_UPDATE");
  peer.close(1000, "done");
  const paramMs = got.map((l) => {
    const [, v, t] = l.split(" ");
    return Number(t) - sent.get(Number(v))!;
  });
  const c0 = performance.now();
  await dora(["param", "set", "probe0", "k", "1000"], env, dir);
  const cliMs = performance.now() - c0;

  console.log(JSON.stringify({
    nodes: 10,
    node_add_to_first_message_ms: addMs.map((x) => Math.round(x)),
    node_add_p50_ms: Math.round(quantile(addMs, 0.5)),
    node_add_command_ms: cmdMs.map((x) => Math.round(x)),
    param_update_p50_ms: Number(quantile(paramMs, 0.5).toFixed(2)),
    param_update_p99_ms: Number(quantile(paramMs, 0.99).toFixed(2)),
    param_set_cli_wall_ms: Math.round(cliMs),
  }));
  await dora(["stop", "bench"], env, dir);
} finally {
  for (const p of procs.reverse()) {
    try {
      p.kill("SIGTERM");
    } catch { /* gone */ }
    await p.status;
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
