/**
 * The cross-daemon benchmark: a coordinator and two daemons (A, B) on this
 * machine, once over TCP and once over zenoh (each daemon with its own
 * bridge, linked over tcp/127.0.0.1), running dataflow-cross.yml: latency
 * (half a round trip) and throughput for 8 B, 4 KB and 4 MB messages.
 *
 * `deno run -A examples/benchmark/cross_daemon.ts` (needs a
 * zenoh-bridge-remote-api: DORA_ZENOH_BRIDGE, .tools/bin or PATH;
 * BENCH_TRANSPORTS=tcp to skip zenoh).
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import { background, freePort } from "./_processes.ts";

const here = new URL(".", import.meta.url).pathname;
const transports = (Deno.env.get("BENCH_TRANSPORTS") ?? "tcp,zenoh").split(",");

async function runOnce(transport: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "dora-cross-bench-" });
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
    const zA = freePort();
    const zenoh = (listen: number, connect?: number) =>
      transport === "zenoh"
        ? [
          "--zenoh",
          "--zenoh-endpoint",
          `ws/127.0.0.1:${freePort()}`,
          "--zenoh-listen",
          `tcp/127.0.0.1:${listen}`,
          ...(connect ? ["--zenoh-connect", `tcp/127.0.0.1:${connect}`] : []),
        ]
        : [];
    for (
      const [m, z] of [["A", zenoh(zA)], [
        "B",
        zenoh(freePort(), zA),
      ]] as const
    ) {
      procs.push(
        await background(
          ["daemon", "--machine-id", m, ...z],
          env,
          /registered with the coordinator/,
        ),
      );
    }
    const { cmd, args } = doraCommand();
    const out = await new Deno.Command(cmd, {
      args: [
        ...args,
        "start",
        `${here}dataflow-cross.yml`,
        "--attach",
        "--env",
        `BENCH_TRANSPORT=${transport}`,
      ],
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const dec = new TextDecoder();
      throw new Error(
        `${transport}: ${dec.decode(out.stdout)}${dec.decode(out.stderr)}`,
      );
    }
    const text = new TextDecoder().decode(out.stdout);
    return [...text.matchAll(/ROW (\S+)/g)].map((m) => m[1]).join("\n");
  } finally {
    for (const p of procs.reverse()) {
      try {
        p.kill("SIGTERM");
      } catch { /* gone */ }
      await p.status;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const rows: string[][] = [];
for (const t of transports) {
  const csv = await runOnce(t.trim());
  for (const line of csv.trim().split("\n")) rows.push(line.split(","));
}
const size = (n: number) =>
  n >= 1 << 20 ? `${n >> 20} MB` : n >= 1024 ? `${n >> 10} KB` : `${n} B`;
console.log(
  "| transport | size | latency p50 | latency p90 | msgs/s | MB/s |\n| --- | --- | --- | --- | --- | --- |",
);
for (const [t, s, p50, p90, mps, mbs] of rows) {
  console.log(
    `| ${t} | ${size(Number(s))} | ${p50} µs | ${p90} µs | ${mps} | ${mbs} |`,
  );
}
